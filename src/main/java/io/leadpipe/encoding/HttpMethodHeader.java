package io.leadpipe.encoding;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;

import java.util.Locale;

/**
 * The CamelHttpMethod header as the enum camel-http reads it. camel-http asks for the header as its
 * {@link HttpMethods}; given the text "GET", Camel's enum converter looked for a more specific converter on every
 * call and scanned its whole registry to find none — about 3.5% of a pull's thread (profile of 2026-12-06).
 */
public final class HttpMethodHeader {

    private HttpMethodHeader() {
    }

    /** {@code GET}, {@code post}, …: the method camel-http sends; an unknown name fails here, with its name. */
    public static HttpMethods of(String method) {
        try {
            return HttpMethods.valueOf(method.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + method + "' is not an HTTP method camel-http sends (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE)", e);
        }
    }

    public static void set(Message message, String method) {
        message.setHeader(Exchange.HTTP_METHOD, of(method));
    }
}
