package io.leadpipe.ratelimit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How long after its permit a request of ours may reach the API and be counted in a window without a reset
 * time, as measured: the longest recent stall between the permit and the wire (the Throttler, a busy
 * process) plus the fastest recent answer (the API counted the request somewhere between its send and its
 * answer, and its way there is no longer than the quickest whole round trip). Until both are measured — and
 * when a fixed margin is configured — the fixed margin stands. A window's requests leave it by this margin:
 * a fixed 250 ms cost a 2-s window a ninth of its use, where loopback answers take milliseconds.
 */
final class Transit {

    /** How many recent stalls and answers count: enough to hold a burst's slowest, few enough to follow a change. */
    static final int RECENT = 32;

    private final Duration fixed;
    private final boolean measured;
    private final Deque<Long> stalls = new ArrayDeque<>();
    private final Deque<Long> answers = new ArrayDeque<>();

    /** @param measured false: {@code fixed} always (leadpipe.ratelimit.window-margin-ms set); true: {@code fixed} until measured */
    Transit(Duration fixed, boolean measured) {
        this.fixed = fixed;
        this.measured = measured;
    }

    /** A request went on the wire {@code nanos} after its permit. */
    synchronized void stalled(long nanos) {
        keep(stalls, nanos);
    }

    /** A request's answer came {@code nanos} after it went on the wire. */
    synchronized void answered(long nanos) {
        keep(answers, nanos);
    }

    synchronized Duration margin() {
        if (!measured || stalls.isEmpty() || answers.isEmpty()) return fixed;
        long longestStall = stalls.stream().mapToLong(Long::longValue).max().orElse(0);
        long fastestAnswer = answers.stream().mapToLong(Long::longValue).min().orElse(0);
        return Duration.ofNanos(longestStall + fastestAnswer);
    }

    private static void keep(Deque<Long> recent, long nanos) {
        recent.addLast(Math.max(0, nanos));
        if (recent.size() > RECENT) recent.removeFirst();
    }
}
