package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.VendorFake;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Zoho's accounts server and CRM API on one loopback port, written from Zoho's documentation:
 * <ul>
 *   <li>refresh (zoho.com/crm/developer/docs/api/v7/refresh.html; zoho.com/bookings/help/api/v1/refreshaccesstoken.html):
 *       POST /oauth/v2/token with grant_type=refresh_token, client_id, client_secret, refresh_token; answers
 *       {"access_token","api_domain","token_type":"Bearer","expires_in":3600}. A wrong client is {"error":"invalid_client"},
 *       a revoked or expired refresh token {"error":"invalid_code"} — both with HTTP 200. Refresh tokens do not rotate.</li>
 *   <li>the API (zoho.com/crm/developer/docs/api/v7/get-records.html, oauth-overview): every request carries
 *       {@code Authorization: Zoho-oauthtoken <access token>}; anything else, or an expired token, is 401
 *       {"code":"INVALID_TOKEN","details":{},"message":"invalid oauth token","status":"error"}. GET /crm/v7/Leads pages
 *       by page_token (info.next_page_token, info.more_records), per_page at most 200.</li>
 * </ul>
 * Tokens live {@code ttlSeconds} here (3,600 at Zoho) so a short pull outlives several.
 */
final class ZohoOAuthFake implements AutoCloseable {

    final String clientId = "1000.ZOHOCLIENT" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
    final String clientSecret = "zcs-" + UUID.randomUUID();
    final String refreshToken = "1000.rt." + UUID.randomUUID();
    final int leads;
    final long ttlSeconds;
    final AtomicInteger tokensIssued = new AtomicInteger();
    final AtomicInteger refusedGrants = new AtomicInteger();
    final AtomicInteger unauthorized = new AtomicInteger();
    final AtomicInteger pagesServed = new AtomicInteger();
    final List<Set<String>> grantFields = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<String> issued = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Long> validUntil = new ConcurrentHashMap<>();
    private final FakeApi server;

    ZohoOAuthFake(int leads, long ttlSeconds) throws IOException {
        this.leads = leads;
        this.ttlSeconds = ttlSeconds;
        this.server = new FakeApi((ex, n) -> {
            if (ex.getRequestURI().getPath().equals("/oauth/v2/token")) token(ex);
            else api(ex);
        });
    }

    String base() {
        return server.url().substring(0, server.url().indexOf("/v1/leads"));
    }

    String tokenUrl() {
        return base() + "/oauth/v2/token";
    }

    static String id(int i) {
        return Long.toString(4_150_868_000_000_100_000L + i);
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = FakeApi.form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String q = ex.getRequestURI().getRawQuery(); // Zoho's own examples put them in the query string
        if (q != null) form.putAll(FakeApi.form(q));
        grantFields.add(Set.copyOf(form.keySet()));
        if (!"POST".equals(ex.getRequestMethod()) || !"refresh_token".equals(form.get("grant_type"))) {
            FakeApi.send(ex, 200, "application/json", "{\"error\":\"unsupported_grant_type\"}");
            return;
        }
        if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            refusedGrants.incrementAndGet();
            FakeApi.send(ex, 200, "application/json", "{\"error\":\"invalid_client\"}");
            return;
        }
        if (!refreshToken.equals(form.get("refresh_token"))) {
            refusedGrants.incrementAndGet();
            FakeApi.send(ex, 200, "application/json", "{\"error\":\"invalid_code\"}");
            return;
        }
        String access = "1000." + UUID.randomUUID().toString().replace("-", "") + "." + tokensIssued.incrementAndGet();
        issued.add(access);
        validUntil.put(access, System.currentTimeMillis() + ttlSeconds * 1000);
        FakeApi.send(ex, 200, "application/json", "{\"access_token\":\"" + access + "\",\"api_domain\":\"" + base()
                + "\",\"token_type\":\"Bearer\",\"expires_in\":" + ttlSeconds + "}");
    }

    private void api(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String token = auth != null && auth.startsWith("Zoho-oauthtoken ") ? auth.substring("Zoho-oauthtoken ".length()) : null;
        Long until = token == null ? null : validUntil.get(token);
        if (until == null || System.currentTimeMillis() >= until) {
            unauthorized.incrementAndGet();
            FakeApi.send(ex, 401, "application/json", "{\"code\":\"INVALID_TOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}");
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/crm/v7/Leads")) {
            FakeApi.send(ex, 404, "application/json", "{\"code\":\"INVALID_URL_PATTERN\",\"message\":\"Please check if the URL trying to access is a correct one\"}");
            return;
        }
        String perPage = VendorFake.param(ex, "per_page");
        int size = perPage == null ? 200 : Integer.parseInt(perPage);
        String pageToken = VendorFake.param(ex, "page_token");
        int from = pageToken == null ? 0 : Integer.parseInt(pageToken.substring(3));
        int to = Math.min(leads, from + size);
        StringBuilder b = new StringBuilder("{\"data\":[");
        for (int i = from; i < to; i++) {
            b.append(i == from ? "" : ",").append("{\"id\":\"").append(id(i)).append("\",\"Last_Name\":\"Lead ").append(i).append("\"}");
        }
        boolean more = to < leads;
        b.append("],\"info\":{\"per_page\":").append(size).append(",\"count\":").append(to - from).append(",\"more_records\":").append(more)
                .append(",\"next_page_token\":").append(more ? "\"pt-" + to + "\"" : "null").append("}}");
        pagesServed.incrementAndGet();
        FakeApi.send(ex, 200, "application/json", b.toString());
    }

    /** Every secret it issued or was given. */
    List<String> secrets() {
        List<String> s = new ArrayList<>(issued);
        s.add(clientSecret);
        s.add(refreshToken);
        return s;
    }

    @Override
    public void close() {
        server.close();
    }
}
