package io.leadpipe.auth;

import io.leadpipe.config.ApiKeys;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How one API is authenticated ({@code <prefix>auth} and {@code <prefix>auth.*}, with the api-key settings),
 * checked when read. Holds where each secret is (a variable name or a file), never a secret: those are read
 * by {@link SourceAuthFactory} when it makes the API's credentials.
 *
 * @param api      the source or sink API name (crm, enrichment)
 * @param label    how messages name it: "source 'leads-api'", "sink API 'crm'"
 * @param prefix   leadpipe.source.NAME. or leadpipe.sink.crm.
 */
public record AuthSpec(String api, String label, String prefix, String kind,
                       String apiKeyHeader, String apiKeyPrefix, String apiKeyEnv, String apiKeyFile,
                       String user, Secret password,
                       String tokenUrl, String clientId, Secret clientSecret, boolean clientAuthInBody, String scope,
                       String audience, Map<String, String> extraForm, Secret refreshToken, boolean followInstanceUrl,
                       Duration renewBefore) {

    public static final List<String> KINDS = List.of("api-key", "bearer", "basic", "oauth2-client-credentials", "oauth2-refresh-token");

    /** A secret's whereabouts: {@code <name>-file} (its first line) wins over the variable {@code <name>-env} names. */
    public record Secret(String name, String fileKey, String file, String envKey, String variable) {}

    /** An API's auth; {@code apiKey*} defaults are the role's (a source's X-API-Key, a sink API's Authorization: Bearer). */
    public static AuthSpec read(ApiKeys k, String api, String defaultHeader, String defaultPrefix, String defaultEnv) {
        String kind = k.text("auth").trim().toLowerCase(Locale.ROOT);
        if (!KINDS.contains(kind)) throw k.invalid("auth", kind, "must be one of " + String.join(", ", KINDS));
        String envStem = "LEADPIPE_" + api.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_";
        String user = null;
        if (kind.equals("basic")) {
            user = k.optional("auth.user");
            if (user == null) throw k.missing("auth.user", "uses auth = basic, which needs a user");
            if (user.contains(":")) throw k.invalid("auth.user", user, "a basic-auth user cannot contain ':'");
        }
        boolean oauth = kind.startsWith("oauth2-");
        String tokenUrl = null;
        String clientId = null;
        if (oauth) {
            tokenUrl = k.optional("auth.token-url");
            if (tokenUrl == null) throw k.missing("auth.token-url", "uses OAuth2, which needs the token endpoint");
            if (!tokenUrl.startsWith("http://") && !tokenUrl.startsWith("https://")) throw k.invalid("auth.token-url", tokenUrl, "must start with http:// or https://");
            clientId = k.optional("auth.client-id");
            if (clientId == null) throw k.missing("auth.client-id", "uses OAuth2, which needs a client id");
        }
        String clientAuth = k.text("auth.client-auth").trim().toLowerCase(Locale.ROOT);
        if (!clientAuth.equals("basic") && !clientAuth.equals("body")) throw k.invalid("auth.client-auth", clientAuth, "must be basic or body");
        return new AuthSpec(api, k.label(), k.prefix(), kind,
                k.text("api-key-header", defaultHeader), textOrEmpty(k, "api-key-prefix", defaultPrefix), k.text("api-key-env", defaultEnv), k.optional("api-key-file"),
                user, secret(k, "password", envStem + "PASSWORD"),
                tokenUrl, clientId, secret(k, "client-secret", envStem + "CLIENT_SECRET"), clientAuth.equals("body"), k.optional("auth.scope"),
                k.optional("auth.audience"), extraForm(k), secret(k, "refresh-token", envStem + "REFRESH_TOKEN"), k.flag("auth.follow-instance-url"),
                Duration.ofSeconds(k.number("auth.renew-before-seconds")));
    }

    private static String textOrEmpty(ApiKeys k, String setting, String def) {
        String v = k.textAllowingEmpty(setting, def); // set empty (a sink profile's x-api-token): no prefix, not the default
        return v == null ? "" : v;
    }

    private static Secret secret(ApiKeys k, String name, String defaultVariable) {
        String a = "auth." + name;
        return new Secret(name, k.key(a + "-file"), k.optional(a + "-file"), k.key(a + "-env"), k.text(a + "-env", defaultVariable));
    }

    /** {@code audience=x&resource=https://…}: fields some providers want beside the standard ones. */
    private static Map<String, String> extraForm(ApiKeys k) {
        Map<String, String> fields = new LinkedHashMap<>();
        String v = k.optional("auth.extra-form");
        if (v == null) return fields;
        for (String pair : v.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw k.invalid("auth.extra-form", v, "must be name=value pairs joined by &");
            fields.put(URLDecoder.decode(pair.substring(0, eq).trim(), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        }
        return java.util.Collections.unmodifiableMap(fields);
    }

    /** The settings prefix of the auth.* keys, as messages name them. */
    String authPrefix() {
        return prefix + "auth.";
    }
}
