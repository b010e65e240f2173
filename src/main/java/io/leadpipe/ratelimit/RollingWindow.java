package io.leadpipe.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One quota window announced without a reset time, as the governor keeps it: what the last answer said
 * was left, minus what we sent since, plus what of ours has left the window since, never more than the limit
 * less ours still in it (a request counts
 * until the window's length after its answer — the API counted it before answering — or, not answered yet,
 * after its permit and the measured transit). At the floor it waits until the oldest request of ours
 * in the window leaves it — or, with none of ours in it, a whole window after that answer — so it never
 * sends into a window the API said was spent. For a fixed window of unknown start this is safe too:
 * such a window has restarted by then. Not thread-safe: the governor holds its lock.
 */
final class RollingWindow {

    final String name;
    private final Transit transit; // how long after its permit a request of ours may reach the API and be counted (measured)
    private Long limit;
    private Duration length;
    private Long said;             // remaining, as the last answer said
    private Instant saidAt;
    private Instant latestAnswered; // the latest permit an answer came for: an answer to an earlier one is older news
    private long sentSince;        // requests we let through since that answer
    private long leftSince;        // our requests that left the window since that answer
    private final Deque<Ours> ours = new ArrayDeque<>(); // our requests still inside the window, in permit order

    /** One request of ours: when it was let through, and by when the API counted it (its answer; null: not answered yet). */
    private static final class Ours {
        final Instant permit;
        Instant countedBy;

        Ours(Instant permit) {
            this.permit = permit;
        }

        /** When it leaves the window: a length after it was counted, at the latest. */
        Instant leaves(Duration length, Duration transit) {
            return (countedBy != null ? countedBy : permit.plus(transit)).plus(length);
        }
    }

    RollingWindow(String name, Transit transit) {
        this.name = name;
        this.transit = transit;
    }

    /**
     * @param sentBefore when the governor let requests through before this window was first heard of (in order)
     * @param permittedAt the permit of the request this answers (null: not known)
     */
    void observe(QuotaWindows.Reading r, Instant now, Iterable<Instant> sentBefore, Instant permittedAt) {
        if (r.limit() != null) limit = r.limit();
        boolean first = length == null;
        length = r.length();
        if (first) {
            // the requests already in flight when the first answer came are in the API's window too
            Instant cutoff = now.minus(length).minus(transit.margin());
            for (Instant t : sentBefore) if (t.isAfter(cutoff)) ours.addLast(new Ours(t));
        }
        purge(now);
        Ours answered = null;
        if (permittedAt != null) {
            // the API counted the request this answers before the answer: it leaves a length after now
            answered = find(permittedAt);
            if (answered != null) answered.countedBy = answered.permit.isAfter(now) ? answered.permit : now;
        } else if (!ours.isEmpty() && ours.peekLast().countedBy == null && ours.peekLast().permit.isBefore(now)) {
            // which request it answers is not known: our latest is counted from the answer on (plus the transit), so a
            // slow first call (connection set-up) cannot make the window look freed too early
            ours.pollLast();
            ours.addLast(new Ours(now));
        }
        boolean freshest = permittedAt != null && (latestAnswered == null || !permittedAt.isBefore(latestAnswered));
        if (freshest) latestAnswered = permittedAt;
        if (r.remaining() == null) return;
        // an answer counts only what reached the API before it: first, no more left than our own count says, else the
        // requests still in flight (several batches at once, answered out of order) are forgotten (a 429 followed)
        Long counted = remaining(now);
        said = counted == null ? r.remaining() : Math.min(r.remaining(), counted);
        // but our count carries forward what an earlier answer said: one counted at the API before a request of ours left
        // the window (and our count) said one too few, and kept it so for good — 7-8 of 9 a window. The answer to our
        // latest request so far, less every request of ours it may not have counted, stands when it says more: it has
        // seen the other clients' requests the earlier answers saw (it reached the API later). An older one may not have
        // (answers overtake each other): it may only lower the count
        if (counted != null && freshest) said = Math.max(said, r.remaining() - mayBeUncounted(answered, permittedAt, now));
        saidAt = now;
        sentSince = 0;
        leftSince = 0;
    }

    void sent(Instant now) {
        if (length == null) return;
        purge(now);
        ours.addLast(new Ours(now));
        // a daily window of a big quota must not hold a day of timestamps: the oldest matter least
        if (limit != null && ours.size() > limit) ours.removeFirst();
        sentSince++;
    }

    /** Our estimate of what is left now, or null while no answer said. */
    Long remaining(Instant now) {
        if (length == null) return null;
        purge(now);
        // a limit no answer counts down (Zoho's credits: documented, never sent): our own requests are the count
        if (said == null) return limit == null ? null : limit - ours.size();
        // a whole window after the answer, everything it counted has left (the limit unknown: ask, and hear it again)
        if (!now.isBefore(saidAt.plus(length))) return limit == null ? null : limit - ours.size();
        // at most the limit less ours still in the window: one of ours leaving frees a slot only if the answer counted it,
        // and the answers of a fixed window that restarted do not (11 of 10 went into one: RateLimitGovernorTest)
        long answered = said - sentSince + leftSince;
        return limit == null ? answered : Math.min(answered, limit - ours.size());
    }

    /** The requests per second the window allows (null: its limit or length not said yet). */
    Double perSecond() {
        if (limit == null || length == null || length.isZero()) return null;
        return limit / (length.toMillis() / 1000.0);
    }

    long effectiveFloor(long floor) {
        return limit == null ? 0 : Math.min(floor, limit / 10);
    }

    /** Null when a request may go now; else the moment the window frees one (plus the transit), always after now. */
    Instant blockedUntil(Instant now, long floor) {
        Long left = remaining(now);
        if (left == null || left > effectiveFloor(floor)) return null;
        Duration margin = transit.margin();
        // counted by ourselves alone (no answer said what is left): ours are all there is
        Instant wholeWindow = saidAt == null ? now : saidAt.plus(length).plus(margin);
        Instant oldestLeaves = ours.isEmpty() ? null : ours.peekFirst().leaves(length, margin);
        Instant until;
        if (!wholeWindow.isAfter(now)) until = oldestLeaves;                    // what the answer counted has left: ours hold it
        else if (limit == null || oldestLeaves == null) until = wholeWindow;    // the limit unknown: the whole window is the only safe time
        else until = oldestLeaves.isBefore(wholeWindow) ? oldestLeaves : wholeWindow;
        // a moment already past would make the governor spin (it did, once the answer's window had passed with ours in it)
        return until != null && until.isAfter(now) ? until : now.plus(length);
    }

    String describe(Instant now, long floor) {
        return remaining(now) + " of " + (limit == null ? "?" : limit) + " requests left in its " + name + " window of "
                + WaitTimes.human(length) + " (floor " + effectiveFloor(floor) + ", no reset time: rolling)";
    }

    /**
     * Our requests in the window that the answer to the one let through at {@code permittedAt} may not have counted: the
     * API counted it somewhere between that permit and now, so only that request itself, and one answered before that
     * permit (it had arrived) and let through less than a length before now (it had not left), are surely in its count.
     */
    private long mayBeUncounted(Ours answered, Instant permittedAt, Instant now) {
        long n = 0;
        for (Ours o : ours) {
            boolean surely = o == answered
                    || (o.countedBy != null && !o.countedBy.isAfter(permittedAt) && o.permit.plus(length).isAfter(now));
            if (!surely) n++;
        }
        return n;
    }

    /** The request of ours let through at {@code permit} and not answered yet (null: none, or it has left). */
    private Ours find(Instant permit) {
        for (java.util.Iterator<Ours> it = ours.descendingIterator(); it.hasNext(); ) {
            Ours o = it.next();
            if (o.permit.isBefore(permit)) return null; // in permit order: it is not here
            if (o.permit.equals(permit) && o.countedBy == null) return o;
        }
        return null;
    }

    private void purge(Instant now) {
        if (length == null) return;
        // the API counted it when it arrived, before its answer (unanswered: up to the transit margin after we let it
        // go): it leaves a length after that. The oldest first: one behind it that left already waits for it
        Duration margin = transit.margin();
        while (!ours.isEmpty() && !ours.peekFirst().leaves(length, margin).isAfter(now)) {
            ours.removeFirst();
            if (said != null) leftSince++;
        }
    }
}
