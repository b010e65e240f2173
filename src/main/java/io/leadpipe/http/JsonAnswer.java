package io.leadpipe.http;

import io.leadpipe.paging.MalformedPageException;
import io.leadpipe.secrets.Secrets;
import org.apache.camel.Exchange;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Before a page is parsed: an answer that is not JSON at all (a login page, a proxy's HTML error with
 * status 200) fails the job at once, saying what came back — it is no blip, and retrying it only burns
 * quota. A body that starts like JSON but does not parse may be truncated, and stays retryable.
 */
public final class JsonAnswer {

    static final int SNIPPET = 200;

    public void check(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().setBody(body); // read once; the parser reads the bytes
        boolean jsonType = contentType == null || isJsonType(contentType);
        if (jsonType && looksLikeJson(body)) return;
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        // the request (URL without the key) is named by FailureExplainer, which reports this
        throw new MalformedPageException("the API answered HTTP " + (status == null ? "?" : status) + " with "
                + (contentType == null ? "no Content-Type" : "Content-Type " + contentType) + " and a body that is "
                + (looksLikeJson(body) ? "JSON" : "not JSON") + ": not retried — check the source's url and key (first " + SNIPPET
                + " characters: " + snippet(body) + ")");
    }

    /** application/json, application/problem+json, text/json; parameters such as charset ignored. */
    static boolean isJsonType(String contentType) {
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.equals("text/json") || type.endsWith("+json");
    }

    /** An object or an array, after any byte-order mark and white space. */
    static boolean looksLikeJson(byte[] body) {
        if (body == null) return false;
        for (int i = 0; i < body.length; i++) {
            int b = body[i] & 0xff;
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
            if (i == 0 && b == 0xEF && body.length > 2 && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
                i += 2;
                continue;
            }
            return b == '{' || b == '[';
        }
        return false;
    }

    static String snippet(byte[] body) {
        if (body == null || body.length == 0) return "(empty)";
        String text = new String(body, 0, Math.min(body.length, 4 * SNIPPET), StandardCharsets.UTF_8);
        // scrubbed whole before it is cut, so a secret or an address is never left half-visible
        text = Secrets.scrub(text).replaceAll("\\s+", " ").strip();
        return text.length() > SNIPPET ? text.substring(0, SNIPPET) + "…" : text;
    }
}
