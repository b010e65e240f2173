package io.leadpipe.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A leads API on loopback with quota windows of its own (fixed, starting at any offset, or rolling) and a
 * vendor's way of announcing them, written by each test from the vendor's documentation. It counts the
 * requests that arrived while a window it had announced as spent (remaining 0, or a "slow down" answer)
 * was still spent — the number every quota test wants to be 0.
 */
public final class QuotaFake implements AutoCloseable {

    /** What the server tells the client about its windows, on every answer. */
    public interface Announce {
        void headers(Headers h, List<QuotaWindow> windows, long now);
    }

    /** The answer when a window is spent (429, 403 with headers, a vendor's error body). */
    public interface Refuse {
        void send(HttpExchange ex, QuotaWindow spent, long now) throws IOException;
    }

    final List<QuotaWindow> windows;
    public final int leads;
    private final Announce announce;
    private final Refuse refuse;
    private final FakeApi api;
    /**
     * A limit hit by request number, whatever the timing (a secondary limit, another client's burst): these
     * requests are refused, and the window counts as spent until {@link #burstUntil} says.
     */
    public volatile Set<Integer> burstAt = Set.of();
    public volatile java.util.function.LongUnaryOperator burstUntil = now -> now + 1000;

    /** False when the headers do not show the window (another client spends it, a limit never announced): only a refusal announces it. */
    public volatile boolean headersShowTheWindows = true;

    private int requests;
    private int refused;
    private int sentIntoAnnouncedSpent;
    private long announcedSpentUntil = Long.MIN_VALUE;
    /** Per answer, in order: when it was sent, and the lowest remaining it announced (-1 for a refusal). */
    private final List<long[]> answers = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();

    public QuotaFake(int leads, List<QuotaWindow> windows, Announce announce, Refuse refuse) throws IOException {
        this.leads = leads;
        this.windows = windows;
        this.announce = announce;
        this.refuse = refuse;
        this.api = new FakeApi((ex, n) -> handle(ex));
    }

    public QuotaFake serve(TestWorkspace ws) {
        api.serve(ws);
        return this;
    }

    String url() {
        return api.url();
    }

    private void handle(HttpExchange ex) throws IOException {
        long now;
        QuotaWindow spent = null;
        long lowest = Long.MAX_VALUE;
        int offset = 0;
        int limit = 100;
        for (String kv : String.valueOf(ex.getRequestURI().getRawQuery()).split("&")) {
            if (kv.startsWith("cursor=")) offset = Integer.parseInt(kv.substring(7));
            if (kv.startsWith("limit=")) limit = Integer.parseInt(kv.substring(6));
        }
        synchronized (this) {
            now = System.currentTimeMillis();
            requests++;
            arrivals.add(now);
            if (now < announcedSpentUntil) sentIntoAnnouncedSpent++;
            for (QuotaWindow w : windows) if (w.remaining(now) == 0 && spent == null) spent = w;
            if (spent == null && burstAt.contains(requests)) {
                long until = burstUntil.applyAsLong(now);
                spent = QuotaWindow.fixed("burst", 0, Math.max(1, until - now), Math.floorMod(now, Math.max(1, until - now)));
            }
            if (spent == null) {
                for (QuotaWindow w : windows) w.count(now);
            } else {
                refused++;
                announcedSpentUntil = Math.max(announcedSpentUntil, spent.resetMillis(now));
                answers.add(new long[] {now, -1});
            }
            if (spent == null) {
                for (QuotaWindow w : windows) {
                    long r = w.remaining(now);
                    lowest = Math.min(lowest, r);
                    if (r == 0 && headersShowTheWindows) announcedSpentUntil = Math.max(announcedSpentUntil, w.resetMillis(now));
                }
                answers.add(new long[] {now, lowest});
            }
            announce.headers(ex.getResponseHeaders(), windows, now);
        }
        if (spent != null) {
            refuse.send(ex, spent, now);
            return;
        }
        int count = Math.max(0, Math.min(limit, leads - offset));
        String next = offset + count < leads ? "\"" + (offset + count) + "\"" : "null";
        FakeApi.send(ex, 200, "application/json", page(offset, count, next));
    }

    private String page(int from, int count, String next) {
        StringBuilder b = new StringBuilder("{\"data\":[");
        for (int i = from; i < from + count; i++) b.append(i == from ? "" : ",").append("{\"id\":\"").append(idOf(i)).append("\"}");
        return b.append("],\"meta\":{\"next_cursor\":").append(next).append(",\"total\":").append(leads).append("}}").toString();
    }

    static String idOf(int i) {
        return String.format("Q%05d", i);
    }

    public Set<String> allIds() {
        return IntStream.range(0, leads).mapToObj(QuotaFake::idOf).collect(Collectors.toCollection(TreeSet::new));
    }

    public synchronized int requests() {
        return requests;
    }

    public synchronized int refused() {
        return refused;
    }

    /** Requests that arrived while a window the server had announced as spent was still spent. */
    public synchronized int sentIntoAnnouncedSpent() {
        return sentIntoAnnouncedSpent;
    }

    /** Per answer: when it was sent (ms) and the lowest remaining it announced (-1: a refusal). */
    public synchronized List<long[]> answers() {
        return Collections.unmodifiableList(new ArrayList<>(answers));
    }

    public synchronized List<Long> arrivals() {
        return List.copyOf(arrivals);
    }

    @Override
    public void close() {
        api.close();
    }
}
