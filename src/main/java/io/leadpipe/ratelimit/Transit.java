package io.leadpipe.ratelimit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How long after its permit a request of ours may reach the API and be counted in a window without a reset
 * time, as measured: the longest time from a permit to its answer among the key's recent requests (the API
 * counted each somewhere between its send and its answer; the Throttler's wait and a busy process are in it).
 * Until an answer is measured — and when a fixed margin is configured — the fixed margin stands. A window's
 * requests leave it by this margin: a fixed 250 ms cost a 2-s window a ninth of its use, where loopback
 * answers take milliseconds. (The fastest answer instead of the whole answer was tried: under load the API
 * counted a few requests later than that, 3 × 429 in 603 calls.)
 */
final class Transit {

    /** How many recent answers count: enough to hold a burst's slowest, few enough to follow a change. */
    static final int RECENT = 32;

    private final Duration fixed;
    private final boolean measured;
    private final Deque<Long> recent = new ArrayDeque<>();

    /** @param measured false: {@code fixed} always (leadpipe.ratelimit.window-margin-ms set); true: {@code fixed} until measured */
    Transit(Duration fixed, boolean measured) {
        this.fixed = fixed;
        this.measured = measured;
    }

    /** A request's answer came {@code nanos} after its permit. */
    synchronized void answered(long nanos) {
        recent.addLast(Math.max(0, nanos));
        if (recent.size() > RECENT) recent.removeFirst();
    }

    /** The longest of the recent answers, measured whatever margin is configured (zero: none yet). */
    synchronized Duration longestAnswer() {
        return Duration.ofNanos(recent.stream().mapToLong(Long::longValue).max().orElse(0));
    }

    synchronized Duration margin() {
        return !measured || recent.isEmpty() ? fixed : longestAnswer();
    }
}
