package io.leadpipe.job;

import io.leadpipe.paging.JobFilters;
import org.apache.camel.Exchange;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a job's checkpoint row (or its absence) into the loop's starting variables: cursor, page, leads,
 * status. Refuses to resume a job whose filters changed since its checkpoint was written.
 */
public final class Checkpoints {

    /** Sets filters/filterHash from the job's declared filters. Runs before the checkpoint is read. */
    public void declare(Exchange exchange) {
        String filters = JobFilters.normalise(exchange.getVariable("filters", String.class));
        exchange.setVariable("filters", filters);
        exchange.setVariable("filterHash", JobFilters.hash(filters));
        exchange.setVariable("startedAt", System.currentTimeMillis());
        exchange.setVariable("pagesThisRun", 0);
        exchange.setVariable("leadsThisRun", 0L);
    }

    /** Reads {@code variable.checkpoint} (a row map, or null for a new job) into loop variables. */
    public void resume(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = exchange.getVariable("checkpoint", Map.class);
        if (raw == null) {
            exchange.setVariable("status", "NEW");
            exchange.setVariable("cursor", null);
            exchange.setVariable("page", 0);
            exchange.setVariable("leads", 0L);
            exchange.setVariable("more", true);
            return;
        }
        Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        row.putAll(raw);
        String jobId = exchange.getVariable("jobId", String.class);
        String status = String.valueOf(row.get("status")).toUpperCase(Locale.ROOT);
        exchange.setVariable("status", status);
        exchange.setVariable("cursor", row.get("next_cursor"));
        exchange.setVariable("page", ((Number) row.get("page_no")).intValue());
        exchange.setVariable("leads", ((Number) row.get("lead_count")).longValue());
        exchange.setVariable("apiTotal", row.get("api_total_last") == null ? null : ((Number) row.get("api_total_last")).longValue());
        // a RUNNING/FAILED job whose last saved page had no next cursor only needs marking DONE
        exchange.setVariable("more", row.get("next_cursor") != null || ((Number) row.get("page_no")).intValue() == 0);
        String savedHash = String.valueOf(row.get("filter_hash"));
        if (!"DONE".equals(status) && !savedHash.equals(exchange.getVariable("filterHash", String.class))) {
            throw new IllegalStateException("job '" + jobId + "' has a checkpoint for filters '" + row.get("filters")
                    + "' but is now declared with '" + exchange.getVariable("filters") + "': run `leadpipe reset " + jobId
                    + "` to start it over with the new filters");
        }

    }

    /** After each stored page: counters for this run. */
    public void pageStored(Exchange exchange) {
        int records = exchange.getVariable("pageRecords", 0, Integer.class);
        exchange.setVariable("leads", exchange.getVariable("leads", 0L, Long.class) + records);
        exchange.setVariable("leadsThisRun", exchange.getVariable("leadsThisRun", 0L, Long.class) + records);
        exchange.setVariable("pagesThisRun", exchange.getVariable("pagesThisRun", 0, Integer.class) + 1);
        exchange.setVariable("cursor", exchange.getVariable("nextCursor"));
        Long total = exchange.getVariable("apiTotal", Long.class);
        long leads = exchange.getVariable("leads", 0L, Long.class);
        exchange.setVariable("progress", total == null || total == 0 ? Long.toString(leads)
                : leads + "/" + total + " (" + Math.min(100, leads * 100 / total) + "%)");
    }
}
