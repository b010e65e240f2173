package io.leadpipe.ratelimit;

/**
 * How long one API takes to answer, from the moment a request goes on the wire to its answer: a moving
 * average of the recent answers (pacing waits are not in it), so the requests kept in flight follow the
 * API as it slows down or speeds up.
 */
final class AnswerTime {

    /** Weight of the newest answer: about the last ten answers count. */
    static final double WEIGHT = 0.2;

    private double averageMillis = Double.NaN;

    synchronized void answered(long nanos) {
        double millis = nanos / 1e6;
        averageMillis = Double.isNaN(averageMillis) ? millis : averageMillis + WEIGHT * (millis - averageMillis);
    }

    /** The average answer time in seconds, or NaN before the first answer. */
    synchronized double seconds() {
        return averageMillis / 1000.0;
    }
}
