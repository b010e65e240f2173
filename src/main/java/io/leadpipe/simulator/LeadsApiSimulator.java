package io.leadpipe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The bundled leads API: a real HTTP server with cursor pagination, an API key, and a fixed-window quota
 * announced in X-RateLimit-* headers on every response. {@code GET /_sim/stats} reports what it served.
 */
public final class LeadsApiSimulator implements AutoCloseable {

    public static final String LEADS_PATH = "/v1/leads";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimulatorConfig config;
    private final LeadDataset dataset;
    private final FixedWindowQuota quota;
    private final SimulatorStats stats = new SimulatorStats();
    private HttpServer server;
    private ExecutorService workers;

    public LeadsApiSimulator(SimulatorConfig config) {
        this.config = config;
        this.dataset = new LeadDataset(config.leads, config.seed);
        this.quota = new FixedWindowQuota(config.rateLimit, config.rateWindowMillis);
    }

    public LeadsApiSimulator start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(config.host, config.port), 256);
        workers = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "leads-api-sim");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext(LEADS_PATH, this::handleLeads);
        server.createContext("/_sim/stats", this::handleStats);
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Base URL of the leads endpoint, e.g. http://127.0.0.1:41234/v1/leads. */
    public String leadsUrl() {
        return "http://" + config.host + ":" + port() + LEADS_PATH;
    }

    public SimulatorStats stats() {
        return stats;
    }

    public LeadDataset dataset() {
        return dataset;
    }

    public SimulatorConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (server != null) server.stop(0);
        if (workers != null) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void handleLeads(HttpExchange ex) throws IOException {
        try (ex) {
            stats.requests.incrementAndGet();
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, Map.of("error", "use GET"));
                return;
            }
            String key = ex.getRequestHeaders().getFirst(config.apiKeyHeader);
            if (key == null || !key.equals(config.apiKey)) {
                stats.unauthorized.incrementAndGet();
                send(ex, 401, Map.of("error", "invalid or missing API key in header " + config.apiKeyHeader));
                return;
            }
            long now = System.currentTimeMillis();
            FixedWindowQuota.Decision d = quota.acquire(now);
            rateLimitHeaders(ex, d);
            if (!d.allowed()) {
                stats.rateLimited.incrementAndGet();
                if (d.avoidable()) stats.avoidableRateLimited.incrementAndGet();
                long retryAfter = Math.max(1, (d.resetEpochMillis() - now + 999) / 1000);
                ex.getResponseHeaders().set("Retry-After", Long.toString(retryAfter));
                send(ex, 429, Map.of("error", "rate limit exceeded"));
                return;
            }
            serveLeadsPage(ex);
        } catch (RuntimeException e) {
            send(ex, 500, Map.of("error", "simulator error: " + e.getMessage()));
        }
    }

    private void serveLeadsPage(HttpExchange ex) throws IOException {
        QueryString q = QueryString.parse(ex.getRequestURI().getRawQuery());
        int limit;
        try {
            limit = q.first("limit") == null ? config.defaultPageSize : Integer.parseInt(q.first("limit"));
        } catch (NumberFormatException e) {
            stats.badRequests.incrementAndGet();
            send(ex, 400, Map.of("error", "limit must be a whole number"));
            return;
        }
        if (limit < 1 || limit > config.maxPageSize) {
            stats.badRequests.incrementAndGet();
            send(ex, 400, Map.of("error", "limit must be between 1 and " + config.maxPageSize));
            return;
        }
        String cursor = q.first("cursor");
        int after;
        try {
            after = cursor == null || cursor.isEmpty() ? -1 : decodeCursor(cursor);
        } catch (IllegalArgumentException e) {
            stats.badRequests.incrementAndGet();
            send(ex, 400, Map.of("error", "invalid cursor"));
            return;
        }
        LeadFilter filter = LeadFilter.of(q);
        int[] matching = dataset.matching(filter);
        // keyset semantics behind an opaque cursor: the page starts after the last lead already served
        int from = Arrays.binarySearch(matching, after + 1);
        if (from < 0) from = -from - 1;
        int to = Math.min(matching.length, from + limit);
        List<Map<String, Object>> data = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) data.add(dataset.lead(matching[i]));
        String next = to < matching.length ? encodeCursor(matching[to - 1]) : null;

        pause(config.latencyMillis);
        if (after < 0) stats.firstPages.incrementAndGet();
        stats.pageServed(filter.key() + "|" + (cursor == null ? "" : cursor), data.size());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("next_cursor", next);
        meta.put("total", matching.length);
        meta.put("limit", limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", data);
        body.put("meta", meta);
        send(ex, 200, body);
    }

    private void handleStats(HttpExchange ex) throws IOException {
        try (ex) {
            if ("DELETE".equals(ex.getRequestMethod())) stats.reset();
            send(ex, 200, stats.toJson());
        }
    }

    private void rateLimitHeaders(HttpExchange ex, FixedWindowQuota.Decision d) {
        ex.getResponseHeaders().set("X-RateLimit-Limit", Integer.toString(d.limit()));
        ex.getResponseHeaders().set("X-RateLimit-Remaining", Integer.toString(d.remaining()));
        ex.getResponseHeaders().set("X-RateLimit-Reset", Long.toString((d.resetEpochMillis() + 999) / 1000));
    }

    static String encodeCursor(int lastIndex) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("after:" + lastIndex).getBytes(StandardCharsets.UTF_8));
    }

    static int decodeCursor(String cursor) {
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (!raw.startsWith("after:")) throw new IllegalArgumentException("not a cursor");
        try {
            return Integer.parseInt(raw.substring(6));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor", e);
        }
    }

    private static void pause(long millis) {
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
