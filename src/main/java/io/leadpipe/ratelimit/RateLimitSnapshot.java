package io.leadpipe.ratelimit;

import java.time.Instant;

/**
 * What one response said about the quota: the limit, what is left, and when it refills (any may be unknown).
 * {@code resetIsLatest}: the API rounds its seconds-left up (reset-format delta-seconds-up), so the window ends
 * at or before {@code resetAt} — never after it.
 */
public record RateLimitSnapshot(Long limit, Long remaining, Instant resetAt, boolean resetIsLatest) {

    public RateLimitSnapshot(Long limit, Long remaining, Instant resetAt) {
        this(limit, remaining, resetAt, false);
    }

    public boolean isEmpty() {
        return limit == null && remaining == null && resetAt == null;
    }
}
