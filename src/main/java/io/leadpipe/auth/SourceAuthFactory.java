package io.leadpipe.auth;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import io.leadpipe.encoding.Sha256;
import io.leadpipe.http.ApiKeyAuth;
import io.leadpipe.http.SourceAuth;
import io.leadpipe.secrets.SealedText;
import io.leadpipe.store.RefreshTokenTable;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns {@code <prefix>auth = api-key | bearer | basic | oauth2-client-credentials | oauth2-refresh-token}
 * and its {@code <prefix>auth.*} settings into the API's {@link SourceAuth} (bean {@code #auth-<api>}).
 * Secrets come from an environment variable or a file, never from a settings value. Everything is checked
 * here, before the database is opened; refresh-token APIs are attached to their table once it is.
 */
public final class SourceAuthFactory {

    public static final List<String> KINDS = List.of("api-key", "bearer", "basic", "oauth2-client-credentials", "oauth2-refresh-token");

    private final Settings settings;
    private final Map<String, String> env;
    private final Map<String, RefreshTokenGrant> refreshGrants = new LinkedHashMap<>();
    private final Map<String, OAuth2Auth> oauth = new LinkedHashMap<>();
    private final Map<String, AccessTokens> followInstanceUrl = new LinkedHashMap<>();

    public SourceAuthFactory(Settings settings, Map<String, String> env) {
        this.settings = settings;
        this.env = env;
    }

    /**
     * @param api      the source or sink API name (crm, enrichment)
     * @param label    how messages name it: "source 'leads-api'", "sink API 'crm'"
     * @param prefix   leadpipe.source.NAME. or leadpipe.sink.crm.
     * @param apiKey   today's api-key settings (header, prefix, env, file), used by api-key and (env, file) by bearer
     */
    public SourceAuth create(String api, String label, String prefix, String apiKeyHeader, String apiKeyPrefix, String apiKeyEnv, String apiKeyFile) {
        String kind = settings.get(prefix + "auth", "api-key").trim().toLowerCase(Locale.ROOT);
        String a = prefix + "auth.";
        String envStem = "LEADPIPE_" + api.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_";
        return switch (kind) {
            case "api-key" -> ApiKeyAuth.resolve(api, apiKeyHeader, apiKeyPrefix, apiKeyEnv, apiKeyFile, env);
            case "bearer" -> ApiKeyAuth.resolve(api, "Authorization", "Bearer", apiKeyEnv, apiKeyFile, env);
            case "basic" -> {
                String user = settings.get(a + "user");
                if (user == null || user.isBlank()) throw new ConfigException(label + ": auth = basic needs a user: set " + a + "user");
                if (user.contains(":")) throw settings.invalid(a + "user", user, "a basic-auth user cannot contain ':'");
                String password = SecretInput.read(settings, label, a, "password", envStem + "PASSWORD", env, true);
                String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                yield new ApiKeyAuth("Authorization", "Basic", credentials);
            }
            case "oauth2-client-credentials", "oauth2-refresh-token" -> oauth2(api, label, a, envStem, kind.equals("oauth2-refresh-token"));
            default -> throw settings.invalid(prefix + "auth", kind, "must be one of " + String.join(", ", KINDS));
        };
    }

    private OAuth2Auth oauth2(String api, String label, String a, String envStem, boolean refresh) {
        String tokenUrl = settings.get(a + "token-url");
        if (tokenUrl == null || tokenUrl.isBlank()) throw new ConfigException(label + ": OAuth2 needs the token endpoint: set " + a + "token-url");
        if (!tokenUrl.startsWith("http://") && !tokenUrl.startsWith("https://")) throw settings.invalid(a + "token-url", tokenUrl, "must start with http:// or https://");
        String clientId = settings.get(a + "client-id");
        if (clientId == null || clientId.isBlank()) throw new ConfigException(label + ": OAuth2 needs a client id: set " + a + "client-id");
        // a public client (refresh token only) may have no secret
        String secret = SecretInput.read(settings, label, a, "client-secret", envStem + "CLIENT_SECRET", env, !refresh);
        String clientAuth = settings.get(a + "client-auth", "basic").trim().toLowerCase(Locale.ROOT);
        if (!clientAuth.equals("basic") && !clientAuth.equals("body")) throw settings.invalid(a + "client-auth", clientAuth, "must be basic or body");
        Duration renewBefore = Duration.ofSeconds(settings.getLong(a + "renew-before-seconds", 60, 0, 86_400));
        TokenEndpoint endpoint = new TokenEndpoint(label, a, tokenUrl, clientId, secret, clientAuth.equals("body"),
                Duration.ofMillis(settings.getInt("camel.component.http.connect-timeout", 5000, 1, Integer.MAX_VALUE)),
                Duration.ofMillis(settings.getInt("camel.component.http.response-timeout", 30000, 1, Integer.MAX_VALUE)));
        String scope = settings.get(a + "scope");
        AccessTokens.Grant grant;
        String identity;
        if (refresh) {
            String seedEnv = settings.get(a + "refresh-token-env", envStem + "REFRESH_TOKEN");
            String seed = SecretInput.read(settings, label, a, "refresh-token", envStem + "REFRESH_TOKEN", env, true);
            RefreshTokenGrant g = new RefreshTokenGrant(api, label, a, endpoint, seed, scope,
                    new SealedText(api + "\n" + clientId + "\n" + (secret == null ? "" : secret)), seedEnv);
            refreshGrants.put(api, g);
            grant = g;
            identity = Sha256.hex("oauth2-refresh\n" + tokenUrl + "\n" + clientId + "\n" + api);
        } else {
            Map<String, String> fields = new LinkedHashMap<>(extraForm(a + "extra-form"));
            fields.put("scope", scope);
            fields.put("audience", settings.get(a + "audience"));
            grant = () -> endpoint.request("client_credentials", fields, "check " + a + "scope, " + a + "audience and " + a + "extra-form");
            identity = Sha256.hex("oauth2-client\n" + tokenUrl + "\n" + clientId);
        }
        AccessTokens tokens = new AccessTokens(label, grant, renewBefore, System::currentTimeMillis);
        if (settings.getBoolean(a + "follow-instance-url", false)) followInstanceUrl.put(api, tokens);
        OAuth2Auth auth = new OAuth2Auth(label, a, tokens, identity);
        oauth.put(api, auth);
        return auth;
    }

    /** {@code audience=x&resource=https://…}: fields some providers want beside the standard ones. */
    private Map<String, String> extraForm(String key) {
        Map<String, String> fields = new LinkedHashMap<>();
        String v = settings.get(key);
        if (v == null || v.isBlank()) return fields;
        for (String pair : v.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw settings.invalid(key, v, "must be name=value pairs joined by &");
            fields.put(java.net.URLDecoder.decode(pair.substring(0, eq).trim(), StandardCharsets.UTF_8),
                    java.net.URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        }
        return fields;
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

    /** Access tokens obtained so far for an OAuth2 API (0 for other kinds). */
    public long tokensObtained(String api) {
        OAuth2Auth o = oauth.get(api);
        return o == null ? 0 : o.tokens().renewals();
    }

    /** Of those, the ones obtained because the API refused the previous token (401). */
    public long tokensObtainedAfterRefusal(String api) {
        OAuth2Auth o = oauth.get(api);
        return o == null ? 0 : o.tokens().renewalsAfterRefusal();
    }
}
