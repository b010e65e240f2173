package io.leadpipe.http;

import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.net.URIBuilder;

import java.net.URISyntaxException;

/**
 * Where a credential goes on each request: a header with an optional scheme before it
 * ({@code Authorization: Bearer …}, {@code Authorization: Zoho-oauthtoken …}, {@code X-API-Key: …}), or a
 * query parameter ({@code ?access_token=…}). Applied inside the HTTP client, so Camel never sees it.
 *
 * @param header     the header, or null when the credential is a query parameter
 * @param scheme     written before the credential with one space; empty for none
 * @param queryParam the query parameter, or null when the credential is a header
 */
public record CredentialPlacement(String header, String scheme, String queryParam) {

    public static CredentialPlacement header(String header, String scheme) {
        return new CredentialPlacement(header, scheme == null ? "" : scheme.trim(), null);
    }

    public static CredentialPlacement query(String param) {
        return new CredentialPlacement(null, "", param);
    }

    /** The header's value, or the parameter's, for this credential. */
    public String value(String credential) {
        return scheme.isEmpty() ? credential : scheme + " " + credential;
    }

    public void place(HttpRequest request, String credential) {
        if (queryParam == null) {
            request.setHeader(header, value(credential));
            return;
        }
        try {
            URIBuilder uri = new URIBuilder(request.getUri());
            uri.setParameter(queryParam, credential); // replaces a stale one on a repeated request
            request.setUri(uri.build());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the request's URI cannot take the credential parameter " + queryParam, e);
        }
    }

    /** How messages show it, the credential masked: {@code Authorization: Zoho-oauthtoken ****}, {@code ?access_token=****}. */
    public String describe() {
        return queryParam != null ? "query parameter " + queryParam + "=****" : header + ": " + value("****");
    }
}
