package io.leadpipe.job;

/**
 * How a pull stands or ended. The checkpoint row's status column holds the name (the names are the
 * column's values, so they never change); BUSY is a run's only: another process held the job.
 */
public enum PullStatus {
    RUNNING, DONE, CAPPED, INTERRUPTED, PAUSED, FAILED, BUSY;

    /** A status column's text, or null. */
    public static PullStatus of(String column) {
        return column == null ? null : valueOf(column);
    }
}
