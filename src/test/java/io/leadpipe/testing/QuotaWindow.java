package io.leadpipe.testing;

import java.util.ArrayDeque;
import java.util.Deque;

/** One quota window as a fake API keeps it (QuotaFake, VendorFake): fixed on the epoch clock or rolling; shown in headers or not. */
public final class QuotaWindow {
    public final String name;
    public volatile long limit;
    final long lengthMillis;
    final boolean rolling;
    public final long offsetMillis;
    /** Whether the answers' headers show what is left (GitHub's secondary limit and Stripe's do not). */
    final boolean shown;
    private final Deque<Long> counted = new ArrayDeque<>();
    private long fixedStart = Long.MIN_VALUE;
    private long fixedCount;

    private QuotaWindow(String name, long limit, long lengthMillis, boolean rolling, long offsetMillis, boolean shown) {
        this.name = name;
        this.limit = limit;
        this.lengthMillis = lengthMillis;
        this.rolling = rolling;
        this.offsetMillis = offsetMillis;
        this.shown = shown;
    }

    /** Fixed windows on the epoch clock, starting at {@code offsetMillis} past each multiple of the length. */
    public static QuotaWindow fixed(String name, long limit, long lengthMillis, long offsetMillis) {
        return new QuotaWindow(name, limit, lengthMillis, false, offsetMillis, true);
    }

    /** Fixed windows starting at each multiple of the length. */
    public static QuotaWindow fixed(String name, long limit, long lengthMillis) {
        return fixed(name, limit, lengthMillis, 0);
    }

    /** A sliding window: a request counts until lengthMillis after it was made. */
    public static QuotaWindow rolling(String name, long limit, long lengthMillis) {
        return new QuotaWindow(name, limit, lengthMillis, true, 0, true);
    }

    /** A limit the answers do not show (GitHub's secondary limit): only a refusal says it is spent. */
    public static QuotaWindow hidden(String name, long limit, long lengthMillis) {
        return new QuotaWindow(name, limit, lengthMillis, false, 0, false);
    }

    /** A rolling window no header shows (Stripe's per-second limits). */
    public static QuotaWindow hiddenRolling(String name, long limit, long lengthMillis) {
        return new QuotaWindow(name, limit, lengthMillis, true, 0, false);
    }

    private void roll(long now) {
        if (rolling) {
            while (!counted.isEmpty() && counted.peekFirst() <= now - lengthMillis) counted.removeFirst();
        } else {
            long start = Math.floorDiv(now - offsetMillis, lengthMillis) * lengthMillis + offsetMillis;
            if (start != fixedStart) {
                fixedStart = start;
                fixedCount = 0;
            }
        }
    }

    public synchronized long used(long now) {
        roll(now);
        return rolling ? counted.size() : fixedCount;
    }

    public synchronized long remaining(long now) {
        return Math.max(0, limit - used(now));
    }

    /** When the window next frees a request: the fixed window's end, or when the oldest counted request leaves. */
    public synchronized long resetMillis(long now) {
        roll(now);
        if (!rolling) return fixedStart + lengthMillis;
        return counted.isEmpty() ? now : counted.peekFirst() + lengthMillis;
    }

    /** The window refills (a new day), with this limit. */
    public synchronized void refill(long newLimit) {
        counted.clear();
        fixedCount = 0;
        limit = newLimit;
    }

    synchronized void count(long now) {
        roll(now);
        if (rolling) counted.addLast(now);
        else fixedCount++;
    }
}
