package io.leadpipe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CRM and enrichment APIs of the bundled simulator, in the style of a CRM batch-upsert API:
 * {@code POST /crm/v3/objects/contacts/batch/upsert} (≤ 100 inputs, an id property, per-record errors
 * in a 207 answer), {@code POST /crm/v3/objects/contacts/batch/read}, and {@code GET /v1/enrich?domain=}
 * (404 = nothing known). Each has its own key and fixed-window quota. It stores what it received and
 * counts upserts per id, so tests can prove nothing was delivered twice.
 */
public final class CrmSimulator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SimulatorConfig config;
    private final FixedWindowQuota crmQuota;
    private final FixedWindowQuota enrichQuota;
    private final Map<String, Map<String, Object>> contacts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> upsertsPerId = new ConcurrentHashMap<>();
    final AtomicLong crmRequests = new AtomicLong();
    final AtomicLong crmRejected = new AtomicLong();
    final AtomicLong crmUnavailable = new AtomicLong();
    final AtomicLong enrichRequests = new AtomicLong();
    final AtomicLong crmOverLimit = new AtomicLong();
    private final AtomicInteger crmInFlight = new AtomicInteger();
    private final AtomicInteger crmMaxInFlight = new AtomicInteger();
    private final java.util.Queue<Long> crmServedAt = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final OAuthServer oauth;

    CrmSimulator(SimulatorConfig config, OAuthServer oauth) {
        this.config = config;
        this.oauth = oauth;
        this.crmQuota = new FixedWindowQuota(config.crmRateLimit, config.crmRateWindowMillis);
        this.enrichQuota = new FixedWindowQuota(config.enrichRateLimit, config.enrichRateWindowMillis);
    }

    /** The contacts the CRM holds, by id (e-mail). */
    public Map<String, Map<String, Object>> contacts() {
        return Map.copyOf(contacts);
    }

    /** How many times each id was upserted. */
    public Map<String, Integer> upsertsPerId() {
        Map<String, Integer> m = new LinkedHashMap<>();
        upsertsPerId.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long crmRequests() { return crmRequests.get(); }
    public long crmUnavailable() { return crmUnavailable.get(); }
    public long enrichRequests() { return enrichRequests.get(); }
    /** CRM requests refused with a 429 because the window's limit was reached: a client that paces right sends none. */
    public long crmOverLimit() { return crmOverLimit.get(); }
    /** The most CRM requests being handled at one time. */
    public int crmMaxInFlight() { return crmMaxInFlight.get(); }
    /** Calls the CRM is serving now (a killed caller's call is still carried out, as a real CRM's would be). */
    public int crmInFlight() { return crmInFlight.get(); }
    /** When each CRM request the quota let through arrived (epoch millis), for utilisation per window. */
    public List<Long> crmServedAt() { return List.copyOf(crmServedAt); }

    /** The CRM refuses this e-mail address (its own validation), deterministically. */
    boolean rejects(String email) {
        return config.crmRejectEvery > 0 && Math.floorMod(email.hashCode(), config.crmRejectEvery) == 0;
    }

    void handleCrm(HttpExchange ex) throws IOException {
        crmMaxInFlight.accumulateAndGet(crmInFlight.incrementAndGet(), Math::max);
        try (ex) {
            crmRequests.incrementAndGet();
            if (!authorized(ex, config.crmApiKey)) {
                send(ex, 401, Map.of("status", "error", "message", "invalid or missing bearer token"));
                return;
            }
            long arrived = System.currentTimeMillis();
            if (!quotaAllows(ex, crmQuota, Map.of("status", "error", "message", "rate limit"))) {
                crmOverLimit.incrementAndGet();
                return;
            }
            crmServedAt.add(arrived);
            if (config.crmDown) {
                crmUnavailable.incrementAndGet();
                send(ex, 503, Map.of("status", "error", "message", "CRM temporarily unavailable"));
                return;
            }
            if (config.crmLatencyMillis > 0) Thread.sleep(config.crmLatencyMillis);
            JsonNode body = JSON.readTree(ex.getRequestBody());
            String path = ex.getRequestURI().getPath();
            if (path.endsWith("/batch/upsert")) upsert(ex, body);
            else if (path.endsWith("/batch/read")) read(ex, body);
            else send(ex, 404, Map.of("status", "error", "message", "no such endpoint"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            send(ex, 400, Map.of("status", "error", "message", "unreadable request: " + e.getClass().getSimpleName()));
        } finally {
            crmInFlight.decrementAndGet();
        }
    }

    private void upsert(HttpExchange ex, JsonNode body) throws IOException {
        JsonNode inputs = body.path("inputs");
        if (!inputs.isArray() || inputs.isEmpty() || inputs.size() > 100) {
            send(ex, 400, Map.of("status", "error", "message", "inputs must hold 1 to 100 records"));
            return;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        List<Map<String, Object>> errors = new ArrayList<>();
        synchronized (this) { // one batch is applied atomically
            for (JsonNode in : inputs) {
                String id = in.path("id").asText("");
                @SuppressWarnings("unchecked")
                Map<String, Object> props = JSON.convertValue(in.path("properties"), Map.class);
                if (id.isEmpty() || !id.contains("@") || rejects(id)) {
                    crmRejected.incrementAndGet();
                    errors.add(Map.of("status", "error", "category", "VALIDATION_ERROR",
                            "message", "Property values were not valid: email", "context", Map.of("ids", List.of(id))));
                    continue;
                }
                contacts.put(id, props == null ? Map.of() : props);
                upsertsPerId.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                results.add(Map.of("id", id, "properties", props == null ? Map.of() : props));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", "COMPLETE");
        answer.put("results", results);
        if (!errors.isEmpty()) answer.put("errors", errors);
        send(ex, errors.isEmpty() ? 200 : 207, answer);
    }

    private void read(HttpExchange ex, JsonNode body) throws IOException {
        List<Map<String, Object>> results = new ArrayList<>();
        for (JsonNode in : body.path("inputs")) {
            String id = in.path("id").asText("");
            Map<String, Object> props = contacts.get(id);
            if (props != null) results.add(Map.of("id", id, "properties", props));
        }
        send(ex, 200, Map.of("status", "COMPLETE", "results", results));
    }

    void handleEnrich(HttpExchange ex) throws IOException {
        try (ex) {
            enrichRequests.incrementAndGet();
            if (!authorized(ex, config.enrichApiKey)) {
                send(ex, 401, Map.of("error", "invalid or missing bearer token"));
                return;
            }
            if (!quotaAllows(ex, enrichQuota, Map.of("error", "rate limit"))) return;
            String domain = QueryString.parse(ex.getRequestURI().getRawQuery()).first("domain");
            if (domain == null || domain.isBlank()) {
                send(ex, 400, Map.of("error", "domain is required"));
                return;
            }
            if (config.enrichUnknownEvery > 0 && Math.floorMod(domain.hashCode(), config.enrichUnknownEvery) == 0) {
                send(ex, 404, Map.of("error", "nothing known about " + domain));
                return;
            }
            int h = Math.abs(domain.hashCode());
            Map<String, Object> firmo = new LinkedHashMap<>();
            firmo.put("domain", domain.toLowerCase(Locale.ROOT));
            firmo.put("employees", 10 + h % 5000);
            firmo.put("annual_revenue", (long) (h % 900 + 100) * 100_000L);
            firmo.put("sector", LeadDataset.INDUSTRIES[h % LeadDataset.INDUSTRIES.length]);
            firmo.put("hq_country", LeadDataset.COUNTRIES[(h / 7) % LeadDataset.COUNTRIES.length]);
            send(ex, 200, firmo);
        }
    }

    private boolean authorized(HttpExchange ex, String key) {
        if ("oauth2".equals(config.crmAuth)) return oauth.authorized(ex);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        return auth != null && auth.equals("Bearer " + key);
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        LeadsApiSimulator.send(ex, status, body);
    }

    /** X-RateLimit-* for a fixed-window decision; over the limit also Retry-After and a 429. Returns whether it may go on. */
    private static boolean quotaAllows(HttpExchange ex, FixedWindowQuota quota, Object refusal) throws IOException {
        long now = System.currentTimeMillis();
        FixedWindowQuota.Decision d = quota.acquire(now);
        QuotaHeaders.write(ex.getResponseHeaders(), "x-ratelimit-epoch", d, quota.windowMillis, now);
        if (d.allowed()) return true;
        QuotaHeaders.retryAfter(ex.getResponseHeaders(), "seconds", now, d.resetEpochMillis() - now);
        send(ex, 429, refusal);
        return false;
    }
}
