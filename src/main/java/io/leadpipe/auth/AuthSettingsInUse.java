package io.leadpipe.auth;

import io.leadpipe.config.ApiKeys;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A setting the chosen auth kind does not read, set by the user (not by a profile or application.properties),
 * stops leadpipe with one line naming the setting that applies — an OAuth2 token's header is auth.header and
 * auth.scheme, not api-key-header, which it would otherwise silently ignore.
 */
final class AuthSettingsInUse {

    private static final List<String> OAUTH = List.of("oauth2-client-credentials", "oauth2-refresh-token", "oauth2-jwt-bearer");
    private static final List<String> TOKEN_KINDS = List.of("bearer", "oauth2-client-credentials", "oauth2-refresh-token", "oauth2-jwt-bearer");

    /** Each setting with the kinds that read it (the secrets' -env and -file alike). */
    private static final Map<String, List<String>> READ_BY = new LinkedHashMap<>();

    static {
        READ_BY.put("api-key-header", List.of("api-key"));
        READ_BY.put("api-key-prefix", List.of("api-key"));
        READ_BY.put("api-key-env", List.of("api-key", "bearer"));
        READ_BY.put("api-key-file", List.of("api-key", "bearer"));
        READ_BY.put("auth.header", TOKEN_KINDS);
        READ_BY.put("auth.scheme", TOKEN_KINDS);
        READ_BY.put("auth.query-param", List.of("api-key", "bearer", "oauth2-client-credentials", "oauth2-refresh-token", "oauth2-jwt-bearer"));
        READ_BY.put("auth.user", List.of("basic", "oauth2-jwt-bearer"));
        for (String s : List.of("auth.password-env", "auth.password-file")) READ_BY.put(s, List.of("basic"));
        for (String s : List.of("auth.token-url", "auth.client-id", "auth.client-secret-env", "auth.client-secret-file", "auth.client-auth",
                "auth.scope", "auth.extra-form", "auth.token-pointer", "auth.token-lifetime-seconds", "auth.follow-instance-url",
                "auth.renew-before-seconds")) {
            READ_BY.put(s, OAUTH);
        }
        READ_BY.put("auth.audience", List.of("oauth2-client-credentials", "oauth2-jwt-bearer"));
        for (String s : List.of("auth.refresh-token-env", "auth.refresh-token-file")) READ_BY.put(s, List.of("oauth2-refresh-token"));
        for (String s : List.of("auth.private-key-file", "auth.private-key-env", "auth.jwt.issuer", "auth.jwt.subject", "auth.jwt.claims",
                "auth.jwt.lifetime-seconds", "auth.jwt.key-id", "auth.jwt.assertion-in")) {
            READ_BY.put(s, List.of("oauth2-jwt-bearer"));
        }
    }

    private AuthSettingsInUse() {
    }

    static void check(ApiKeys k, String kind) {
        for (Map.Entry<String, List<String>> e : READ_BY.entrySet()) {
            String setting = e.getKey();
            if (e.getValue().contains(kind) || !k.setByUser(setting)) continue;
            throw k.invalid(setting, k.textAllowingEmpty(setting, ""), "is not read by auth = " + kind + ": " + instead(k, setting, kind, e.getValue()));
        }
    }

    private static String instead(ApiKeys k, String setting, String kind, List<String> readBy) {
        String p = k.prefix();
        if (kind.equals("basic") && List.of("api-key-header", "api-key-prefix", "auth.header", "auth.scheme", "auth.query-param").contains(setting)) {
            return "basic always sends Authorization: Basic base64(user:password), as RFC 7617 fixes it; for another header or scheme use auth = api-key"
                    + " with " + p + "api-key-header and " + p + "api-key-prefix";
        }
        if (setting.equals("api-key-header")) return "the token's header is " + p + "auth.header (default Authorization)";
        if (setting.equals("api-key-prefix")) return "the token's scheme is " + p + "auth.scheme (default Bearer; Zoho-oauthtoken, token, none)";
        if (kind.equals("api-key") && setting.equals("auth.header")) return "the key's header is " + p + "api-key-header";
        if (kind.equals("api-key") && setting.equals("auth.scheme")) return "the key's scheme is " + p + "api-key-prefix";
        return "it applies to auth = " + String.join(" | ", readBy) + "; remove it or set " + p + "auth to the kind you mean";
    }
}
