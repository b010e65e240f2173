package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.JwtAssertions;
import io.leadpipe.testing.QuotaWindow;
import io.leadpipe.testing.VendorFake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ZoomInfo's Enterprise API on loopback, written from its documentation:
 * <ul>
 *   <li>PKI authentication (api-docs.zoominfo.com "Authentication"; the client ZoomInfo publishes,
 *       github.com/Zoominfo/api-auth-java-client): POST /authenticate, no body, {@code Authorization: Bearer <client JWT>}
 *       — RS256 with the account's key, aud "enterprise_api", iss "api-client@zoominfo.com", claims username and
 *       client_id, iat and exp five minutes apart; the answer {"jwt":"…"} is good for 60 minutes (here {@code ttlMillis}).
 *       /authenticate takes 1 request a second.</li>
 *   <li>POST /search/contact (api-docs.zoominfo.com "Contact Search"): body {"rpp":…,"page":…} (rpp default 25, at most
 *       100 here as in the GTM API's page[size]), answer {"maxResults":N,"totalResults":<on this page>,"currentPage":p,
 *       "data":[{"id":…}]}; {@code Authorization: Bearer <jwt>}, else 401.</li>
 *   <li>Rate limits (docs.zoominfo.com/docs/rate-limits): windows per second, hour and day announced on every answer as
 *       X-RateLimit-Limit-Second / -Remaining-Second (and -Hour, -Day; X-RateLimit-Limit/-Remaining the older per-second
 *       names); spent: 429 {"error":"ZI0004",…} with Retry-After, X-RateLimit-Reset (epoch seconds) and
 *       X-RateLimit-Rejected-Bucket. Here: 4 a second, and an "hour" of 12 requests in 2 seconds.</li>
 * </ul>
 */
final class ZoomInfoFake implements AutoCloseable {

    static final String USERNAME = "ops@example.com";
    final String clientId = "zi-client-" + UUID.randomUUID().toString().substring(0, 8);
    final int contacts;
    final long ttlMillis;
    final QuotaWindow second = QuotaWindow.fixed("second", 4, 1000);
    final QuotaWindow hour = QuotaWindow.rolling("hour", 12, 2000);
    final AtomicInteger authentications = new AtomicInteger();
    final AtomicInteger refusedAuthentications = new AtomicInteger();
    final AtomicInteger authenticateTooFast = new AtomicInteger();
    final List<String> issued = new CopyOnWriteArrayList<>();
    final List<String> assertions = new CopyOnWriteArrayList<>();
    final VendorFake api;
    private final FakeApi auth;
    private final PublicKey key;
    private final Map<String, Long> validUntil = new ConcurrentHashMap<>();
    private final AtomicLong lastAuthenticate = new AtomicLong(Long.MIN_VALUE / 2);
    private final ObjectMapper json = new ObjectMapper();

    ZoomInfoFake(int contacts, long ttlMillis, PublicKey key) throws IOException {
        this.contacts = contacts;
        this.ttlMillis = ttlMillis;
        this.key = key;
        this.auth = new FakeApi((ex, n) -> authenticate(ex));
        this.api = new VendorFake(List.of(second, hour), "Authorization", this::valid, (h, now) -> {
            h.set("X-RateLimit-Limit-Second", Long.toString(second.limit));
            h.set("X-RateLimit-Remaining-Second", Long.toString(second.remaining(now)));
            h.set("X-RateLimit-Limit", Long.toString(second.limit));
            h.set("X-RateLimit-Remaining", Long.toString(second.remaining(now)));
            h.set("X-RateLimit-Limit-Hour", Long.toString(hour.limit));
            h.set("X-RateLimit-Remaining-Hour", Long.toString(hour.remaining(now)));
            h.set("X-RateLimit-Limit-Day", "129600");
            h.set("X-RateLimit-Remaining-Day", "129000");
        }, (ex, spent, now) -> {
            long reset = spent.resetMillis(now);
            ex.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, (reset - now + 999) / 1000)));
            ex.getResponseHeaders().set("X-RateLimit-Reset", Long.toString((reset + 999) / 1000));
            ex.getResponseHeaders().set("X-RateLimit-Rejected-Bucket", spent.name);
            FakeApi.send(ex, 429, "application/json", "{\"error\":\"ZI0004\",\"message\":\"You have exceeded the rate limit for this resource. Please try again later.\"}");
        }, this::search);
    }

    String authenticateUrl() {
        return auth.url().replace("/v1/leads", "/authenticate");
    }

    String searchUrl() {
        return api.base() + "/search/contact";
    }

    static String id(int i) {
        return Long.toString(1_260_398_587L + 7L * i);
    }

    private boolean valid(String authorization) {
        if (!authorization.startsWith("Bearer ")) return false;
        Long until = validUntil.get(authorization.substring(7));
        return until != null && System.currentTimeMillis() < until;
    }

    private void authenticate(HttpExchange ex) throws IOException {
        long now = System.currentTimeMillis();
        if (now - lastAuthenticate.getAndSet(now) < 1000) {
            authenticateTooFast.incrementAndGet();
            FakeApi.send(ex, 429, "application/json", "{\"error\":\"ZI0004\",\"message\":\"You have exceeded the rate limit for this resource.\"}");
            return;
        }
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        String assertion = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : "";
        assertions.add(assertion);
        JsonNode claims = JwtAssertions.verifiedClaims(assertion, key);
        long nowSeconds = now / 1000;
        boolean ok = claims != null && "POST".equals(ex.getRequestMethod())
                && "enterprise_api".equals(claims.path("aud").asText()) && "api-client@zoominfo.com".equals(claims.path("iss").asText())
                && USERNAME.equals(claims.path("username").asText()) && clientId.equals(claims.path("client_id").asText())
                && claims.path("exp").asLong() > nowSeconds && claims.path("iat").asLong() <= nowSeconds + 5
                && claims.path("exp").asLong() - claims.path("iat").asLong() <= 300;
        if (!ok) {
            refusedAuthentications.incrementAndGet();
            FakeApi.send(ex, 401, "application/json", "{\"statusCode\":401,\"error\":\"ZI0001\",\"message\":\"Invalid client JWT\"}");
            return;
        }
        authentications.incrementAndGet();
        String jwt = "eyJ" + UUID.randomUUID().toString().replace("-", "") + "." + authentications.get();
        issued.add(jwt);
        validUntil.put(jwt, now + ttlMillis);
        FakeApi.send(ex, 200, "application/json", "{\"jwt\":\"" + jwt + "\"}");
    }

    private void search(HttpExchange ex, String body) throws IOException {
        if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().equals("/search/contact")) {
            FakeApi.send(ex, 404, "application/json", "{\"error\":\"ZI0404\",\"message\":\"not found\"}");
            return;
        }
        JsonNode q = json.readTree(body.isBlank() ? "{}" : body);
        int rpp = q.path("rpp").asInt(25);
        int page = q.path("page").asInt(1);
        if (rpp < 1 || rpp > 100 || page < 1) {
            FakeApi.send(ex, 400, "application/json", "{\"error\":\"ZI0002\",\"message\":\"rpp must be between 1 and 100\"}");
            return;
        }
        int from = (page - 1) * rpp;
        int to = Math.min(contacts, from + rpp);
        StringBuilder b = new StringBuilder("{\"maxResults\":").append(contacts).append(",\"totalResults\":").append(Math.max(0, to - from))
                .append(",\"currentPage\":").append(page).append(",\"data\":[");
        for (int i = from; i < to; i++) {
            b.append(i == from ? "" : ",").append("{\"id\":").append(id(i)).append(",\"firstName\":\"F").append(i).append("\",\"lastName\":\"L")
                    .append(i).append("\",\"company\":{\"id\":344589814,\"name\":\"Acme\"},\"lastUpdatedDate\":\"2026-10-21T14:05:00Z\"}");
        }
        FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
    }

    @Override
    public void close() {
        api.close();
        auth.close();
    }
}
