package io.leadpipe.ratelimit;

import java.time.Duration;

/**
 * How every governor paces (leadpipe.ratelimit.*): keep {@code floor} requests of each window (at most a
 * tenth of the limit), wait {@code resetMargin} past an announced reset, use {@code nodeShare} of each window;
 * keep a request in a window without a reset time {@code windowMargin} past its window (null: as measured).
 */
public record RatePolicy(long floor, Duration resetMargin, double nodeShare, Duration windowMargin) {

    /** The window margin measured (the default). */
    public RatePolicy(long floor, Duration resetMargin, double nodeShare) {
        this(floor, resetMargin, nodeShare, null);
    }
}
