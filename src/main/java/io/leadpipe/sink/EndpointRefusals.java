package io.leadpipe.sink;

import io.leadpipe.secrets.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.util.Arrays;
import java.util.List;

/**
 * Which failures of a send mean "this message will never be taken" — a dead letter, not a retry: a webhook's
 * 4xx other than 408, 425 and 429, or an exception named in {@code leadpipe.sink.endpoint.refused} (a record
 * too large for the topic). Anything else (a broker down, a timeout) is retried, then stops the delivery with
 * the leads still staged.
 */
public final class EndpointRefusals {

    private List<String> refused = List.of();

    /** Exception class names, comma-separated; a failure whose cause chain holds one of them is refused. */
    public void setRefusedExceptions(String names) {
        refused = Arrays.stream(names == null ? new String[0] : names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public boolean refused(Exchange exchange) {
        return refusal(failure(exchange)) != null;
    }

    /** The dead letter's reason: what the endpoint said, scrubbed. */
    public String reason(Exchange exchange) {
        Throwable refusal = refusal(failure(exchange));
        String what = refusal instanceof HttpOperationFailedException http
                ? "HTTP " + http.getStatusCode() + (http.getResponseBody() == null || http.getResponseBody().isBlank() ? "" : ": " + http.getResponseBody().strip())
                : Secrets.rootCauseLine(refusal == null ? failure(exchange) : refusal);
        return Secrets.scrub("the endpoint refused the message: " + what);
    }

    private static Throwable failure(Exchange exchange) {
        Throwable t = exchange.getException();
        return t != null ? t : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    private Throwable refusal(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof HttpOperationFailedException http) {
                int code = http.getStatusCode();
                return code >= 400 && code < 500 && code != 408 && code != 425 && code != 429 ? c : null;
            }
            for (Class<?> k = c.getClass(); k != null; k = k.getSuperclass()) {
                if (refused.contains(k.getName())) return c;
            }
        }
        return null;
    }
}
