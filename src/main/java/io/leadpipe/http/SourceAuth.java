package io.leadpipe.http;

import org.apache.camel.component.http.HttpClientConfigurer;

/**
 * How one API's requests are authenticated, inside the HTTP client (bean {@code #auth-<source>}, the
 * api-call kamelet's httpClientConfigurer): the credentials never become a Camel header.
 */
public interface SourceAuth extends HttpClientConfigurer {

    /** Equal for callers sharing one quota (the same key, the same OAuth client): a digest, never the secret. */
    String identity();

    /** The deadline and body size every call through this client is held to (leadpipe.http.*). */
    SourceAuth limits(ResponseLimits limits);
}
