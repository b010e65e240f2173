package io.leadpipe.job;

import java.util.Map;

/** How one job's run ended: DONE, FAILED, CAPPED, already DONE before this run (SKIPPED), or running in another process (BUSY). */
public record JobOutcome(String job, String status, String error, Map<String, Object> report) {
    public boolean failed() {
        return "FAILED".equals(status);
    }

    public boolean busy() {
        return "BUSY".equals(status);
    }
}
