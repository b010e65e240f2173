package io.leadpipe.secrets;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A text with the escapes a server may write decoded — JSON {@code \\u002B} (either hex case), {@code \\/},
 * {@code \\"}, {@code \\\\}; URL {@code %2B} (also double-encoded {@code %252B}, UTF-8 sequences); HTML
 * {@code &#43; &#x2B; &plus;} — keeping, for each decoded character, the span of the original it came from.
 * A secret found in the decoded text is then masked in the original, whatever mix of escapes it was written in.
 */
final class EscapedText {

    private static final Map<String, Character> NAMED = Map.ofEntries(
            Map.entry("amp", '&'), Map.entry("lt", '<'), Map.entry("gt", '>'), Map.entry("quot", '"'), Map.entry("apos", '\''),
            Map.entry("plus", '+'), Map.entry("sol", '/'), Map.entry("equals", '='), Map.entry("colon", ':'), Map.entry("percnt", '%'),
            Map.entry("num", '#'), Map.entry("lowbar", '_'), Map.entry("hyphen", '-'), Map.entry("dash", '-'), Map.entry("period", '.'),
            Map.entry("dollar", '$'), Map.entry("excl", '!'), Map.entry("quest", '?'), Map.entry("commat", '@'), Map.entry("ast", '*'),
            Map.entry("bsol", '\\'), Map.entry("tilde", '~'), Map.entry("Hat", '^'), Map.entry("comma", ','), Map.entry("semi", ';'));

    final String decoded;
    private final int[] from;
    private final int[] to;

    private EscapedText(String decoded, int[] from, int[] to) {
        this.decoded = decoded;
        this.from = from;
        this.to = to;
    }

    /** Where the decoded characters [start, end) were in the original: {start, end} there. */
    int[] originalSpan(int start, int end) {
        return new int[] {from[start], to[end - 1]};
    }

    /** The text decoded, or null when it holds no escape to decode. */
    static EscapedText of(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int[] from = new int[text.length()];
        int[] to = new int[text.length()];
        boolean changed = false;
        int i = 0;
        while (i < text.length()) {
            int start = i;
            int end = -1;
            String chars = null;
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char n = text.charAt(i + 1);
                if (n == 'u' && i + 6 <= text.length() && hex(text, i + 2, i + 6) >= 0) {
                    chars = String.valueOf((char) hex(text, i + 2, i + 6));
                    end = i + 6;
                } else if (n == '/' || n == '"' || n == '\\') {
                    chars = String.valueOf(n);
                    end = i + 2;
                }
            } else if (c == '%') {
                int[] consumed = new int[1];
                chars = percentDecoded(text, i, consumed);
                if (chars != null) end = consumed[0];
            } else if (c == '&') {
                int semi = text.indexOf(';', i);
                if (semi > i + 1 && semi - i <= 10) {
                    chars = entity(text.substring(i + 1, semi));
                    if (chars != null) end = semi + 1;
                }
            }
            if (chars == null) {
                chars = String.valueOf(c);
                end = i + 1;
            } else {
                changed = true;
            }
            for (int k = 0; k < chars.length(); k++) {
                from[out.length()] = start;
                to[out.length()] = end;
                out.append(chars.charAt(k));
            }
            i = end;
        }
        return changed ? new EscapedText(out.toString(), from, to) : null;
    }

    /** %XX (or %25XX) bytes from i that make whole UTF-8 characters; consumed[0] is where they end. */
    private static String percentDecoded(String text, int i, int[] consumed) {
        byte[] bytes = new byte[4];
        int n = 0;
        int at = i;
        int need = 1;
        while (n < need) {
            int len = percentLength(text, at);
            if (len == 0) return null;
            int b = hex(text, at + len - 2, at + len);
            at += len;
            if (n == 0) need = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : -1;
            if (need < 0) return null;
            bytes[n++] = (byte) b;
        }
        if (n == 1) {
            consumed[0] = at;
            return String.valueOf((char) bytes[0]); // ASCII: no decoder needed
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n)).toString();
            consumed[0] = at;
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** 3 for %XX at i, 5 for %25XX (double-encoded), else 0. */
    private static int percentLength(String text, int i) {
        if (text.startsWith("%25", i) && hex(text, i + 3, i + 5) >= 0) return 5;
        return text.startsWith("%", i) && hex(text, i + 1, i + 3) >= 0 ? 3 : 0;
    }

    private static String entity(String body) {
        try {
            if (body.startsWith("#x") || body.startsWith("#X")) return new String(Character.toChars(Integer.parseInt(body.substring(2), 16)));
            if (body.startsWith("#")) return new String(Character.toChars(Integer.parseInt(body.substring(1))));
        } catch (IllegalArgumentException notACharacter) {
            return null;
        }
        Character named = NAMED.get(body);
        return named == null ? null : String.valueOf(named);
    }

    /** The hex digits [from, to) as a number, or -1 when one is not a hex digit. */
    private static int hex(String s, int from, int to) {
        if (to > s.length()) return -1;
        int v = 0;
        for (int k = from; k < to; k++) {
            int d = Character.digit(s.charAt(k), 16);
            if (d < 0 || s.charAt(k) > 'f') return -1;
            v = v * 16 + d;
        }
        return v;
    }
}
