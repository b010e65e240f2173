package io.leadpipe.sink.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every CRM fake shares: a loopback HTTP server, a bearer token, a rolling request window (the
 * vendor's own answer when it is spent comes from the subclass), an optional latency, and the counts a
 * test proves exactly-once with: records held, writes per record, duplicates (two records for one
 * e-mail), records refused, requests, and the share of the allowance used. Vendor behaviour lives in
 * the subclasses, each written from the vendor's documentation (cited there).
 */
public abstract class CrmFake implements AutoCloseable {

    protected static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    /** The server's threads (not daemons): shut down on close, or a harness that returns from main never exits. */
    private final java.util.concurrent.ExecutorService threads = Executors.newFixedThreadPool(8);
    protected final String token;
    public volatile int latencyMillis;
    /**
     * While set, a call waits here after its latency and is carried out once it opens: a test kills the client while
     * calls are held (surely in flight), then opens it, and the CRM finishes what it was given, as a real one would.
     */
    public volatile java.util.concurrent.CountDownLatch hold;
    private final AtomicInteger held = new AtomicInteger();
    /** Requests allowed per window (0 = no limit), and the window. */
    public volatile int windowLimit;
    public volatile long windowMillis = 10_000;
    /** A fixed window (counted from its first request, reset whole) instead of a rolling one. */
    protected volatile boolean fixedWindow;
    private long windowStart;
    /** For a fixed window: how long until it resets, as of the request being answered. */
    protected volatile long windowEndsIn;
    /** Counted calls in flight at most (0 = no cap), from arrival to answer: one more gets {@link #refuseConcurrency}. */
    public volatile int concurrencyLimit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong overConcurrency = new AtomicLong();
    /** The next this-many requests find the window spent (another app of the account used it), whatever the count. */
    public final AtomicInteger spentFor = new AtomicInteger();
    private final Deque<Long> served = new ArrayDeque<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong overLimit = new AtomicLong();
    private final AtomicLong refusedRecords = new AtomicLong();
    private final Map<String, AtomicInteger> writesPerKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> deletesPerKey = new ConcurrentHashMap<>();
    private final AtomicLong deleteRequests = new AtomicLong();
    private final AtomicLong deletesOfGone = new AtomicLong();
    /** The next this-many delete calls take effect, and their answer is lost (the connection closes unanswered). */
    public final AtomicInteger loseDeleteAnswers = new AtomicInteger();
    private final AtomicInteger lostDeleteAnswers = new AtomicInteger();
    private volatile long firstServed;
    private volatile long lastServed;
    private final AtomicLong servedTotal = new AtomicLong();
    /** When each counted request was served (ms): bench/run sink counts them per window. */
    private final java.util.List<Long> servedAt = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    protected CrmFake(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    /** What leadpipe.sink.crm.url is set to for this CRM. */
    public abstract String url();

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Calls that arrived per path, counted before the latency: a test can act while one is in flight. */
    private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();

    /** How many calls to this path arrived (in flight, or answered). */
    public int arrivals(String path) {
        AtomicInteger n = arrivals.get(path);
        return n == null ? 0 : n.get();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            arrivals.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
            if (!authorized(ex)) {
                refuseAuth(ex);
                return;
            }
            if (!counted(ex)) {
                handle(ex, ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery(), body(ex));
                return;
            }
            JsonNode body = body(ex);
            int flying = inFlight.incrementAndGet();
            boolean admitted = false;
            try {
                int cap = concurrencyLimit;
                if ((cap > 0 && flying > cap) || !(admitted = admit(ex.getRequestURI().getPath(), body))) {
                    overConcurrency.incrementAndGet();
                    refuseConcurrency(ex);
                    return;
                }
                serveCounted(ex, body);
            } finally {
                inFlight.decrementAndGet();
                if (admitted) release(ex.getRequestURI().getPath(), body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            send(ex, 500, Map.of("error", String.valueOf(e)));
        }
    }

    /** A counted call within the concurrency caps: the window, the latency, the vendor's handling. */
    private void serveCounted(HttpExchange ex, JsonNode body) throws IOException, InterruptedException {
        long now = System.currentTimeMillis();
        int remaining;
        boolean allowed;
        synchronized (served) {
            if (fixedWindow) {
                if (now >= windowStart + windowMillis) {
                    windowStart = now;
                    served.clear();
                }
                windowEndsIn = windowStart + windowMillis - now;
            }
            while (!fixedWindow && !served.isEmpty() && served.peekFirst() <= now - windowMillis) served.pollFirst();
            allowed = (windowLimit == 0 || served.size() < windowLimit) && spentFor.getAndUpdate(n -> Math.max(0, n - 1)) == 0;
            if (allowed) {
                served.addLast(now);
                if (firstServed == 0) firstServed = now;
                lastServed = now;
                servedTotal.incrementAndGet();
                servedAt.add(now);
            }
            remaining = !allowed ? 0 : windowLimit == 0 ? -1 : windowLimit - served.size();
        }
        quotaHeaders(ex, remaining);
        if (!allowed) {
            overLimit.incrementAndGet();
            refuseQuota(ex);
            return;
        }
        if (latencyMillis > 0) Thread.sleep(latencyMillis);
        java.util.concurrent.CountDownLatch gate = hold;
        if (gate == null) {
            handle(ex, ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery(), body);
            return;
        }
        held.incrementAndGet();
        try {
            gate.await(120, java.util.concurrent.TimeUnit.SECONDS);
            handle(ex, ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery(), body);
        } finally {
            held.decrementAndGet();
        }
    }

    /** Calls waiting at {@link #hold}, or carried out after it opened and not finished yet. */
    public int heldCalls() {
        return held.get();
    }

    /** A call within the overall cap takes a slot of a narrower one (a vendor's per-API cap), or is refused: false, nothing taken. */
    protected boolean admit(String path, JsonNode body) {
        return true;
    }

    /** The call {@link #admit} let in has been answered: its slot is free again. */
    protected void release(String path, JsonNode body) {
    }

    /** The vendor's answer to a call over its concurrency cap (the window's refusal unless the vendor says otherwise). */
    protected void refuseConcurrency(HttpExchange ex) throws IOException {
        refuseQuota(ex);
    }

    /** Calls refused for being over a concurrency cap. */
    public long overConcurrency() {
        return overConcurrency.get();
    }

    /** The request body: JSON parsed, a form as text, or null. */
    private static JsonNode body(HttpExchange ex) throws IOException {
        byte[] raw = ex.getRequestBody().readAllBytes();
        String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
        return raw.length == 0 ? null : type.contains("json") ? JSON.readTree(raw)
                : com.fasterxml.jackson.databind.node.TextNode.valueOf(new String(raw, StandardCharsets.UTF_8));
    }

    /** Whether the request counts against the API's window (a token endpoint is another service's). */
    protected boolean counted(HttpExchange ex) {
        return true;
    }

    protected boolean authorized(HttpExchange ex) {
        return ("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"));
    }

    protected void refuseAuth(HttpExchange ex) throws IOException {
        send(ex, 401, Map.of("message", "invalid token"));
    }

    /** The vendor's quota headers on every answer; remaining -1 = no limit configured. */
    protected abstract void quotaHeaders(HttpExchange ex, int remaining);

    /** The vendor's answer when the window is spent. */
    protected abstract void refuseQuota(HttpExchange ex) throws IOException;

    protected abstract void handle(HttpExchange ex, String method, String path, String rawQuery, JsonNode body) throws IOException;

    /** A record was written (created or updated) under this key. */
    protected void wrote(String key) {
        writesPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    protected void refused() {
        refusedRecords.incrementAndGet();
    }

    /** A delete (or archive) call arrived. */
    protected void deleteCall() {
        deleteRequests.incrementAndGet();
    }

    /** A record was deleted (archived) under this key. */
    protected void deleted(String key) {
        deletesPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    /** A delete named a record that was gone already (a repeated delete: 0 when removals look before they delete). */
    protected void deletedGone() {
        deletesOfGone.incrementAndGet();
    }

    /** After a delete took effect: true when its answer is to be lost (the caller never hears of it). */
    protected boolean loseDeleteAnswer(HttpExchange ex) throws IOException {
        if (loseDeleteAnswers.getAndUpdate(n -> Math.max(0, n - 1)) == 0) return false;
        lostDeleteAnswers.incrementAndGet();
        ex.getResponseBody().close();
        return true;
    }

    /** Deletions per record key: each record deleted once proves exactly-once. */
    public Map<String, Integer> deletesPerKey() {
        Map<String, Integer> m = new LinkedHashMap<>();
        deletesPerKey.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long deleteRequests() {
        return deleteRequests.get();
    }

    public long deletesOfGone() {
        return deletesOfGone.get();
    }

    public int lostDeleteAnswers() {
        return lostDeleteAnswers.get();
    }

    /** Writes per record key (e-mail or external id). */
    public Map<String, Integer> writesPerKey() {
        Map<String, Integer> m = new LinkedHashMap<>();
        writesPerKey.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Records held, by key. */
    public abstract Map<String, Map<String, Object>> records();

    /** Records that share an e-mail with another record (0 for a CRM that upserts by it). */
    public abstract int duplicates();

    public long requests() {
        return requests.get();
    }

    /** When each request the window counted was served (epoch ms), in order. */
    public java.util.List<Long> servedAt() {
        synchronized (servedAt) {
            return java.util.List.copyOf(servedAt);
        }
    }

    public long overLimit() {
        return overLimit.get();
    }

    public long refusedRecords() {
        return refusedRecords.get();
    }

    /** Requests served over what the windows the run spanned allowed (1.0 = every allowed request used). */
    public double allowanceShare() {
        if (windowLimit == 0 || servedTotal.get() == 0) return 0;
        long windows = Math.max(1, (long) Math.ceil((lastServed - firstServed + 1) / (double) windowMillis));
        return servedTotal.get() / (double) (windows * windowLimit);
    }

    /** One line for the note: records, duplicates, refused, requests, 429s, allowance share, and deletions when there were any. */
    public String counts() {
        String deletions = deleteRequests() == 0 ? "" : String.format(", deleted %d (delete calls %d, answers lost %d, repeated deletes %d)",
                deletesPerKey().size(), deleteRequests(), lostDeleteAnswers(), deletesOfGone() + deletesPerKey().values().stream().mapToInt(n -> n - 1).sum());
        return String.format("records %d, duplicates %d, rewrites %d, refused %d, requests %d, over limit %d, over concurrency %d, allowance share %.2f",
                records().size(), duplicates(), writesPerKey().values().stream().mapToInt(n -> n - 1).sum(), refusedRecords(),
                requests(), overLimit(), overConcurrency(), allowanceShare()) + deletions;
    }

    protected static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = (body instanceof String s ? s : JSON.writeValueAsString(body)).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
