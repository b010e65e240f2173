package io.leadpipe.probe;

import io.leadpipe.secrets.Secrets;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Wraps a source's HTTP client so `probe` can show the request exactly as it went out — after the
 * credentials and static headers were added inside the client — with every credential masked.
 */
public final class RequestRecorder implements HttpClientConfigurer {

    /** The request line and headers as sent, credentials masked. */
    public record Sent(String line, List<String> headers) {}

    /** Headers that carry credentials whatever the source says (the set compares names ignoring case). */
    private static final Set<String> ALWAYS_MASKED = Set.of("authorization", "proxy-authorization", "cookie");

    private final HttpClientConfigurer client;
    private final Set<String> masked = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private volatile Sent last;
    private final List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param maskedHeaders the source's key header and its secret headers */
    public RequestRecorder(HttpClientConfigurer client, Set<String> maskedHeaders) {
        this.client = client;
        this.masked.addAll(ALWAYS_MASKED);
        this.masked.addAll(maskedHeaders);
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        client.configureHttpClient(builder);
        // last: after the key, the token and the static headers were set
        builder.addRequestInterceptorLast((request, entity, context) -> last = record(request));
        // every answer, also one the client handled itself (a 401 before a token renewal and the retry)
        builder.addResponseInterceptorLast((response, entity, context) -> answers.add(response.getCode()
                + (response.getReasonPhrase() == null || response.getReasonPhrase().isBlank() ? "" : " " + response.getReasonPhrase())));
    }

    /** Every answer's status line, in order: more than one when the client answered a 401 by renewing its token and asking again. */
    public List<String> answers() {
        return List.copyOf(answers);
    }

    /** The last request sent through this client, or null when none went out. */
    public Sent last() {
        return last;
    }

    private Sent record(HttpRequest request) {
        String target;
        try {
            target = request.getUri().toString();
        } catch (java.net.URISyntaxException e) {
            target = request.getRequestUri();
        }
        List<String> headers = new ArrayList<>();
        for (Header h : request.getHeaders()) headers.add(h.getName() + ": " + shown(h.getName(), h.getValue()));
        return new Sent(Secrets.scrub(request.getMethod() + " " + target), headers);
    }

    /** A credential keeps only its scheme ("Bearer ****"); anything else is scrubbed of known secrets. */
    private String shown(String name, String value) {
        if (!masked.contains(name)) return Secrets.scrub(value);
        int space = value.indexOf(' ');
        String scheme = space > 0 ? value.substring(0, space) : "";
        return scheme.matches("[A-Za-z][A-Za-z0-9-]{0,19}") ? scheme + " " + Secrets.MASK : Secrets.MASK;
    }

    @Override
    public String toString() {
        return client.toString();
    }
}
