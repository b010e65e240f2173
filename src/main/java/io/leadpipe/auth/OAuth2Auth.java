package io.leadpipe.auth;

import io.leadpipe.http.AuthRefusedException;
import io.leadpipe.http.CredentialPlacement;
import io.leadpipe.http.ProviderWords;
import io.leadpipe.http.ResponseLimits;
import io.leadpipe.http.SourceAuth;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

import java.io.IOException;

/**
 * An OAuth2 bearer token added inside the HTTP client, from the API's shared {@link AccessTokens}. A 401
 * answer renews the token once (or takes the one another job just renewed) and sends the request again;
 * a second 401 fails the call with {@link AuthRefusedException}, which fails the job without a retry.
 */
final class OAuth2Auth implements SourceAuth, ExecChainHandler {

    private static final String TOKEN_USED = "leadpipe.access-token";

    private final String api;
    private final String prefix;
    private final AccessTokens tokens;
    private final String identity;
    private final TokenEndpoint endpoint;
    private final CredentialPlacement placement;
    private final String kind;
    private volatile ResponseLimits limits = ResponseLimits.DEFAULTS;

    OAuth2Auth(String api, String prefix, AccessTokens tokens, String identity, TokenEndpoint endpoint, CredentialPlacement placement, String kind) {
        this.api = api;
        this.prefix = prefix;
        this.tokens = tokens;
        this.identity = identity;
        this.endpoint = endpoint;
        this.placement = placement;
        this.kind = kind;
    }

    AccessTokens tokens() {
        return tokens;
    }

    @Override
    public OAuth2Auth limits(ResponseLimits limits) {
        this.limits = limits;
        endpoint.limits(limits); // the token calls are bounded like the API's own
        return this;
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addRequestInterceptorFirst((request, entity, context) -> {
            String token = tokens.current();
            context.setAttribute(TOKEN_USED, token);
            placement.place(request, token);
        });
        builder.addExecInterceptorFirst("leadpipe-response-limits", limits);
        // inside the deadline: a renewal and the second attempt are bounded with the first
        builder.addExecInterceptorAfter("leadpipe-response-limits", "leadpipe-token-renewal", this);
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain) throws IOException, HttpException {
        ClassicHttpResponse response = chain.proceed(request, scope);
        if (response.getCode() != 401) return response;
        if (request.getEntity() != null && !request.getEntity().isRepeatable()) return response; // cannot be sent twice
        String refused = (String) scope.clientContext.getAttribute(TOKEN_USED);
        String first = saidBy(response);
        response.close();
        tokens.renewAfterRefusal(refused);
        ClassicHttpResponse again = chain.proceed(ClassicRequestBuilder.copy(scope.originalRequest).build(), scope);
        if (again.getCode() != 401) return again;
        String second = saidBy(again);
        again.close();
        String words = second != null ? second : first;
        throw new AuthRefusedException(api + ": the API refused a freshly renewed access token (HTTP 401 twice for "
                + request.getMethod() + " " + request.getPath().replaceAll("\\?.*", "") + (words == null ? "" : "; it said " + words)
                + ") — the token endpoint issued it, the API will not take it: check how it is sent (" + placement.describe() + "; "
                + prefix + "scheme, " + prefix + "header or " + prefix + "query-param — Zoho wants Zoho-oauthtoken, GitHub token), then "
                + prefix + "scope" + (kind.equals("oauth2-client-credentials") ? " and " + prefix + "audience" : "")
                + ", the client's permissions, and that " + prefix + "token-url is this API's");
    }

    /** The provider's words in a refusal (code and message, scrubbed), the body consumed. */
    private static String saidBy(ClassicHttpResponse response) throws IOException {
        String body;
        try {
            body = response.getEntity() == null ? null : EntityUtils.toString(response.getEntity(), java.nio.charset.StandardCharsets.UTF_8, 8192);
        } catch (org.apache.hc.core5.http.ParseException unreadable) {
            body = null;
        }
        org.apache.hc.core5.http.Header challenge = response.getFirstHeader("WWW-Authenticate");
        return ProviderWords.of(body, challenge == null ? null : challenge.getValue());
    }

    @Override
    public String toString() {
        return "OAuth2Auth[" + api + ": " + placement.describe() + "]";
    }
}
