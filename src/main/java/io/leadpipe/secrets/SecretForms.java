package io.leadpipe.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The forms a secret takes when a server echoes it in its own encoding. Literal forms: the secret as it
 * is, URL-encoded, JSON-escaped, and base64 at each of the three byte offsets it can sit at inside a longer
 * base64 text (a Basic header echoed). Escaped forms, matched character by character so that any mix is
 * caught without decoding the text first: JSON {@code \\u002B} (either hex case), URL {@code %2B} (also
 * double-encoded {@code %252B}), HTML {@code &#43; &#x2B; &plus;}.
 */
final class SecretForms {

    private static final Map<Integer, List<String>> NAMED_ENTITIES = Map.ofEntries(
            Map.entry((int) '&', List.of("&amp;")), Map.entry((int) '<', List.of("&lt;")), Map.entry((int) '>', List.of("&gt;")),
            Map.entry((int) '"', List.of("&quot;")), Map.entry((int) '\'', List.of("&apos;")), Map.entry((int) '+', List.of("&plus;")),
            Map.entry((int) '/', List.of("&sol;")), Map.entry((int) '=', List.of("&equals;")), Map.entry((int) ':', List.of("&colon;")),
            Map.entry((int) '%', List.of("&percnt;")), Map.entry((int) '#', List.of("&num;")), Map.entry((int) '_', List.of("&lowbar;")),
            Map.entry((int) '-', List.of("&hyphen;", "&dash;")), Map.entry((int) '.', List.of("&period;")), Map.entry((int) '$', List.of("&dollar;")));

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

    /** A pattern for the secret with any of its characters escaped (JSON, URL, HTML). */
    static String escapedPattern(String s) {
        StringBuilder p = new StringBuilder();
        s.codePoints().forEach(cp -> p.append(character(cp)));
        return p.toString();
    }

    private static String character(int cp) {
        List<String> alternatives = new ArrayList<>();
        alternatives.add(Pattern.quote(new String(Character.toChars(cp))));
        // JSON: \\u00XX for each UTF-16 unit, either hex case; the short escapes of '/', '"' and '\'
        StringBuilder json = new StringBuilder();
        for (char unit : Character.toChars(cp)) json.append("\\\\u").append(hexAnyCase(unit, 4));
        alternatives.add(json.toString());
        if (cp == '/') alternatives.add("\\\\/");
        if (cp == '"') alternatives.add("\\\\\"");
        if (cp == '\\') alternatives.add("\\\\\\\\");
        // URL: %XX for each UTF-8 byte, also double-encoded (%25XX); '+' for a space
        StringBuilder url = new StringBuilder();
        StringBuilder twice = new StringBuilder();
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
            url.append('%').append(hexAnyCase(b & 0xff, 2));
            twice.append("%25").append(hexAnyCase(b & 0xff, 2));
        }
        alternatives.add(url.toString());
        alternatives.add(twice.toString());
        if (cp == ' ') alternatives.add("\\+");
        // HTML: &#43; &#x2B; (leading zeros allowed) and the common named entities
        alternatives.add("&#0*" + cp + ";");
        alternatives.add("&#[xX]0*" + hexAnyCase(cp, 1) + ";");
        for (String named : NAMED_ENTITIES.getOrDefault(cp, List.of())) alternatives.add(Pattern.quote(named));
        return "(?:" + String.join("|", alternatives) + ")";
    }

    /** The value in hex (at least {@code digits} digits), each letter matching either case. */
    private static String hexAnyCase(int value, int digits) {
        String hex = String.format("%0" + digits + "x", value);
        StringBuilder p = new StringBuilder();
        for (char c : hex.toCharArray()) p.append(Character.isLetter(c) ? "[" + c + Character.toUpperCase(c) + "]" : String.valueOf(c));
        return p.toString();
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
