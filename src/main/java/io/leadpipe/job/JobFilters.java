package io.leadpipe.job;

import io.leadpipe.encoding.QueryEncoding;
import io.leadpipe.encoding.Sha256;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/** A job's filters ("industry=Software&country=DE"), normalised so the same filters always hash the same. */
public final class JobFilters {

    private JobFilters() {
    }

    public static String normalise(String filters) {
        Map<String, String> sorted = new TreeMap<>();
        if (filters != null) {
            for (String pair : filters.split("&")) {
                if (pair.isBlank()) continue;
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8).trim();
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).trim();
                if (!name.isEmpty()) sorted.put(name, value);
            }
        }
        StringJoiner j = new StringJoiner("&");
        sorted.forEach((k, v) -> j.add(QueryEncoding.encode(k) + "=" + QueryEncoding.encode(v)));
        return j.toString();
    }

    public static String hash(String normalisedFilters) {
        return Sha256.hex(normalisedFilters);
    }

}
