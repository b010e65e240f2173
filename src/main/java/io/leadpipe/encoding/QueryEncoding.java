package io.leadpipe.encoding;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** One query-string name or value, encoded once (UTF-8, form encoding as every HTTP server reads it). */
public final class QueryEncoding {

    private QueryEncoding() {
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** One path segment: as a query value, but a space is %20 (a '+' in a path is a plus sign). */
    public static String pathSegment(String s) {
        return encode(s).replace("+", "%20");
    }
}
