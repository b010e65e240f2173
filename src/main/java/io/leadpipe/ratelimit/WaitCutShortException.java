package io.leadpipe.ratelimit;

/**
 * A shutdown signal (SIGTERM, Ctrl-C) ended a wait for an API's quota or a retry's delay: the job stops
 * at its last saved page, INTERRUPTED and resumable, instead of sleeping the wait out.
 */
public final class WaitCutShortException extends RuntimeException {

    public WaitCutShortException(String key) {
        super("the wait for the API (" + key + ") was cut short by a shutdown signal");
    }
}
