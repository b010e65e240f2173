package io.leadpipe.ratelimit;

/**
 * One API key's current quota window as every instance of a cluster sees it (one row of rate_limit_window):
 * the limit and reset the API last announced, the permits the instances together took since the window
 * began, and a 429's pause. Pure: the store reads the row locked, applies one of these, writes the result.
 * Times are epoch milliseconds.
 *
 * @param limit        what the API allows per window (null: no answer has said yet)
 * @param resetAtMs    when the window refills (null: not announced since the last refill)
 * @param taken        permits handed out in this window, raised to what the API says was used
 * @param takenLate    of those, the ones handed out within the margin of the reset: they may reach the API
 *                     after it and count in the next window, so that window starts counting from them
 * @param countedFromMs when the count began (the refill, or the first permit)
 * @param pausedUntilMs a 429's Retry-After: no instance gets a permit before it
 */
public record SharedWindow(Long limit, Long resetAtMs, long taken, long takenLate, Long countedFromMs, Long pausedUntilMs) {

    public static final SharedWindow EMPTY = new SharedWindow(null, null, 0, 0, null, null);

    /** An API that names a limit but never a reset: the count starts again after this long, as a minute window would. */
    static final long UNANNOUNCED_RESET_MS = 60_000;
    /** How long to wait for an answer to name the reset before asking again. */
    static final long POLL_MS = 200;

    /** The outcome of a take: the new row, the permits given (0: wait until {@code waitUntilMs}), and until when they are good. */
    public record Take(SharedWindow next, int permits, long validUntilMs, long waitUntilMs, String reason) {}

    /** The floor in force: never more than a tenth of the limit, as in the governor. */
    long floor(long floor) {
        return limit == null ? floor : Math.min(floor, limit / 10);
    }

    /** Past the reset plus the margin the window has refilled: the count starts again, the new reset comes with the next answer. */
    SharedWindow refilled(long now, long marginMs) {
        boolean announcedRefill = resetAtMs != null && now >= resetAtMs + marginMs;
        boolean silentRefill = resetAtMs == null && countedFromMs != null && now >= countedFromMs + UNANNOUNCED_RESET_MS;
        if (announcedRefill) return new SharedWindow(limit, null, takenLate, 0, now, pausedUntilMs);
        return silentRefill ? new SharedWindow(limit, null, 0, 0, now, pausedUntilMs) : this;
    }

    /**
     * Up to {@code block} permits for one instance, never past the limit less the floor. A permit given
     * within the margin of the reset (either side) could reach the API after the reset and count in the next
     * window: it is counted in this window and again in the next. A block taken before that is good only until
     * then, and unused permits expire with it: handing them back would cost a write for a permit worth nothing
     * a moment later.
     */
    public Take take(int block, long now, long floor, long marginMs) {
        SharedWindow w = refilled(now, marginMs);
        if (w.pausedUntilMs != null && now < w.pausedUntilMs) {
            return new Take(w, 0, 0, w.pausedUntilMs, "a 429's Retry-After (answered to an instance of the cluster) asked for a pause");
        }
        boolean late = w.resetAtMs != null && now >= w.resetAtMs - marginMs;
        long validUntil = w.resetAtMs == null ? now + Math.max(marginMs, POLL_MS) : late ? w.resetAtMs + marginMs : w.resetAtMs - marginMs;
        long countedFrom = w.countedFromMs != null ? w.countedFromMs : now;
        if (w.limit == null) {
            // nothing announced yet: one permit at a time, counted, until the first answer names the limit
            return new Take(new SharedWindow(null, w.resetAtMs, w.taken + 1, w.takenLate + (late ? 1 : 0), countedFrom, w.pausedUntilMs), 1, validUntil, 0, null);
        }
        long allowance = w.limit - w.floor(floor);
        long left = allowance - w.taken;
        if (left <= 0) {
            long until = w.resetAtMs != null ? w.resetAtMs + marginMs : now + POLL_MS;
            return new Take(w, 0, 0, until, w.taken + " of " + w.limit + " requests taken by the cluster (floor " + w.floor(floor) + ")"
                    + (w.resetAtMs != null ? " until its quota resets" : "; waiting for an answer to name the reset"));
        }
        // never more than a tenth of the window in one instance's hands: a block it cannot use in time is lost to the others
        int n = (int) Math.max(1, Math.min(left, Math.min(block, allowance / 10)));
        return new Take(new SharedWindow(w.limit, w.resetAtMs, w.taken + n, w.takenLate + (late ? n : 0), countedFrom, w.pausedUntilMs), n, validUntil, 0, null);
    }

    /**
     * What an answer said: the API's word wins. Within the window the count is raised to what the API says
     * was used (another client of the key, a straggler), never lowered (permits in flight are not in the
     * API's count yet); an answer from a later window starts that window from what it says; an answer from
     * a window already past is ignored.
     */
    public SharedWindow observe(Long saidLimit, Long saidRemaining, Long saidResetMs, long now, long marginMs) {
        SharedWindow w = refilled(now, marginMs);
        Long lim = saidLimit != null ? saidLimit : w.limit;
        if (saidResetMs != null && now >= saidResetMs + marginMs) return new SharedWindow(lim, w.resetAtMs, w.taken, w.takenLate, w.countedFromMs, w.pausedUntilMs);
        Long used = lim != null && saidRemaining != null ? Math.max(0, lim - saidRemaining) : null;
        long countedFrom = w.countedFromMs != null ? w.countedFromMs : now;
        if (saidResetMs != null && w.resetAtMs != null && saidResetMs >= w.resetAtMs + 1000) {
            // the permits given late in the old window may not have reached the API yet
            return new SharedWindow(lim, saidResetMs, Math.max(used != null ? used : 0, w.takenLate), 0, now, w.pausedUntilMs);
        }
        Long reset = saidResetMs == null ? w.resetAtMs : w.resetAtMs == null ? saidResetMs : Math.max(w.resetAtMs, saidResetMs);
        long taken = used == null ? w.taken : Math.max(w.taken, used);
        return new SharedWindow(lim, reset, taken, w.takenLate, countedFrom, w.pausedUntilMs);
    }

    /** A 429: every instance holds until {@code untilMs}; an answer that did not say what is left leaves nothing in this window. */
    public SharedWindow paused(Long untilMs, boolean exhausted, long now, long marginMs) {
        SharedWindow w = refilled(now, marginMs);
        Long until = untilMs == null ? w.pausedUntilMs : w.pausedUntilMs == null ? untilMs : Math.max(w.pausedUntilMs, untilMs);
        long taken = exhausted && w.limit != null ? Math.max(w.taken, w.limit) : w.taken;
        return new SharedWindow(w.limit, w.resetAtMs, taken, w.takenLate, w.countedFromMs != null ? w.countedFromMs : now, until);
    }
}
