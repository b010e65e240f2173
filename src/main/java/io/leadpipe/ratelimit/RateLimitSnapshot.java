package io.leadpipe.ratelimit;

import java.time.Instant;

/** What one response said about the quota: the limit, what is left, and when it refills (any may be unknown). */
public record RateLimitSnapshot(Long limit, Long remaining, Instant resetAt) {

    public boolean isEmpty() {
        return limit == null && remaining == null && resetAt == null;
    }
}
