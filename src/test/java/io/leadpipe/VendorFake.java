package io.leadpipe;

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
final class VendorFake implements AutoCloseable {

    /** One quota window as the server keeps it; {@code shown}: whether its answers' headers show what is left. */
    static final class Window {
        final String name;
        final long limit;
        final long lengthMillis;
        final boolean rolling;
        final boolean shown;
        private final Deque<Long> counted = new ArrayDeque<>();
        private long fixedStart = Long.MIN_VALUE;
        private long fixedCount;

        private Window(String name, long limit, long lengthMillis, boolean rolling, boolean shown) {
            this.name = name;
            this.limit = limit;
            this.lengthMillis = lengthMillis;
            this.rolling = rolling;
            this.shown = shown;
        }

        /** Fixed windows on the epoch clock (each starts at a multiple of the length). */
        static Window fixed(String name, long limit, long lengthMillis) {
            return new Window(name, limit, lengthMillis, false, true);
        }

        static Window rolling(String name, long limit, long lengthMillis) {
            return new Window(name, limit, lengthMillis, true, true);
        }

        /** A limit the answers do not show (GitHub's secondary limit): only a refusal says it is spent. */
        static Window hidden(String name, long limit, long lengthMillis) {
            return new Window(name, limit, lengthMillis, false, false);
        }

        /** A rolling window no header shows (Stripe's per-second limits). */
        static Window hiddenRolling(String name, long limit, long lengthMillis) {
            return new Window(name, limit, lengthMillis, true, false);
        }

        private void roll(long now) {
            if (rolling) {
                while (!counted.isEmpty() && counted.peekFirst() <= now - lengthMillis) counted.removeFirst();
            } else {
                long start = Math.floorDiv(now, lengthMillis) * lengthMillis;
                if (start != fixedStart) {
                    fixedStart = start;
                    fixedCount = 0;
                }
            }
        }

        synchronized long used(long now) {
            roll(now);
            return rolling ? counted.size() : fixedCount;
        }

        synchronized long remaining(long now) {
            return Math.max(0, limit - used(now));
        }

        /** When the window next frees a request: the fixed window's end, or when the oldest counted request leaves. */
        synchronized long resetMillis(long now) {
            roll(now);
            if (!rolling) return fixedStart + lengthMillis;
            return counted.isEmpty() ? now : counted.peekFirst() + lengthMillis;
        }

        private synchronized void count(long now) {
            roll(now);
            if (rolling) counted.addLast(now);
            else fixedCount++;
        }
    }

    /** The quota headers of an answer (also on a refusal). */
    interface Announce {
        void headers(Headers h, long now);
    }

    /** The vendor's answer when a window is spent. */
    interface Refuse {
        void send(HttpExchange ex, Window spent, long now) throws IOException;
    }

    /** The vendor's page for this request (query in the URI, JSON body for a POST). */
    interface Serve {
        void send(HttpExchange ex, String requestBody) throws IOException;
    }

    /** A pause longer than this between an answer and the next request is counted as a wait of the client. */
    static final long PAUSE_MILLIS = 300;

    private final List<Window> windows;
    private final String authHeader;
    private final String authValue;
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

    VendorFake(List<Window> windows, String authHeader, String authValue, Announce announce, Refuse refuse, Serve serve) throws IOException {
        this.windows = windows;
        this.authHeader = authHeader;
        this.authValue = authValue;
        this.announce = announce;
        this.refuse = refuse;
        this.serve = serve;
        this.api = new FakeApi((ex, n) -> handle(ex));
    }

    /** The fake's base, http://127.0.0.1:PORT, to which a test appends the vendor's path. */
    String base() {
        return api.url().substring(0, api.url().indexOf("/v1/leads"));
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!authValue.equals(ex.getRequestHeaders().getFirst(authHeader))) {
            synchronized (this) {
                unauthorized++;
            }
            FakeApi.send(ex, 401, "application/json", "{\"message\":\"Bad credentials\"}");
            return;
        }
        Window spent = null;
        long now;
        synchronized (this) {
            now = System.currentTimeMillis();
            if (requests == 0) firstArrival = now;
            lastArrival = now;
            requests++;
            if (lastAnswerAt != Long.MIN_VALUE && now - lastAnswerAt > PAUSE_MILLIS) pauses++;
            if (now < announcedSpentUntil) sentIntoAnnouncedSpent++;
            for (Window w : windows) if (spent == null && w.remaining(now) == 0) spent = w;
            if (spent != null) {
                refused++;
                spentSignals++;
                announcedSpentUntil = Math.max(announcedSpentUntil, spent.resetMillis(now));
            } else {
                for (Window w : windows) w.count(now);
                boolean announced = false;
                for (Window w : windows) {
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

    synchronized int requests() {
        return requests;
    }

    /** Answers that said a window was spent (429 or 403). */
    synchronized int refused() {
        return refused;
    }

    synchronized int unauthorized() {
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
    synchronized int spentSignals() {
        return spentSignals;
    }

    /** Requests that arrived while a window the fake had announced as spent (remaining 0, or a refusal) was still spent. */
    synchronized int sentIntoAnnouncedSpent() {
        return sentIntoAnnouncedSpent;
    }

    synchronized long spanMillis() {
        return lastArrival - firstArrival;
    }

    /** One line for the note: requests, spent windows, refusals, pauses. */
    synchronized String summary(String vendor) {
        return String.format("%s: %d requests, %d times a window announced spent (%d of them refusals 429/403), %d pauses > %d ms, "
                + "%d sent into a spent window, %d ms first to last request",
                vendor, requests, spentSignals, refused, pauses, PAUSE_MILLIS, sentIntoAnnouncedSpent, lastArrival - firstArrival);
    }

    /** A query parameter of the request (decoded), or null. */
    static String param(HttpExchange ex, String name) {
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
