package io.leadpipe.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.http.AuthRefusedException;
import io.leadpipe.http.ResponseLimits;
import io.leadpipe.http.TokenEndpointUnavailableException;
import io.leadpipe.secrets.Secrets;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One OAuth2 token endpoint (RFC 6749): a form POST with the client's credentials, answering an access
 * token. Unreachable, 429 or 5xx → {@link TokenEndpointUnavailableException} (retried like any transient
 * failure); a refused client or grant → {@link AuthRefusedException} naming the setting to fix. Every token
 * it receives is registered for scrubbing before anything else sees it. Each request is bounded like a page
 * call ({@link ResponseLimits}: one deadline for the whole answer, a body cap, cut short on shutdown).
 */
final class TokenEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a token endpoint answered; refreshToken and instanceUrl only when it sent them, expiresIn null when it did not say. */
    record TokenAnswer(String accessToken, Long expiresInSeconds, String refreshToken, String instanceUrl) {
    }

    private final String api;
    private final String prefix;
    private final URI url;
    private final String clientId;
    private final String clientSecret;
    private final boolean clientAuthInBody;
    private final String basicCredentials;
    private final boolean sendsClient;
    private final String tokenPointer;
    private final Long defaultLifetime;
    private final List<String> instancePointers;
    private final Map<String, String> extraForm;
    private final CloseableHttpClient http;
    private volatile ResponseLimits limits = ResponseLimits.DEFAULTS;

    /**
     * @param spec         the API's auth: token URL, client, where the answer holds the token and the instance host, extra form fields
     * @param clientSecret null for a public client; a JWT bearer grant without one sends no client credentials (RFC 7523 §3.1)
     */
    TokenEndpoint(AuthSpec spec, String clientSecret, Duration connectTimeout, Duration responseTimeout) {
        this.api = spec.label();
        this.prefix = spec.authPrefix();
        this.url = URI.create(spec.tokenUrl());
        this.clientId = spec.clientId();
        this.clientSecret = clientSecret;
        this.clientAuthInBody = spec.clientAuthInBody();
        this.sendsClient = !(spec.jwt() != null && clientSecret == null);
        this.basicCredentials = clientAuthInBody || !sendsClient ? null : basicCredentials(clientId, clientSecret);
        this.tokenPointer = spec.tokenPointer();
        this.defaultLifetime = spec.tokenLifetimeSeconds() > 0 ? spec.tokenLifetimeSeconds() : null;
        this.instancePointers = spec.instancePointers();
        this.extraForm = spec.extraForm();
        // HttpClient 5 as for page calls: timeouts per read, and the whole call bounded by the limits' deadline
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout)).setSocketTimeout(Timeout.of(responseTimeout)).build()).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(responseTimeout)).setRedirectsEnabled(false).build())
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement()
                .addExecInterceptorFirst("leadpipe-response-limits", (request, scope, chain) -> limits.execute(request, scope, chain))
                .build();
    }

    /** The deadline and body cap of every call (leadpipe.http.*), as the API's page calls have them. */
    void limits(ResponseLimits limits) {
        this.limits = limits;
    }

    /** What came back: the status and the body (read within the limits). */
    private record Answer(int status, String body) {
    }

    String url() {
        return url.toString();
    }

    /** POSTs grant_type and these fields (and auth.extra-form's); the client's credentials go in the Authorization header or the body. */
    TokenAnswer request(String grantType, Map<String, String> fields, String whatToFix) throws IOException {
        return request(grantType, fields, whatToFix, null);
    }

    /**
     * As above; {@code keepRefreshToken} gets a refresh token in a 200 answer first of all, before anything
     * else is read or checked: a rotating provider has already spent the old one, so the new one is stored
     * even when the rest of the answer fails.
     */
    TokenAnswer request(String grantType, Map<String, String> fields, String whatToFix, java.util.function.Consumer<String> keepRefreshToken) throws IOException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", grantType);
        Map<String, String> all = new LinkedHashMap<>(extraForm);
        all.putAll(fields);
        all.forEach((k, v) -> {
            if (v != null && !v.isBlank()) form.put(k, v);
        });
        HttpPost post = new HttpPost(url);
        if (sendsClient && clientAuthInBody) {
            form.put("client_id", clientId);
            if (clientSecret != null) form.put("client_secret", clientSecret);
        } else if (sendsClient) {
            post.setHeader("Authorization", "Basic " + basicCredentials);
        }
        String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
        post.setEntity(new StringEntity(body, ContentType.create("application/x-www-form-urlencoded")));
        return exchange(post, whatToFix, keepRefreshToken);
    }

    /** A provider that takes the signed assertion as a bearer header on an empty POST (ZoomInfo's /authenticate), not as a form field. */
    TokenAnswer requestWithBearer(String assertion, String whatToFix) throws IOException {
        HttpPost post = new HttpPost(url);
        post.setHeader("Authorization", "Bearer " + assertion);
        return exchange(post, whatToFix, null);
    }

    private TokenAnswer exchange(HttpPost post, String whatToFix, java.util.function.Consumer<String> keepRefreshToken) throws IOException {
        post.setHeader("Accept", "application/json");
        Answer response;
        try {
            response = http.execute(post, r -> new Answer(r.getCode(), r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new TokenEndpointUnavailableException(api + ": the token endpoint " + url + " (" + prefix + "token-url) cannot be reached or did not answer: "
                    + Secrets.rootCauseLine(e), e);
        }
        int status = response.status();
        JsonNode answer = parse(response.body());
        if (status == 429 || status >= 500) {
            throw new TokenEndpointUnavailableException(api + ": the token endpoint " + url + " answered HTTP " + status, null);
        }
        String refresh = status == 200 ? text(answer, "/refresh_token") : null;
        if (refresh != null && keepRefreshToken != null) keepRefreshToken.accept(refresh); // nothing is logged before: registered next
        Secrets.register(refresh);
        String access = status == 200 ? text(answer, tokenPointer) : null;
        Secrets.register(access);
        // an OAuth error is a refusal whatever the status: Zoho answers HTTP 200 {"error":"invalid_code"}
        if (status != 200 || access == null && text(answer, "/error") != null) throw refused(status, answer, response.body(), whatToFix);
        if (access == null) {
            throw new AuthRefusedException(api + ": the token endpoint " + url + " answered HTTP 200 without an access token at " + tokenPointer
                    + " (it said: " + said(answer, response.body()) + ") — check " + prefix + "token-url and " + prefix + "token-pointer");
        }
        JsonNode expires = answer.get("expires_in");
        Long expiresIn = expires != null && (expires.isNumber() || expires.isTextual() && expires.asText().matches("\\d+")) ? Long.valueOf(expires.asLong()) : defaultLifetime;
        String instance = null;
        for (String pointer : instancePointers) if (instance == null) instance = text(answer, pointer);
        return new TokenAnswer(access, expiresIn, refresh, instance);
    }

    private static String said(JsonNode answer, String body) {
        String words = io.leadpipe.http.ProviderWords.of(answer != null && answer.isObject() && answer.has("error") ? body : null, null);
        if (words != null) return words;
        if (answer != null && answer.isObject()) return "fields " + String.join(", ", (Iterable<String>) answer::fieldNames); // names only: values may be secrets
        return body == null || body.isBlank() ? "an empty body" : "a body that is not a JSON object";
    }

    /** invalid_client and friends name the client settings; invalid_grant (invalid_code) names what the caller says to fix. */
    private AuthRefusedException refused(int status, JsonNode answer, String body, String whatToFix) {
        String error = text(answer, "/error");
        String words = io.leadpipe.http.ProviderWords.of(body, null);
        String fix = switch (error == null ? "" : error) {
            case "invalid_client", "unauthorized_client" -> "check " + prefix + "client-id and the client secret (" + prefix
                    + "client-secret-env or " + prefix + "client-secret-file)";
            case "invalid_grant", "invalid_code", "invalid_token" -> whatToFix;
            case "invalid_scope" -> "check " + prefix + "scope";
            default -> "check " + prefix + "token-url, " + prefix + "client-id and the grant's settings (" + whatToFix + ")";
        };
        return new AuthRefusedException(api + ": the token endpoint refused the request (HTTP " + status
                + (words == null ? "" : "; it said " + words) + ") — " + fix);
    }

    /**
     * RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. Both the
     * pair and its base64 are secrets from here on: an endpoint that echoes the request shows the header.
     */
    private static String basicCredentials(String clientId, String clientSecret) {
        String pair = encode(clientId) + ":" + encode(clientSecret == null ? "" : clientSecret);
        String credentials = Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        Secrets.register(pair);
        Secrets.register(credentials);
        return credentials;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String text(JsonNode node, String pointer) {
        if (node == null || !node.isObject()) return null;
        JsonNode v = node.at(pointer);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
