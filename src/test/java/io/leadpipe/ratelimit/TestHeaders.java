package io.leadpipe.ratelimit;

import java.util.Map;
import java.util.TreeMap;

/** Response headers for the parser tests, case-insensitive as HTTP's are: name, value, name, value… */
final class TestHeaders {

    private TestHeaders() {
    }

    static Map<String, String> of(String... kv) {
        Map<String, String> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
