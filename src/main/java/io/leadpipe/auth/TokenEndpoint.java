package io.leadpipe.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.http.AuthRefusedException;
import io.leadpipe.http.TokenEndpointUnavailableException;
import io.leadpipe.secrets.Secrets;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One OAuth2 token endpoint (RFC 6749): a form POST with the client's credentials, answering an access
 * token. Unreachable, 429 or 5xx → {@link TokenEndpointUnavailableException} (retried like any transient
 * failure); a refused client or grant → {@link AuthRefusedException} naming the setting to fix. Every token
 * it receives is registered for scrubbing before anything else sees it.
 */
final class TokenEndpoint {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DESCRIPTION_SNIPPET = 200;

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
    private final Duration responseTimeout;
    private final HttpClient http;

    TokenEndpoint(String api, String prefix, String url, String clientId, String clientSecret, boolean clientAuthInBody,
                  Duration connectTimeout, Duration responseTimeout) {
        this.api = api;
        this.prefix = prefix;
        this.url = URI.create(url);
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.clientAuthInBody = clientAuthInBody;
        this.basicCredentials = clientAuthInBody ? null : basicCredentials(clientId, clientSecret);
        this.responseTimeout = responseTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    String url() {
        return url.toString();
    }

    /** POSTs grant_type and these fields; the client's credentials go in the Authorization header or the body. */
    TokenAnswer request(String grantType, Map<String, String> fields, String whatToFix) throws IOException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", grantType);
        fields.forEach((k, v) -> {
            if (v != null && !v.isBlank()) form.put(k, v);
        });
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(responseTimeout)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (clientAuthInBody) {
            form.put("client_id", clientId);
            if (clientSecret != null) form.put("client_secret", clientSecret);
        } else {
            request.header("Authorization", "Basic " + basicCredentials);
        }
        String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
        HttpResponse<String> response;
        try {
            response = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenEndpointUnavailableException(api + ": interrupted while asking the token endpoint " + url + " for an access token", e);
        } catch (IOException e) {
            throw new TokenEndpointUnavailableException(api + ": the token endpoint " + url + " (" + prefix + "token-url) cannot be reached: "
                    + Secrets.rootCauseLine(e), e);
        }
        int status = response.statusCode();
        JsonNode answer = parse(response.body());
        if (status == 429 || status >= 500) {
            throw new TokenEndpointUnavailableException(api + ": the token endpoint " + url + " answered HTTP " + status, null);
        }
        if (status != 200) throw refused(status, answer, whatToFix);
        String access = text(answer, "access_token");
        if (access == null) throw new AuthRefusedException(api + ": the token endpoint " + url + " answered without an access_token — check " + prefix + "token-url");
        Secrets.register(access);
        String refresh = text(answer, "refresh_token");
        Secrets.register(refresh);
        JsonNode expires = answer == null ? null : answer.get("expires_in");
        Long expiresIn = expires != null && (expires.isNumber() || expires.isTextual() && expires.asText().matches("\\d+")) ? expires.asLong() : null;
        return new TokenAnswer(access, expiresIn, refresh, text(answer, "instance_url"));
    }

    /** invalid_client and friends name the client settings; invalid_grant names what the caller says to fix. */
    private AuthRefusedException refused(int status, JsonNode answer, String whatToFix) {
        String error = text(answer, "error");
        String description = text(answer, "error_description");
        if (description != null) {
            description = Secrets.scrub(description);
            if (description.length() > DESCRIPTION_SNIPPET) description = description.substring(0, DESCRIPTION_SNIPPET) + "…";
        }
        String fix = switch (error == null ? "" : error) {
            case "invalid_client", "unauthorized_client" -> "check " + prefix + "client-id and the client secret (" + prefix
                    + "client-secret-env or " + prefix + "client-secret-file)";
            case "invalid_grant" -> whatToFix;
            case "invalid_scope" -> "check " + prefix + "scope";
            default -> "check " + prefix + "token-url, " + prefix + "client-id and the grant's settings";
        };
        return new AuthRefusedException(api + ": the token endpoint refused the request (HTTP " + status
                + (error == null ? "" : ", " + error) + (description == null ? "" : ": " + description) + ") — " + fix);
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

    private static String text(JsonNode node, String field) {
        if (node == null || !node.isObject()) return null;
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
