package io.leadpipe.ratelimit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * This instance's side of a key's window shared through the database: permits are taken from the shared
 * row in small blocks (one short locked transaction per block, not per request) and spent here; answers
 * correct the row only when they change what the row last said. While the database cannot be reached no
 * permit is given: requests wait and ask again, backing off, never going out unpaced.
 */
public final class SharedQuota {

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.ratelimit");
    private static final long FIRST_RETRY_MS = 250;
    private static final long LAST_RETRY_MS = 30_000;

    /** No permit now: ask again at {@code until}. {@code unreachableSince}: set while the database cannot be reached. */
    public record Wait(Instant until, String reason, Instant unreachableSince) {}

    private final SharedWindowStore store;
    private final String keySha256;
    private final String name;
    private final int block;
    private final long floor;
    private final long marginMs;

    private int permits;          // the block in hand
    private long validUntilMs;
    private long notBeforeMs;     // the row said wait: nobody here asks again before
    private String waitReason;
    private SharedWindow seen = SharedWindow.EMPTY; // the row as last read: answers that change nothing are not written
    private Instant unreachableSince;
    private int failures;

    SharedQuota(SharedWindowStore store, String keySha256, String name, int block, long floor, Duration margin) {
        this.store = store;
        this.keySha256 = keySha256;
        this.name = name;
        this.block = block;
        this.floor = floor;
        this.marginMs = margin.toMillis();
    }

    /** A permit for one request (null), or when to ask again. */
    synchronized Wait take(Instant now) {
        long t = now.toEpochMilli();
        if (permits > 0 && t < validUntilMs) {
            permits--;
            return null;
        }
        permits = 0;
        if (t < notBeforeMs) return new Wait(Instant.ofEpochMilli(notBeforeMs), waitReason, null);
        SharedWindow.Take taken;
        try {
            taken = store.change(keySha256, name, t, row -> {
                SharedWindow.Take k = row.take(block, t, floor, marginMs);
                return new SharedWindowStore.Change<>(k.next(), k);
            });
        } catch (SQLException | RuntimeException e) {
            return unreachable(now, e);
        }
        reachable(now);
        seen = taken.next();
        if (taken.permits() == 0) {
            notBeforeMs = taken.waitUntilMs();
            waitReason = taken.reason();
            return new Wait(Instant.ofEpochMilli(notBeforeMs), waitReason, null);
        }
        permits = taken.permits() - 1;
        validUntilMs = taken.validUntilMs();
        return null;
    }

    /** What an answer said; written to the row only when it changes what the row last said here. */
    void observe(RateLimitSnapshot s, Instant now) {
        long t = now.toEpochMilli();
        Long resetMs = s.resetAt() == null ? null : s.resetAt().toEpochMilli();
        synchronized (this) {
            if (seen.observe(s.limit(), s.remaining(), resetMs, t, marginMs).equals(seen.refilled(t, marginMs))) return;
        }
        write(now, row -> row.observe(s.limit(), s.remaining(), resetMs, t, marginMs));
    }

    /** A 429 (or a recognised "slow down"): every instance holds until {@code until}. */
    void paused(Instant until, boolean exhausted, Instant now) {
        long t = now.toEpochMilli();
        write(now, row -> row.paused(until == null ? null : until.toEpochMilli(), exhausted, t, marginMs));
        synchronized (this) {
            permits = 0; // this block was taken before the API said stop
        }
    }

    private void write(Instant now, java.util.function.UnaryOperator<SharedWindow> change) {
        try {
            SharedWindow next = store.change(keySha256, name, now.toEpochMilli(), row -> {
                SharedWindow n = change.apply(row);
                return new SharedWindowStore.Change<>(n, n);
            });
            synchronized (this) {
                reachable(now);
                seen = next;
                notBeforeMs = 0; // what the row said to wait for may have changed: the next request asks again
            }
        } catch (SQLException | RuntimeException e) {
            synchronized (this) {
                unreachable(now, e); // the next take waits for the database; what this answer said, the next one says again
            }
        }
    }

    private Wait unreachable(Instant now, Exception e) {
        if (unreachableSince == null) {
            unreachableSince = now;
            // the class and SQLState only: a driver's message may quote the URL
            LOG.warn("rate limit [{}]: the shared quota in the database cannot be reached ({}{}); requests on this key wait and try again",
                    name, e.getClass().getSimpleName(), e instanceof SQLException sql && sql.getSQLState() != null ? ", SQLState " + sql.getSQLState() : "");
        }
        failures++;
        long backoff = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS << Math.min(failures - 1, 20));
        permits = 0;
        return new Wait(now.plusMillis(backoff), "the shared quota in the database cannot be reached (try " + failures + ")", unreachableSince);
    }

    private void reachable(Instant now) {
        if (unreachableSince != null) {
            LOG.info("rate limit [{}]: the shared quota in the database is reachable again after {}", name, WaitTimes.human(Duration.between(unreachableSince, now)));
        }
        unreachableSince = null;
        failures = 0;
    }
}
