package io.leadpipe.ratelimit;

import java.time.Duration;

/**
 * How every governor paces (leadpipe.ratelimit.*): keep {@code floor} requests of each window (at most a
 * tenth of the limit), wait {@code resetMargin} past an announced reset, use {@code nodeShare} of each window.
 */
public record RatePolicy(long floor, Duration resetMargin, double nodeShare) {
}
