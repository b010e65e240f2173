package io.leadpipe.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What the simulator served, so tests and benchmarks can assert on requests, re-fetched pages and 429s. */
public final class SimulatorStats {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong pages = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    final AtomicLong avoidableRateLimited = new AtomicLong();
    final AtomicLong unauthorized = new AtomicLong();
    final AtomicLong badRequests = new AtomicLong();
    final AtomicLong firstPages = new AtomicLong();
    final AtomicLong leadsServed = new AtomicLong();
    final AtomicLong injected429 = new AtomicLong();
    final AtomicLong duplicatePagesServed = new AtomicLong();
    final AtomicLong liveInserts = new AtomicLong();
    final AtomicLong liveDeletes = new AtomicLong();
    final AtomicLong serverErrors = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong truncated = new AtomicLong();
    final AtomicLong slowed = new AtomicLong();
    private final Map<String, AtomicInteger> servesPerCursor = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requestsPerCursor = new ConcurrentHashMap<>();
    private final java.util.List<RequestRecord> log = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private static final int LOG_LIMIT = 200_000;

    /** One request as the simulator saw it: when it arrived, for which cursor, and what it was answered. */
    public record RequestRecord(long arrivedMillis, String cursorKey, int status, String retryAfter) {}

    /**
     * One leads request as it came over the wire: method, raw query (as sent, still encoded), body (POST) and
     * request headers (names lower case, first value), for tests about what a client really sends.
     */
    public record WireRequest(String method, String rawQuery, String body, Map<String, String> headers) {}

    private final java.util.List<WireRequest> wire = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private static final int WIRE_LIMIT = 10_000;

    void wire(WireRequest r) {
        if (wire.size() < WIRE_LIMIT) wire.add(r);
    }

    /** The leads requests as sent, in arrival order (the first 10,000). */
    public java.util.List<WireRequest> wireLog() {
        synchronized (wire) {
            return java.util.List.copyOf(wire);
        }
    }

    void requestFor(String cursorKey) {
        requestsPerCursor.computeIfAbsent(cursorKey, k -> new AtomicInteger()).incrementAndGet();
    }

    void record(RequestRecord r) {
        if (log.size() < LOG_LIMIT) log.add(r);
    }

    /** Every request so far, in arrival order (the first 200,000). */
    public java.util.List<RequestRecord> requestLog() {
        synchronized (log) {
            return java.util.List.copyOf(log);
        }
    }

    /** All requests (any answer) per cursor ("" = first page). */
    public Map<String, Integer> requestsPerCursor() {
        Map<String, Integer> m = new TreeMap<>();
        requestsPerCursor.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long serverErrors() { return serverErrors.get(); }
    public long dropped() { return dropped.get(); }
    public long truncated() { return truncated.get(); }
    public long slowed() { return slowed.get(); }
    public long injected429() { return injected429.get(); }
    public long duplicatePagesServed() { return duplicatePagesServed.get(); }
    public long liveInserts() { return liveInserts.get(); }
    public long liveDeletes() { return liveDeletes.get(); }

    void pageServed(String cursorKey, int records) {
        pages.incrementAndGet();
        leadsServed.addAndGet(records);
        servesPerCursor.computeIfAbsent(cursorKey, k -> new AtomicInteger()).incrementAndGet();
    }

    public long requests() { return requests.get(); }

    private final AtomicInteger working = new AtomicInteger();
    private final AtomicInteger mostWorking = new AtomicInteger();

    /** A leads page starts (+1) or ends (-1) its latency: pages the API works on at the same time. */
    void working(int delta) {
        int now = working.addAndGet(delta);
        mostWorking.accumulateAndGet(now, Math::max);
    }

    /** The most leads pages the API worked on at once (requests in flight, as the server saw them). */
    public int mostInFlight() { return mostWorking.get(); }
    public long unauthorized() { return unauthorized.get(); }
    public long pages() { return pages.get(); }
    public long rateLimited() { return rateLimited.get(); }
    public long avoidableRateLimited() { return avoidableRateLimited.get(); }
    public long firstPages() { return firstPages.get(); }

    /** How many times the page behind each cursor was served ("" = the first page of a filter). */
    public Map<String, Integer> servesPerCursor() {
        Map<String, Integer> m = new TreeMap<>();
        servesPerCursor.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Pages served more than once: each extra serve counts (a page served 3 times counts 2). */
    public long pagesServedAgain() {
        return servesPerCursor.values().stream().mapToLong(v -> Math.max(0, v.get() - 1)).sum();
    }

    public void reset() {
        requests.set(0); mostWorking.set(0); pages.set(0); rateLimited.set(0); avoidableRateLimited.set(0);
        unauthorized.set(0); badRequests.set(0); firstPages.set(0); leadsServed.set(0);
        injected429.set(0); duplicatePagesServed.set(0); liveInserts.set(0); liveDeletes.set(0); serverErrors.set(0); dropped.set(0); truncated.set(0); slowed.set(0);
        servesPerCursor.clear();
        requestsPerCursor.clear();
        log.clear();
        wire.clear();
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests.get());
        m.put("mostInFlight", mostWorking.get());
        m.put("pages", pages.get());
        m.put("leadsServed", leadsServed.get());
        m.put("firstPages", firstPages.get());
        m.put("rateLimited", rateLimited.get());
        m.put("avoidableRateLimited", avoidableRateLimited.get());
        m.put("unauthorized", unauthorized.get());
        m.put("badRequests", badRequests.get());
        m.put("injected429", injected429.get());
        m.put("duplicatePagesServed", duplicatePagesServed.get());
        m.put("liveInserts", liveInserts.get());
        m.put("liveDeletes", liveDeletes.get());
        m.put("serverErrors", serverErrors.get());
        m.put("dropped", dropped.get());
        m.put("truncated", truncated.get());
        m.put("slowed", slowed.get());
        m.put("distinctCursors", servesPerCursor.size());
        m.put("pagesServedAgain", pagesServedAgain());
        Map<String, Integer> again = new TreeMap<>();
        servesPerCursor.forEach((k, v) -> { if (v.get() > 1) again.put(k, v.get()); });
        m.put("cursorsServedMoreThanOnce", again);
        return m;
    }
}
