package io.leadpipe.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The forms a secret takes when a server echoes it in its own encoding. Literal forms: the secret as it
 * is, URL-encoded, JSON-escaped, and base64 at each of the three byte offsets it can sit at inside a longer
 * base64 text (a Basic header echoed). Escaped forms (JSON, URL, HTML, any mix) are found by decoding the
 * text instead: {@link EscapedText}.
 */
final class SecretForms {

    private SecretForms() {
    }

    /** The secret's literal forms (replaced as plain text). */
    static Set<String> literal(String s) {
        Set<String> forms = new LinkedHashSet<>();
        String url = URLEncoder.encode(s, StandardCharsets.UTF_8);
        forms.add(s);
        forms.add(url);
        forms.add(url.replace("+", "%20"));
        forms.add(jsonEscaped(s));
        if (s.length() >= Secrets.MIN_ANYWHERE) forms.addAll(base64Runs(s.getBytes(StandardCharsets.UTF_8)));
        return forms;
    }

    /**
     * The base64 characters that depend on the secret's bytes alone, for each offset (0, 1, 2 bytes) the
     * secret can have inside a longer base64 text, in the standard and the URL-safe alphabet.
     */
    static List<String> base64Runs(byte[] secret) {
        List<String> runs = new ArrayList<>();
        for (int offset = 0; offset < 3; offset++) {
            byte[] shifted = new byte[offset + secret.length];
            System.arraycopy(secret, 0, shifted, offset, secret.length);
            String b64 = Base64.getEncoder().withoutPadding().encodeToString(shifted);
            int firstBit = 8 * offset;
            int endBit = 8 * shifted.length;
            int from = (firstBit + 5) / 6;       // first character whose 6 bits start inside the secret
            int to = endBit / 6;                 // characters whose 6 bits end inside the secret
            if (to - from < Secrets.MIN_ANYWHERE) continue;
            String run = b64.substring(from, to);
            runs.add(run);
            runs.add(run.replace('+', '-').replace('/', '_'));
        }
        return runs;
    }

    private static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '/' -> b.append("\\/");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
