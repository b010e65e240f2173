package io.leadpipe.simulator;

/**
 * The simulated API's quota: at most {@code limit} requests per fixed window. It also remembers whether a
 * response in the current window already said "remaining 0", so a 429 after that is counted as avoidable.
 */
final class FixedWindowQuota {

    record Decision(boolean allowed, int limit, int remaining, long resetEpochMillis, boolean avoidable) {}

    final int limit;
    final long windowMillis;
    private long window = Long.MIN_VALUE;
    private int used;
    private boolean zeroAnnounced;

    FixedWindowQuota(int limit, long windowMillis) {
        if (limit < 1) throw new IllegalArgumentException("rate limit must be >= 1, was " + limit);
        if (windowMillis < 1) throw new IllegalArgumentException("rate window must be >= 1 ms, was " + windowMillis);
        this.limit = limit;
        this.windowMillis = windowMillis;
    }

    /** The state a response would report, without using up a request. */
    synchronized Decision peek(long nowMillis) {
        long w = Math.floorDiv(nowMillis, windowMillis);
        int usedNow = w == window ? used : 0;
        return new Decision(usedNow < limit, limit, Math.max(0, limit - usedNow), (w + 1) * windowMillis, false);
    }

    synchronized Decision acquire(long nowMillis) {
        long w = Math.floorDiv(nowMillis, windowMillis);
        if (w != window) {
            window = w;
            used = 0;
            zeroAnnounced = false;
        }
        long reset = (w + 1) * windowMillis;
        if (used >= limit) {
            boolean avoidable = zeroAnnounced;
            zeroAnnounced = true;
            return new Decision(false, limit, 0, reset, avoidable);
        }
        used++;
        int remaining = limit - used;
        if (remaining == 0) zeroAnnounced = true;
        return new Decision(true, limit, remaining, reset, false);
    }
}
