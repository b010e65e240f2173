package io.leadpipe.http;

import java.io.IOException;

/**
 * The token endpoint could not be reached or answered 429/5xx: transient like any API hiccup, so an
 * IOException that routes/errors.yaml retries with the usual backoff.
 */
public final class TokenEndpointUnavailableException extends IOException {
    public TokenEndpointUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
