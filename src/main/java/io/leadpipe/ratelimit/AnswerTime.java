package io.leadpipe.ratelimit;

/**
 * How long a request keeps its slot once it goes on the wire (an API's answer; a page's answer and storing): a
 * moving average of the recent ones (pacing waits are not in it), so the requests kept in flight follow the
 * API as it slows down or speeds up.
 */
public final class AnswerTime {

    /** Weight of the newest answer: about the last ten answers count. */
    static final double WEIGHT = 0.2;

    private double averageMillis = Double.NaN;

    public synchronized void answered(long nanos) {
        double millis = nanos / 1e6;
        averageMillis = Double.isNaN(averageMillis) ? millis : averageMillis + WEIGHT * (millis - averageMillis);
    }

    /** The average answer time in seconds, or NaN before the first answer. */
    public synchronized double seconds() {
        return averageMillis / 1000.0;
    }
}
