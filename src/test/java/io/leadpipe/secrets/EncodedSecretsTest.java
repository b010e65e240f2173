package io.leadpipe.secrets;

import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server may echo a key in any encoding it uses for its own output: JSON \\u escapes (.NET escapes '+'
 * as \\u002B by default, others escape every non-letter, in upper or lower hex), URL-encoding, HTML
 * entities, base64 (a Basic header echoed, at any byte offset), or a mix. Every one is scrubbed.
 */
class EncodedSecretsTest {

    static final String KEY = "sk_live/Zq9+Xw7=Mn4pLk2";

    /** Every character \\u-escaped, in this hex case. */
    static String allUnicodeEscaped(String s, boolean upper) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            String hex = String.format("%04x", (int) c);
            b.append("\\u").append(upper ? hex.toUpperCase() : hex);
        }
        return b.toString();
    }

    static String htmlDecimal(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append("&#").append(c).append(';'));
        return b.toString();
    }

    @Test
    void theKeyIsScrubbedInEveryEncodingAServerMightUse() {
        Secrets.register(KEY);
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put(".NET JSON (\\u002B)", "sk_live/Zq9\\u002BXw7=Mn4pLk2");
        forms.put("JSON lower hex (\\u002b)", "sk_live/Zq9\\u002bXw7=Mn4pLk2");
        forms.put("JSON escaped '/' and '=' (\\/, \\u003D)", "sk_live\\/Zq9\\u002BXw7\\u003DMn4pLk2");
        forms.put("every character \\u-escaped, upper hex", allUnicodeEscaped(KEY, true));
        forms.put("every character \\u-escaped, lower hex", allUnicodeEscaped(KEY, false));
        forms.put("URL-encoded", URLEncoder.encode(KEY, StandardCharsets.UTF_8));
        forms.put("URL-encoded, lower hex", "sk_live%2fZq9%2bXw7%3dMn4pLk2");
        forms.put("URL-encoded, every character", "%73%6B%5F%6C%69%76%65%2F%5A%71%39%2B%58%77%37%3D%4D%6E%34%70%4C%6B%32");
        forms.put("double URL-encoded", "sk_live%252FZq9%252BXw7%253DMn4pLk2");
        forms.put("HTML decimal entities", htmlDecimal(KEY));
        forms.put("HTML hex and named entities", "sk_live&#x2F;Zq9&#X2b;Xw7&equals;Mn4pLk2");
        forms.put("HTML &plus; and &sol;", "sk_live&sol;Zq9&plus;Xw7=Mn4pLk2");
        forms.put("a mix", "s\\u006B_live%2FZq9&#43;Xw7\\u003dMn4pLk2");
        forms.put("base64", Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8)));
        forms.put("base64url", Base64.getUrlEncoder().withoutPadding().encodeToString(KEY.getBytes(StandardCharsets.UTF_8)));
        for (String prefix : new String[] {"a:", "ab:", "abc:"}) {
            forms.put("base64 after '" + prefix + "' (a Basic header)", Base64.getEncoder().encodeToString((prefix + KEY).getBytes(StandardCharsets.UTF_8)));
        }
        forms.forEach((how, form) -> {
            String scrubbed = Secrets.scrub("{\"detail\":\"key " + form + " refused\"}");
            assertThat(scrubbed).as(how + ": " + form).doesNotContain(form).startsWith("{\"detail\":\"key ").endsWith(" refused\"}");
            if (!how.startsWith("base64")) assertThat(scrubbed).as(how).isEqualTo("{\"detail\":\"key **** refused\"}");
            // no recognisable run of the key is left either
            assertThat(scrubbed).as(how).doesNotContain("Mn4pLk2").doesNotContain("Zq9");
        });
    }

    @Test
    void aNonAsciiSecretIsFoundInItsUtf8PercentAndUnicodeEscapes() {
        Secrets.register("p\u00e4ssw\u00f6rd-Key42");
        assertThat(Secrets.scrub("pw=p%C3%A4ssw%c3%b6rd-Key42&x=1")).isEqualTo("pw=****&x=1");
        assertThat(Secrets.scrub("{\"pw\":\"p\\u00E4ssw\\u00f6rd-Key42\"}")).isEqualTo("{\"pw\":\"****\"}");
        assertThat(Secrets.scrub("pw=p&auml;ssw&#246;rd-Key42")).as("&auml; is not decoded, &#246; is").contains("Key42");
    }

    @Test
    void ordinaryTextWithEscapesIsLeftAlone() {
        Secrets.register(KEY);
        String text = "{\"detail\":\"caf\\u00e9 100% &amp; sk_live\\/other\"}";
        assertThat(Secrets.scrub(text)).isEqualTo(text);
    }
}
