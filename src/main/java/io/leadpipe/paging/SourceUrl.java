package io.leadpipe.paging;

import io.leadpipe.encoding.QueryEncoding;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A source URL split into the endpoint (no query, no fragment) and its own query parameters, kept exactly as
 * written ({@code ?q=SELECT+Id+FROM+Lead} stays encoded once). leadpipe's parameters are merged into them: a
 * parameter of the URL with the same name as one of leadpipe's is replaced, never sent twice.
 */
public final class SourceUrl {

    private final String endpoint;
    /** The URL's own parameters as written: raw "name=value" pairs, and each one's decoded name. */
    private final List<String> rawPairs = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    public SourceUrl(String url) {
        int hash = url.indexOf('#');
        String noFragment = hash < 0 ? url : url.substring(0, hash);
        int q = noFragment.indexOf('?');
        endpoint = q < 0 ? noFragment : noFragment.substring(0, q);
        if (q >= 0) {
            for (String pair : noFragment.substring(q + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                rawPairs.add(pair);
                names.add(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8));
            }
        }
    }

    /** The URL without its query: what the HTTP endpoint is made of. */
    public String endpoint() {
        return endpoint;
    }

    /** The URL's own query, less the parameters named in {@code replaced}, as written (may be empty). */
    public String ownQuery(java.util.Set<String> replaced) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < rawPairs.size(); i++) {
            if (replaced.contains(names.get(i))) continue;
            b.append(b.length() == 0 ? "" : "&").append(rawPairs.get(i));
        }
        return b.toString();
    }

    /** The URL's own parameters, then leadpipe's (decoded values, encoded here once); leadpipe's win a name. */
    public String query(Map<String, String> ours) {
        StringBuilder b = new StringBuilder(ownQuery(ours.keySet()));
        ours.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(QueryEncoding.encode(k)).append('=').append(QueryEncoding.encode(v)));
        return b.toString();
    }
}
