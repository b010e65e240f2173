package io.leadpipe.http;

import org.apache.camel.Converter;
import org.apache.camel.TypeConverters;
import org.apache.camel.component.http.HttpMethods;

import java.util.Locale;

/**
 * Text → camel-http's {@link HttpMethods}, as a converter of its own. camel-http reads the CamelHttpMethod header as
 * that enum; with no converter for it, Camel's enum converter looked one up on every call and scanned its whole
 * registry to find none — 2.8–3.5% of a pull's thread (BENCHMARKS.md, "Pipeline overhead, sixth pass"). With this
 * one, every text method converts by one lookup: ours, the alert webhook's and any `setHeader: CamelHttpMethod` a
 * user writes in a route. Added to the context by the wiring (SourceBeans, ProbeWiring).
 */
public final class HttpMethodConverters implements TypeConverters {

    /** {@code GET}, {@code post}, …; a name that is no method fails the call, naming it (as Camel's enum converter did). */
    @Converter
    public HttpMethods toHttpMethod(String name) {
        try {
            return HttpMethods.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "' is not an HTTP method camel-http sends (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, TRACE)", e);
        }
    }
}
