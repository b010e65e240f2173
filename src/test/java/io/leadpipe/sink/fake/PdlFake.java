package io.leadpipe.sink.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What People Data Labs' enrichment APIs share, as documented (docs.peopledatalabs.com):
 * <ul>
 * <li>{@code GET /v5/{person|company}/enrich?…} with the key in {@code X-Api-Key}; 200 with the record when it matches,
 *     404 {@code {"status":404,"error":{"type":"not_found","message":…}}} when nothing does; charged per match
 *     (Reference - Person Enrichment API: https://docs.peopledatalabs.com/docs/reference-person-enrichment-api;
 *     Quickstart - Company Enrichment API: https://docs.peopledatalabs.com/docs/quickstart-company-enrichment-api).</li>
 * <li>A fixed window per key and endpoint (100 or 1,000 a minute by plan): every answer carries {@code x-ratelimit-limit} and
 *     {@code x-ratelimit-remaining} as one count per period, {@code {'minute': 1000, 'day': None, 'month': None}},
 *     {@code x-ratelimit-reset} as a UTC timestamp, and {@code x-totallimit-remaining} (credits left); once the minute is
 *     spent, 429 {@code rate_limit_error} until the reset (Usage Limits: https://docs.peopledatalabs.com/docs/usage-limits;
 *     Fix 429 rate limit errors: https://docs.peopledatalabs.com/support/troubleshooting/rate-limit-errors.md).</li>
 * <li>Credits spent: 402 {@code payment_required}; a bad key: 401 {@code authentication_error} (Errors & Status Codes).</li>
 * </ul>
 * Which keys match is fixed by the key itself (about two in three), so a test knows the answers without a table.
 */
public abstract class PdlFake implements AutoCloseable {

    protected static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final String apiKey;
    private final String path;
    private final String param;
    /** Requests a window allows (0 = no limit) and its length; the window starts with its first request, as a fixed one does. */
    public volatile int windowLimit;
    public volatile long windowMillis = 60_000;
    /** Matches left to charge; at 0 every call is a 402. */
    public final AtomicLong credits = new AtomicLong(1_000_000);
    private long windowStart;
    private int inWindow;
    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong overLimit = new AtomicLong();
    private final AtomicLong paymentRequired = new AtomicLong();

    protected PdlFake(String apiKey, String path, String param) throws IOException {
        this.apiKey = apiKey;
        this.path = path;
        this.param = param;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    /** What leadpipe.sink.enrichment.url is set to. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Whether the record for this key exists: about two keys in three. */
    public static boolean known(String key) {
        return Math.floorMod(key.toLowerCase(Locale.ROOT).hashCode(), 3) != 0;
    }

    /** The record PDL would answer for a known key. */
    protected abstract Map<String, Object> record(String key);

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            if (!apiKey.equals(ex.getRequestHeaders().getFirst("X-Api-Key"))) {
                send(ex, 401, error(401, "authentication_error", "Invalid API key"));
                return;
            }
            int remaining;
            boolean allowed;
            long now = System.currentTimeMillis();
            synchronized (this) {
                if (now >= windowStart + windowMillis) {
                    windowStart = now;
                    inWindow = 0;
                }
                allowed = windowLimit == 0 || inWindow < windowLimit;
                if (allowed) inWindow++;
                remaining = windowLimit == 0 ? 1000 : windowLimit - inWindow;
            }
            int limit = windowLimit == 0 ? 1000 : windowLimit;
            ex.getResponseHeaders().set("x-ratelimit-limit", "{'minute': " + limit + ", 'day': None, 'month': None}");
            ex.getResponseHeaders().set("x-ratelimit-remaining", "{'minute': " + remaining + ", 'day': None, 'month': None}");
            ex.getResponseHeaders().set("x-ratelimit-reset", Instant.ofEpochMilli(windowStart + windowMillis).truncatedTo(ChronoUnit.SECONDS).toString());
            ex.getResponseHeaders().set("x-totallimit-remaining", Long.toString(credits.get()));
            if (!allowed) {
                overLimit.incrementAndGet();
                send(ex, 429, error(429, "rate_limit_error", "An error occurred due to requests hitting the API too quickly. Please slow down your request rate."));
                return;
            }
            if (credits.get() <= 0) {
                paymentRequired.incrementAndGet();
                send(ex, 402, error(402, "payment_required", "You have hit your account maximum for this endpoint (all matches used)"));
                return;
            }
            if (!ex.getRequestMethod().equals("GET") || !ex.getRequestURI().getPath().equals(path)) {
                send(ex, 404, error(404, "not_found", "Unknown endpoint"));
                return;
            }
            String key = query(ex.getRequestURI().getRawQuery()).get(param);
            if (key == null || key.isBlank()) {
                send(ex, 400, error(400, "invalid_request_error", "missing " + param));
                return;
            }
            asked.computeIfAbsent(key.toLowerCase(Locale.ROOT), k -> new AtomicInteger()).incrementAndGet();
            if (!known(key)) {
                send(ex, 404, error(404, "not_found", "No records were found matching your request"));
                return;
            }
            credits.decrementAndGet(); // charged per match
            send(ex, 200, record(key.toLowerCase(Locale.ROOT)));
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String p : raw == null ? new String[0] : raw.split("&")) {
            int eq = p.indexOf('=');
            if (eq > 0) q.put(URLDecoder.decode(p.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static Map<String, Object> error(int status, String type, String message) {
        return Map.of("status", status, "error", Map.of("type", type, "message", message));
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** How often each key was asked for (lower case). */
    public Map<String, Integer> askedPerKey() {
        Map<String, Integer> m = new LinkedHashMap<>();
        asked.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long requests() {
        return requests.get();
    }

    /** Requests that arrived in a spent window (answered 429). */
    public long overLimit() {
        return overLimit.get();
    }

    public long paymentRequired() {
        return paymentRequired.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
