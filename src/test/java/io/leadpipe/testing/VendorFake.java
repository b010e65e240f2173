package io.leadpipe.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A vendor's list API on loopback for the ready-source tests, written from the vendor's documentation
 * (/work/notes/vendors.md): its quota windows (fixed or rolling, lengths shortened to seconds), how it
 * announces them on every answer, how it refuses a request when one is spent, and how it authenticates.
 * It counts requests, refusals (429/403), pauses of the client and — the number that must be 0 — requests
 * that arrived while a window it had announced as spent was still spent.
 */
public final class VendorFake implements AutoCloseable {

    /** The quota headers of an answer (also on a refusal). */
    public interface Announce {
        void headers(Headers h, long now);
    }

    /** The vendor's answer when a window is spent. */
    public interface Refuse {
        void send(HttpExchange ex, QuotaWindow spent, long now) throws IOException;
    }

    /** The vendor's page for this request (query in the URI, JSON body for a POST). */
    public interface Serve {
        void send(HttpExchange ex, String requestBody) throws IOException;
    }

    /** A pause longer than this between an answer and the next request is counted as a wait of the client. */
    static final long PAUSE_MILLIS = 300;

    private final List<QuotaWindow> windows;
    private final String authHeader;
    private final java.util.function.Predicate<String> authAccepts;
    private final Announce announce;
    private final Refuse refuse;
    private final Serve serve;
    private final FakeApi api;

    private int requests;
    private int refused;
    private int unauthorized;
    private int pauses;
    private int spentSignals;
    private int sentIntoAnnouncedSpent;
    private long announcedSpentUntil = Long.MIN_VALUE;
    private long lastAnswerAt = Long.MIN_VALUE;
    private long firstArrival;
    private long lastArrival;

    public VendorFake(List<QuotaWindow> windows, String authHeader, String authValue, Announce announce, Refuse refuse, Serve serve) throws IOException {
        this(windows, authHeader, authValue::equals, announce, refuse, serve);
    }

    /** @param authAccepts whether the auth header's value is a credential the vendor takes now (tokens it issued and has not expired) */
    public VendorFake(List<QuotaWindow> windows, String authHeader, java.util.function.Predicate<String> authAccepts, Announce announce, Refuse refuse,
               Serve serve) throws IOException {
        this.windows = windows;
        this.authHeader = authHeader;
        this.authAccepts = authAccepts;
        this.announce = announce;
        this.refuse = refuse;
        this.serve = serve;
        this.api = new FakeApi((ex, n) -> handle(ex));
    }

    /** The fake's base, http://127.0.0.1:PORT, to which a test appends the vendor's path. */
    public String base() {
        return api.url().substring(0, api.url().indexOf("/v1/leads"));
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String credential = ex.getRequestHeaders().getFirst(authHeader);
        if (credential == null || !authAccepts.test(credential)) {
            synchronized (this) {
                unauthorized++;
            }
            FakeApi.send(ex, 401, "application/json", "{\"message\":\"Bad credentials\"}");
            return;
        }
        QuotaWindow spent = null;
        long now;
        synchronized (this) {
            now = System.currentTimeMillis();
            if (requests == 0) firstArrival = now;
            lastArrival = now;
            requests++;
            if (lastAnswerAt != Long.MIN_VALUE && now - lastAnswerAt > PAUSE_MILLIS) pauses++;
            if (now < announcedSpentUntil) sentIntoAnnouncedSpent++;
            for (QuotaWindow w : windows) if (spent == null && w.remaining(now) == 0) spent = w;
            if (spent != null) {
                refused++;
                spentSignals++;
                announcedSpentUntil = Math.max(announcedSpentUntil, spent.resetMillis(now));
            } else {
                for (QuotaWindow w : windows) w.count(now);
                boolean announced = false;
                for (QuotaWindow w : windows) {
                    if (w.shown && w.remaining(now) == 0) {
                        announcedSpentUntil = Math.max(announcedSpentUntil, w.resetMillis(now));
                        announced = true;
                    }
                }
                if (announced) spentSignals++;
            }
            announce.headers(ex.getResponseHeaders(), now);
        }
        try {
            if (spent != null) refuse.send(ex, spent, now);
            else serve.send(ex, body);
        } finally {
            synchronized (this) {
                lastAnswerAt = System.currentTimeMillis();
            }
        }
    }

    public synchronized int requests() {
        return requests;
    }

    /** Answers that said a window was spent (429 or 403). */
    public synchronized int refused() {
        return refused;
    }

    public synchronized int unauthorized() {
        return unauthorized;
    }

    /** Pauses of more than {@link #PAUSE_MILLIS} between an answer and the client's next request. */
    synchronized int pauses() {
        return pauses;
    }

    /**
     * Answers that said a window was spent — remaining 0 in a shown window, or a refusal: how often the quota
     * was the limit (after each, the client had to wait for the window).
     */
    public synchronized int spentSignals() {
        return spentSignals;
    }

    /** Requests that arrived while a window the fake had announced as spent (remaining 0, or a refusal) was still spent. */
    public synchronized int sentIntoAnnouncedSpent() {
        return sentIntoAnnouncedSpent;
    }

    synchronized long spanMillis() {
        return lastArrival - firstArrival;
    }

    /** One line for the note: requests, spent windows, refusals, pauses. */
    public synchronized String summary(String vendor) {
        return String.format("%s: %d requests, %d times a window announced spent (%d of them refusals 429/403), %d pauses > %d ms, "
                + "%d sent into a spent window, %d ms first to last request",
                vendor, requests, spentSignals, refused, pauses, PAUSE_MILLIS, sentIntoAnnouncedSpent, lastArrival - firstArrival);
    }

    /** A query parameter of the request (decoded), or null. */
    public static String param(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return null;
        for (String kv : q.split("&")) {
            int eq = kv.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(name)) return eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    @Override
    public void close() {
        api.close();
    }
}
