package io.leadpipe.auth;

import io.leadpipe.encoding.Sha256;
import io.leadpipe.http.ApiKeyAuth;
import io.leadpipe.http.SourceAuth;
import io.leadpipe.secrets.SealedText;
import io.leadpipe.store.RefreshTokenTable;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns an API's {@link AuthSpec} into its {@link SourceAuth} (bean {@code #auth-<api>}), reading the
 * secrets it names from the environment or files, never from a settings value. Done before the database is
 * opened; refresh-token APIs are attached to their table once it is.
 */
public final class SourceAuthFactory {

    private final Map<String, String> env;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final PublicClientSeal publicClientSeal;
    private final Map<String, RefreshTokenGrant> refreshGrants = new LinkedHashMap<>();
    private final Map<String, AccessTokens> followInstanceUrl = new LinkedHashMap<>();

    /** @param connectTimeout, responseTimeout the token endpoint's, as for every API call (camel.component.http.*) */
    public SourceAuthFactory(Map<String, String> env, Duration connectTimeout, Duration responseTimeout) {
        this(env, connectTimeout, responseTimeout, PublicClientSeal.NONE);
    }

    /** @param publicClientSeal where a public client's (no secret) stored refresh token gets its key */
    public SourceAuthFactory(Map<String, String> env, Duration connectTimeout, Duration responseTimeout, PublicClientSeal publicClientSeal) {
        this.env = env;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        this.publicClientSeal = publicClientSeal;
    }

    public SourceAuth create(AuthSpec spec) {
        String api = spec.api();
        return switch (spec.kind()) {
            case "api-key", "bearer" -> ApiKeyAuth.resolve(spec.label(), spec.prefix() + "api-key-file", spec.placement(), spec.apiKeyEnv(), spec.apiKeyFile(), env);
            case "basic" -> {
                String password = SecretInput.read(spec.password(), spec.label(), env, true);
                String credentials = Base64.getEncoder().encodeToString((spec.user() + ":" + password).getBytes(StandardCharsets.UTF_8));
                yield new ApiKeyAuth(spec.placement(), credentials);
            }
            case "oauth2-client-credentials", "oauth2-refresh-token", "oauth2-jwt-bearer" -> oauth2(spec);
            default -> throw new IllegalStateException("AuthSpec.read lets no other kind through: " + spec.kind());
        };
    }

    private OAuth2Auth oauth2(AuthSpec spec) {
        String api = spec.api();
        String label = spec.label();
        String a = spec.authPrefix();
        boolean refresh = spec.kind().equals("oauth2-refresh-token");
        boolean clientCredentials = spec.kind().equals("oauth2-client-credentials");
        // a public client (refresh token only) may have no secret; a JWT bearer grant needs none, its key signs
        String secret = SecretInput.read(spec.clientSecret(), label, env, clientCredentials);
        TokenEndpoint endpoint = new TokenEndpoint(spec, secret, connectTimeout, responseTimeout);
        AccessTokens.Grant grant;
        String identity;
        if (spec.jwt() != null) {
            grant = new JwtBearerGrant(endpoint, spec, SecretInput.readWhole(spec.jwt().privateKey(), label, env), System::currentTimeMillis);
            identity = Sha256.hex("oauth2-jwt\n" + spec.tokenUrl() + "\n" + spec.jwt().issuer() + "\n" + spec.jwt().subject() + "\n" + spec.jwt().claims());
        } else if (refresh) {
            String seed = SecretInput.read(spec.refreshToken(), label, env, true);
            String clientId = spec.clientId();
            // a public client has no secret to derive the key from (its id is no secret): PublicClientSeal's key,
            // and rows sealed by the id alone (before) are resealed under it
            RefreshTokenGrant g = secret != null
                    ? new RefreshTokenGrant(api, label, a, endpoint, seed, spec.scope(), () -> new SealedText(api + "\n" + clientId + "\n" + secret), null,
                            spec.refreshToken().variable())
                    : new RefreshTokenGrant(api, label, a, endpoint, seed, spec.scope(), publicClientSeal.forClient(label, api, clientId),
                            new SealedText(api + "\n" + clientId + "\n"), spec.refreshToken().variable());
            refreshGrants.put(api, g);
            grant = g;
            identity = Sha256.hex("oauth2-refresh\n" + spec.tokenUrl() + "\n" + spec.clientId() + "\n" + api);
        } else {
            Map<String, String> fields = new LinkedHashMap<>(); // auth.extra-form is added by the endpoint, to every grant
            fields.put("scope", spec.scope());
            fields.put("audience", spec.audience());
            grant = () -> endpoint.request("client_credentials", fields, "check " + a + "scope, " + a + "audience and " + a + "extra-form");
            identity = Sha256.hex("oauth2-client\n" + spec.tokenUrl() + "\n" + spec.clientId());
        }
        AccessTokens tokens = new AccessTokens(label, grant, spec.renewBefore(), System::currentTimeMillis);
        if (!spec.instancePointers().isEmpty()) followInstanceUrl.put(api, tokens);
        return new OAuth2Auth(label, a, tokens, identity, endpoint, spec.placement(), spec.kind());
    }

    /** Whether an API uses refresh tokens, which must be kept in the database (a provider may rotate them). */
    public boolean keepsRefreshTokens() {
        return !refreshGrants.isEmpty();
    }

    /** Once the database is open: each refresh-token API records its configured token (unless recorded before). */
    public void attach(RefreshTokenTable table) {
        refreshGrants.values().forEach(g -> g.attach(table));
    }

    /** The bean that moves calls of APIs with follow-instance-url onto the provider's instance URL. */
    public InstanceUrls instanceUrls() {
        return new InstanceUrls(followInstanceUrl);
    }
}
