package io.leadpipe.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's OAuth2 token endpoint ({@code POST /oauth/token}, RFC 6749 §4.4 and §6) and the check its
 * APIs make of a bearer token. Access tokens expire after {@code oauthTokenTtlSeconds}; refresh tokens
 * rotate on every use when {@code oauthRotateRefreshTokens} (the old one is refused with invalid_grant, as
 * Salesforce, Zoho, Outreach do). Every token it issued is kept, so a test can grep for it.
 */
public final class OAuthServer {

    private final SimulatorConfig config;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> accessTokens = new ConcurrentHashMap<>();
    private volatile String currentRefreshToken;
    private final List<String> issued = java.util.Collections.synchronizedList(new ArrayList<>());
    public final AtomicLong clientCredentialGrants = new AtomicLong();
    public final AtomicLong refreshGrants = new AtomicLong();
    public final AtomicLong refusedGrants = new AtomicLong();
    public final AtomicLong rejectedAccessTokens = new AtomicLong();
    public final AtomicLong accessRevocations = new AtomicLong();
    /** Answered 503 before a grant (a token endpoint that is down for a while). */
    public final AtomicLong unavailableAnswers = new AtomicLong();
    /** The next N token requests are answered 503. */
    public volatile int unavailableFor = 0;
    private volatile String baseUrl = "";

    OAuthServer(SimulatorConfig config) {
        this.config = config;
        this.currentRefreshToken = config.oauthRefreshToken;
    }

    void baseUrl(String url) {
        this.baseUrl = url;
    }

    /** Every access and refresh token issued so far (the initial refresh token included). */
    public List<String> issuedTokens() {
        synchronized (issued) {
            List<String> all = new ArrayList<>(issued);
            if (config.oauthRefreshToken != null) all.add(config.oauthRefreshToken);
            return all;
        }
    }

    public String currentRefreshToken() {
        return currentRefreshToken;
    }

    /** The provider revokes the grant: the current refresh token stops working (the user disconnected the app). */
    public void revokeRefreshToken() {
        currentRefreshToken = null;
    }

    /** Every access token issued so far stops working (a key rotation on the provider's side). */
    public void revokeAccessTokens() {
        accessTokens.clear();
        accessRevocations.incrementAndGet();
    }

    /** The user authorises the app again: this refresh token is the valid one from now on. */
    public void authorise(String refreshToken) {
        synchronized (issued) {
            issued.add(refreshToken);
        }
        currentRefreshToken = refreshToken;
    }

    public long grants() {
        return clientCredentialGrants.get() + refreshGrants.get();
    }

    /** A valid, unexpired bearer token in the Authorization header. */
    boolean authorized(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            rejectedAccessTokens.incrementAndGet();
            return false;
        }
        Long expires = accessTokens.get(auth.substring(7));
        boolean ok = expires != null && expires > System.currentTimeMillis();
        if (!ok) rejectedAccessTokens.incrementAndGet();
        return ok;
    }

    void handleToken(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                LeadsApiSimulator.send(ex, 405, Map.of("error", "invalid_request", "error_description", "use POST"));
                return;
            }
            if (unavailableFor > 0) {
                unavailableFor--;
                unavailableAnswers.incrementAndGet();
                LeadsApiSimulator.send(ex, 503, Map.of("error", "temporarily_unavailable"));
                return;
            }
            Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String[] client = clientCredentials(ex, form);
            if (client == null || !config.oauthClientId.equals(client[0]) || !client[1].equals(config.oauthClientSecret)) {
                refuse(ex, 401, "invalid_client", "client authentication failed");
                return;
            }
            String grant = form.getOrDefault("grant_type", "");
            Map<String, Object> answer = new LinkedHashMap<>();
            switch (grant) {
                case "client_credentials" -> {
                    if (!config.oauthRequiredAudience.isEmpty() && !config.oauthRequiredAudience.equals(form.get("audience"))) {
                        refuse(ex, 400, "invalid_request", "audience must be " + config.oauthRequiredAudience);
                        return;
                    }
                    clientCredentialGrants.incrementAndGet();
                }
                case "refresh_token" -> {
                    synchronized (this) {
                        String given = form.get("refresh_token");
                        if (given == null || currentRefreshToken == null || !currentRefreshToken.equals(given)) {
                            refusedGrants.incrementAndGet();
                            refuse(ex, 400, "invalid_grant", "refresh token is invalid, expired or revoked");
                            return;
                        }
                        refreshGrants.incrementAndGet();
                        if (config.oauthRotateRefreshTokens) {
                            currentRefreshToken = token("rt-");
                            answer.put("refresh_token", currentRefreshToken);
                        }
                    }
                    if (config.oauthInstanceUrl) answer.put("instance_url", baseUrl);
                }
                default -> {
                    refuse(ex, 400, "unsupported_grant_type", "grant_type " + grant);
                    return;
                }
            }
            String access = token("at-");
            accessTokens.put(access, System.currentTimeMillis() + config.oauthTokenTtlSeconds * 1000L);
            answer.put("access_token", access);
            answer.put("token_type", "Bearer");
            answer.put("expires_in", config.oauthTokenTtlSeconds);
            LeadsApiSimulator.send(ex, 200, answer);
        }
    }

    private void refuse(HttpExchange ex, int status, String error, String description) throws IOException {
        if (!"invalid_grant".equals(error)) refusedGrants.incrementAndGet();
        LeadsApiSimulator.send(ex, status, Map.of("error", error, "error_description", description));
    }

    private String token(String prefix) {
        byte[] b = new byte[18];
        random.nextBytes(b);
        String t = prefix + HexFormat.of().formatHex(b);
        issued.add(t);
        return t;
    }

    /** client_secret_basic (the Authorization header) or client_secret_post (form fields). */
    private static String[] clientCredentials(HttpExchange ex, Map<String, String> form) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Basic ")) {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) return null;
            return new String[]{URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                    URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        }
        if (form.containsKey("client_id")) return new String[]{form.get("client_id"), form.getOrDefault("client_secret", "")};
        return null;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }
}
