package io.leadpipe.auth;

import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.JsonPointerSyntax;
import io.leadpipe.http.CredentialPlacement;

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
 * by {@link SourceAuthFactory} when it makes the API's credentials. A setting the chosen kind does not use,
 * set by the user, is an error naming the one that applies ({@link AuthSettingsInUse}).
 *
 * @param api              the source or sink API name (crm, enrichment)
 * @param label            how messages name it: "source 'leads-api'", "sink API 'crm'"
 * @param prefix           leadpipe.source.NAME. or leadpipe.sink.crm.
 * @param placement        where the key or token goes on a request (basic: Authorization: Basic)
 * @param instancePointers where the token answer names the host to call (empty: the configured URL's)
 * @param jwt              the assertion of oauth2-jwt-bearer, else null
 */
public record AuthSpec(String api, String label, String prefix, String kind, CredentialPlacement placement,
                       String apiKeyEnv, String apiKeyFile, String user, Secret password,
                       String tokenUrl, String clientId, Secret clientSecret, boolean clientAuthInBody, String scope,
                       String audience, Map<String, String> extraForm, Secret refreshToken, List<String> instancePointers,
                       Duration renewBefore, String tokenPointer, long tokenLifetimeSeconds, Jwt jwt) {

    public static final List<String> KINDS = List.of("api-key", "bearer", "basic", "oauth2-client-credentials", "oauth2-refresh-token",
            "oauth2-jwt-bearer");

    /** A secret's whereabouts: {@code <name>-file} (its first line) wins over the variable {@code <name>-env} names. */
    public record Secret(String name, String fileKey, String file, String envKey, String variable) {}

    /**
     * The JWT bearer grant's assertion (RFC 7523 §2.1, §3): signed RS256 with the private key, its claims from settings.
     *
     * @param inHeader sent as {@code Authorization: Bearer <assertion>} (ZoomInfo) instead of the form's assertion field
     */
    public record Jwt(Secret privateKey, String issuer, String subject, String audience, Map<String, String> claims,
                      Duration lifetime, String keyId, boolean inHeader) {}

    /** An API's auth; {@code apiKey*} defaults are the role's (a source's X-API-Key, a sink API's Authorization: Bearer). */
    public static AuthSpec read(ApiKeys k, String api, String defaultHeader, String defaultPrefix, String defaultEnv) {
        String kind = k.text("auth").trim().toLowerCase(Locale.ROOT);
        if (!KINDS.contains(kind)) throw k.invalid("auth", kind, "must be one of " + String.join(", ", KINDS));
        String envStem = "LEADPIPE_" + api.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_";
        String user = k.optional("auth.user");
        if (kind.equals("basic")) {
            if (user == null) throw k.missing("auth.user", "uses auth = basic, which needs a user");
            if (user.contains(":")) throw k.invalid("auth.user", user, "a basic-auth user cannot contain ':'");
        }
        boolean oauth = kind.startsWith("oauth2-");
        boolean jwtGrant = kind.equals("oauth2-jwt-bearer");
        String tokenUrl = null;
        String clientId = null;
        if (oauth) {
            tokenUrl = k.optional("auth.token-url");
            if (tokenUrl == null) throw k.missing("auth.token-url", "uses OAuth2, which needs the token endpoint");
            if (!tokenUrl.startsWith("http://") && !tokenUrl.startsWith("https://")) throw k.invalid("auth.token-url", tokenUrl, "must start with http:// or https://");
            clientId = k.optional("auth.client-id");
            if (clientId == null && !jwtGrant) throw k.missing("auth.client-id", "uses OAuth2, which needs a client id");
        }
        String clientAuth = k.text("auth.client-auth").trim().toLowerCase(Locale.ROOT);
        if (!clientAuth.equals("basic") && !clientAuth.equals("body")) throw k.invalid("auth.client-auth", clientAuth, "must be basic or body");
        String tokenPointer = k.text("auth.token-pointer");
        String notAPointer = JsonPointerSyntax.problem(tokenPointer);
        if (notAPointer != null) throw k.invalid("auth.token-pointer", tokenPointer, notAPointer);
        AuthSettingsInUse.check(k, kind); // after the values' own checks: a wrong value is named as such first
        return new AuthSpec(api, k.label(), k.prefix(), kind, placement(k, kind, defaultHeader, defaultPrefix),
                k.text("api-key-env", defaultEnv), k.optional("api-key-file"), user, secret(k, "password", envStem + "PASSWORD"),
                tokenUrl, clientId, secret(k, "client-secret", envStem + "CLIENT_SECRET"), clientAuth.equals("body"), k.optional("auth.scope"),
                k.optional("auth.audience"), extraForm(k, "auth.extra-form"), secret(k, "refresh-token", envStem + "REFRESH_TOKEN"), instancePointers(k),
                Duration.ofSeconds(k.number("auth.renew-before-seconds")), tokenPointer, k.number("auth.token-lifetime-seconds"),
                jwtGrant ? jwt(k, clientId, tokenUrl, envStem) : null);
    }

    /** api-key: api-key-header and api-key-prefix; bearer and OAuth2: auth.header and auth.scheme; either: auth.query-param. */
    private static CredentialPlacement placement(ApiKeys k, String kind, String defaultHeader, String defaultPrefix) {
        if (kind.equals("basic")) return CredentialPlacement.header("Authorization", "Basic"); // RFC 7617: nothing to choose
        String query = k.optional("auth.query-param");
        if (query != null) return CredentialPlacement.query(query);
        if (kind.equals("api-key")) return CredentialPlacement.header(k.text("api-key-header", defaultHeader), textOrEmpty(k, "api-key-prefix", defaultPrefix));
        String scheme = k.text("auth.scheme", "Bearer");
        if (scheme.contains(" ")) throw k.invalid("auth.scheme", scheme, "is one word written before the token (Bearer, Zoho-oauthtoken, token) or none");
        return CredentialPlacement.header(k.text("auth.header", "Authorization"), scheme.equalsIgnoreCase("none") ? "" : scheme);
    }

    /** true: Salesforce's instance_url, else Zoho's api_domain; a JSON pointer: that field; false: none. */
    private static List<String> instancePointers(ApiKeys k) {
        String v = k.text("auth.follow-instance-url").trim();
        if (v.equalsIgnoreCase("false")) return List.of();
        if (v.equalsIgnoreCase("true")) return List.of("/instance_url", "/api_domain");
        String notAPointer = JsonPointerSyntax.problem(v);
        if (notAPointer != null) throw k.invalid("auth.follow-instance-url", v, "must be true, false or a JSON pointer into the token answer (/api_domain): " + notAPointer);
        return List.of(v);
    }

    private static Jwt jwt(ApiKeys k, String clientId, String tokenUrl, String envStem) {
        String issuer = k.text("auth.jwt.issuer", clientId);
        if (issuer == null) throw k.missing("auth.jwt.issuer", "uses auth = oauth2-jwt-bearer, whose assertion needs an issuer (iss): set it, or auth.client-id");
        String in = k.text("auth.jwt.assertion-in").trim().toLowerCase(Locale.ROOT);
        if (!in.equals("form") && !in.equals("header")) throw k.invalid("auth.jwt.assertion-in", in, "must be form or header");
        Map<String, String> claims = new LinkedHashMap<>();
        String user = k.optional("auth.user");
        extraForm(k, "auth.jwt.claims").forEach((name, value) -> {
            if (value.contains("{user}") && user == null) throw k.missing("auth.user", "is named by " + k.key("auth.jwt.claims") + " ({user})");
            if (value.contains("{client-id}") && clientId == null) throw k.missing("auth.client-id", "is named by " + k.key("auth.jwt.claims") + " ({client-id})");
            claims.put(name, value.replace("{user}", user == null ? "" : user).replace("{client-id}", clientId == null ? "" : clientId));
        });
        Secret key = secret(k, "private-key", envStem + "PRIVATE_KEY");
        return new Jwt(key, issuer, k.optional("auth.jwt.subject"), k.text("auth.audience", tokenUrl), java.util.Collections.unmodifiableMap(claims),
                Duration.ofSeconds(k.number("auth.jwt.lifetime-seconds")), k.optional("auth.jwt.key-id"), in.equals("header"));
    }

    private static String textOrEmpty(ApiKeys k, String setting, String def) {
        String v = k.textAllowingEmpty(setting, def); // set empty (a sink profile's x-api-token): no prefix, not the default
        return v == null ? "" : v;
    }

    private static Secret secret(ApiKeys k, String name, String defaultVariable) {
        String a = "auth." + name;
        return new Secret(name, k.key(a + "-file"), k.optional(a + "-file"), k.key(a + "-env"), k.text(a + "-env", defaultVariable));
    }

    /** {@code audience=x&resource=https://…}: fields some providers want beside the standard ones (or claims). */
    private static Map<String, String> extraForm(ApiKeys k, String setting) {
        Map<String, String> fields = new LinkedHashMap<>();
        String v = k.optional(setting);
        if (v == null) return fields;
        for (String pair : v.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) throw k.invalid(setting, v, "must be name=value pairs joined by &");
            fields.put(URLDecoder.decode(pair.substring(0, eq).trim(), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        }
        return java.util.Collections.unmodifiableMap(fields);
    }

    /** The settings prefix of the auth.* keys, as messages name them. */
    String authPrefix() {
        return prefix + "auth.";
    }

    /** The header the credential goes in (null when it is a query parameter), for the static-header and probe checks. */
    public String credentialHeader() {
        return placement.header();
    }
}
