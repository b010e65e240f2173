package io.leadpipe.secrets;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every secret leadpipe knows (API keys, the database password, tokens added at run time) and the one
 * function that removes them, and e-mail addresses, from any text before leadpipe writes it: a log line,
 * a checkpoint's error, a run report, {@code status}. Secrets are matched by value, so an API that echoes
 * the key in an error body is scrubbed as surely as our own text. Process-wide: a secret registered once
 * stays scrubbed for the life of the JVM.
 */
public final class Secrets {

    /** What a secret is replaced by. */
    public static final String MASK = "****";
    public static final String EMAIL_MASK = "<e-mail>";

    /** Shorter secrets are only scrubbed as a whole word: "sa" or "1234" inside other text is not the secret. */
    static final int MIN_ANYWHERE = 6;

    // plain, URL-encoded (%40, double-encoded %2540) and JSON-escaped (\u0040) at-signs
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+(?:@|%40|%2540|\\\\u0040)[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");

    private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static volatile List<String> longestFirst = List.of();
    private static volatile Pattern shortOnes;
    private static volatile List<String> escapable = List.of();

    private Secrets() {
    }

    /**
     * Registers a secret (and the forms it takes when a server echoes it: see {@link SecretForms}). Blank values are ignored.
     * Auth code calls this for every key or token it obtains, at start or later (an OAuth token refresh).
     */
    public static void register(String secret) {
        if (secret == null || secret.isBlank()) return;
        String s = secret.strip();
        boolean added = SECRETS.add(s);
        for (String form : SecretForms.literal(s)) {
            added |= VALUES.add(form);
        }
        if (added) rebuild();
    }

    private static synchronized void rebuild() {
        longestFirst = VALUES.stream().filter(v -> v.length() >= MIN_ANYWHERE).sorted(Comparator.comparingInt(String::length).reversed()).toList();
        List<String> shorts = VALUES.stream().filter(v -> v.length() < MIN_ANYWHERE).map(Pattern::quote).toList();
        shortOnes = shorts.isEmpty() ? null : Pattern.compile("(?<![A-Za-z0-9])(?:" + String.join("|", shorts) + ")(?![A-Za-z0-9])");
        escapable = SECRETS.stream().filter(v -> v.length() >= MIN_ANYWHERE).sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** The text with every registered secret replaced by {@value #MASK} and every e-mail address by {@value #EMAIL_MASK}. */
    public static String scrub(String text) {
        if (text == null || text.isEmpty()) return text;
        String t = text;
        for (String secret : longestFirst) {
            if (t.contains(secret)) t = t.replace(secret, MASK);
        }
        // an escaped form has a '\\', '%' or '&' in it: text without any needs no decoding
        if (t.indexOf('\\') >= 0 || t.indexOf('%') >= 0 || t.indexOf('&') >= 0) t = maskEscaped(t);
        Pattern p = shortOnes;
        if (p != null) t = p.matcher(t).replaceAll(Matcher.quoteReplacement(MASK));
        return maskEmails(t);
    }

    /** The text with every secret written with escapes (any mix of JSON, URL and HTML ones) masked: found decoded, masked in the original. */
    private static String maskEscaped(String text) {
        List<String> secrets = escapable;
        if (secrets.isEmpty()) return text;
        EscapedText d = EscapedText.of(text);
        if (d == null) return text;
        boolean[] masked = new boolean[text.length() + 1];
        boolean any = false;
        for (String secret : secrets) {
            for (int at = d.decoded.indexOf(secret); at >= 0; at = d.decoded.indexOf(secret, at + 1)) {
                int[] span = d.originalSpan(at, at + secret.length());
                for (int k = span[0]; k < span[1]; k++) masked[k] = true;
                any = true;
            }
        }
        if (!any) return text;
        StringBuilder out = new StringBuilder(text.length());
        for (int k = 0; k < text.length(); k++) {
            if (!masked[k]) out.append(text.charAt(k));
            else if (k == 0 || !masked[k - 1]) out.append(MASK);
        }
        return out.toString();
    }

    /** "SocketTimeoutException: Read timed out": the deepest cause of a failure, scrubbed, for one-line messages. */
    public static String rootCauseLine(Throwable t) {
        if (t == null) return "unknown error";
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = root.getMessage();
        if (msg == null) return root.getClass().getSimpleName();
        // one line: H2 puts the statement (and its values) on the lines after "SQL statement:", a driver may wrap its text
        String first = msg.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        first = first.replaceFirst(";?\\s*SQL statement:$", "");
        return root.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + scrub(first));
    }

    /** E-mail addresses only, also URL-encoded ({@code carol%40example.com}) — for ids and cursors shown to people. */
    public static String maskEmails(String text) {
        // the pattern needs one of these at-signs: a text without any (most log lines) skips it
        if (text == null || text.indexOf('@') < 0 && !text.contains("%40") && !text.contains("%2540") && !text.contains("\\u0040")) return text;
        return EMAIL.matcher(text).replaceAll(EMAIL_MASK);
    }
}
