package io.leadpipe.job;

import java.util.Map;

/** How one job's run ended: DONE, FAILED, or already DONE before this run (SKIPPED). */
public record JobOutcome(String job, String status, String error, Map<String, Object> report) {
    public boolean failed() {
        return "FAILED".equals(status);
    }
}
