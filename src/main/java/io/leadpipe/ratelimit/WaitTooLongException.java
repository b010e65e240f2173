package io.leadpipe.ratelimit;

import java.time.Duration;
import java.time.Instant;

/**
 * The API asked us to wait longer than leadpipe.ratelimit.max-wait. Not an IOException: it is not retried;
 * the job stops with its checkpoint as it was, and says when the API wants us back.
 */
public final class WaitTooLongException extends RuntimeException {

    private final Instant comeBackAt;

    public WaitTooLongException(String key, Instant comeBackAt, Duration wait, Duration maxWait, String reason) {
        super("the API (" + key + ") asks to come back at " + WaitTimes.fullDate(comeBackAt) + " — in " + WaitTimes.human(wait)
                + ", longer than leadpipe.ratelimit.max-wait (" + WaitTimes.human(maxWait) + "); " + reason
                + ". Stopped with the checkpoint kept: run the job again after that time");
        this.comeBackAt = comeBackAt;
    }

    /** When the API says requests may resume. */
    public Instant comeBackAt() {
        return comeBackAt;
    }
}
