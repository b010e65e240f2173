package io.leadpipe.paging;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
        sorted.forEach((k, v) -> j.add(enc(k) + "=" + enc(v)));
        return j.toString();
    }

    public static String hash(String normalisedFilters) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(normalisedFilters.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
