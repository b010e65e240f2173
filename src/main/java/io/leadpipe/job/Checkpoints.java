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

    private final JobCounters counters;
    private final io.leadpipe.monitor.LeadpipeMetrics metrics;
    private volatile long overlapSeconds = 300;

    /** How far before the previous pull's start an incremental pull looks (clock skew, in-flight edits). */
    public Checkpoints incrementalOverlap(long seconds) {
        this.overlapSeconds = seconds;
        return this;
    }

    private static Object toTimestamp(Object o) {
        if (o instanceof java.sql.Timestamp t) return t;
        if (o instanceof java.time.OffsetDateTime odt) return java.sql.Timestamp.from(odt.toInstant());
        if (o instanceof java.time.Instant i) return java.sql.Timestamp.from(i);
        return java.sql.Timestamp.valueOf(String.valueOf(o));
    }

    public Checkpoints(JobCounters counters, io.leadpipe.monitor.LeadpipeMetrics metrics) {
        this.counters = counters;
        this.metrics = metrics;
    }

    /** Sets filters/filterHash from the job's declared filters. Runs before the checkpoint is read. */
    public void declare(Exchange exchange) {
        String filters = JobFilters.normalise(exchange.getVariable("filters", String.class));
        exchange.setVariable("filters", filters);
        exchange.setVariable("filterHash", JobFilters.hash(filters));
        exchange.setVariable("startedAt", System.currentTimeMillis());
        exchange.setVariable("pagesThisRun", 0);
        exchange.setVariable("leadsThisRun", 0L);
        exchange.setVariable("duplicatePagesThisRun", 0);
        exchange.setVariable("newPullId", java.util.UUID.randomUUID().toString());
        JobCounters.Counts c = counters.of(exchange.getVariable("jobId", String.class));
        exchange.setVariable("requestsAtStart", c.requests.get());
        c.running = true;
        c.status = "RUNNING";
        c.startedAt = System.currentTimeMillis();
        c.expectedSeconds = null;
        c.drift = 0;
        c.consecutive429.set(0);
        c.leads.set(0);
        c.pages.set(0);
        c.source = exchange.getVariable("source", String.class);
        if (metrics != null) metrics.jobStarted(c.job);
    }

    /** Reads {@code variable.checkpoint} (a row map, or null for a new job) into loop variables. */
    public void resume(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = exchange.getVariable("checkpoint", Map.class);
        if (raw == null) {
            exchange.setVariable("status", "NEW");
            exchange.setVariable("pullId", exchange.getVariable("newPullId"));
            exchange.setVariable("mode", "PULL");
            exchange.setVariable("cursor", null);
            exchange.setVariable("page", 0);
            exchange.setVariable("leads", 0L);
            exchange.setVariable("requestsBefore", 0L);
            exchange.setVariable("duplicatePages", 0);
            exchange.setVariable("seenTwice", 0L);
            exchange.setVariable("more", true);
            withinCaps(exchange);
            return;
        }
        Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        row.putAll(raw);
        String jobId = exchange.getVariable("jobId", String.class);
        String status = String.valueOf(row.get("status")).toUpperCase(Locale.ROOT);
        // a job that is not DONE resumes, whatever stopped it (crash, failure, cap)
        exchange.setVariable("status", "DONE".equals(status) ? status : "RESUME");
        exchange.setVariable("watermark", row.get("since_watermark"));
        String incremental = exchange.getVariable("incremental", String.class);
        if ("DONE".equals(status) && incremental != null && !incremental.isBlank() && row.get("pull_started_at") != null) {
            // an incremental job: a new pull of what changed since the previous one began (less an overlap)
            java.time.Instant began = ((java.sql.Timestamp) toTimestamp(row.get("pull_started_at"))).toInstant();
            exchange.setVariable("status", "INCREMENTAL");
            exchange.setVariable("watermark", began.minusSeconds(overlapSeconds).toString());
            exchange.setVariable("pullId", exchange.getVariable("newPullId"));
            exchange.setVariable("cursor", null);
            exchange.setVariable("page", 0);
            exchange.setVariable("leads", 0L);
            exchange.setVariable("apiTotal", null);
            exchange.setVariable("apiTotalFirst", null);
            exchange.setVariable("duplicatePages", 0);
            exchange.setVariable("seenTwice", 0L);
            exchange.setVariable("more", true);
            return;
        }
        exchange.setVariable("resumedFrom", status);
        exchange.setVariable("cursor", row.get("next_cursor"));
        exchange.setVariable("page", ((Number) row.get("page_no")).intValue());
        exchange.setVariable("leads", ((Number) row.get("lead_count")).longValue());
        exchange.setVariable("apiTotal", row.get("api_total_last") == null ? null : ((Number) row.get("api_total_last")).longValue());
        exchange.setVariable("apiTotalFirst", row.get("api_total_first") == null ? null : ((Number) row.get("api_total_first")).longValue());
        Object pullId = row.get("pull_id");
        exchange.setVariable("pullId", pullId == null ? jobId + "-v1" : pullId.toString());
        exchange.setVariable("mode", row.get("mode") == null ? "PULL" : row.get("mode").toString());
        exchange.setVariable("requestsBefore", row.get("requests") == null ? 0L : ((Number) row.get("requests")).longValue());
        exchange.setVariable("duplicatePages", row.get("duplicate_pages") == null ? 0 : ((Number) row.get("duplicate_pages")).intValue());
        exchange.setVariable("seenTwice", row.get("seen_twice") == null ? 0L : ((Number) row.get("seen_twice")).longValue());
        // a RUNNING/FAILED job whose last saved page had no next cursor only needs marking DONE
        exchange.setVariable("more", row.get("next_cursor") != null || ((Number) row.get("page_no")).intValue() == 0);
        String savedHash = String.valueOf(row.get("filter_hash"));
        if (!"DONE".equals(status) && !savedHash.equals(exchange.getVariable("filterHash", String.class))) {
            throw new IllegalStateException("job '" + jobId + "' has a checkpoint for filters '" + row.get("filters")
                    + "' but is now declared with '" + exchange.getVariable("filters") + "': run `leadpipe reset " + jobId
                    + "` to start it over with the new filters");
        }
        if (!"DONE".equals(status)) withinCaps(exchange);

    }

    /** After each stored page: counters for this run. */
    public void pageStored(Exchange exchange) {
        int records = exchange.getVariable("pageRecords", 0, Integer.class);
        exchange.setVariable("leads", exchange.getVariable("leads", 0L, Long.class) + records);
        exchange.setVariable("leadsThisRun", exchange.getVariable("leadsThisRun", 0L, Long.class) + records);
        advance(exchange);
        JobCounters.Counts c = counters.of(exchange.getVariable("jobId", String.class));
        c.leads.addAndGet(records);
        c.pageDone(System.currentTimeMillis(), exchange.getVariable("pageSize", 0, Integer.class));
        if (metrics != null) metrics.page(c.job, records);
    }

    /** A page this pull already processed: skipped, counted, and the position moves on. */
    public void duplicatePage(Exchange exchange) {
        exchange.setVariable("duplicatePagesThisRun", exchange.getVariable("duplicatePagesThisRun", 0, Integer.class) + 1);
        exchange.setVariable("duplicatePages", exchange.getVariable("duplicatePages", 0, Integer.class) + 1);
        advance(exchange);
        JobCounters.Counts c = counters.of(exchange.getVariable("jobId", String.class));
        c.duplicatePages.incrementAndGet();
        if (metrics != null) metrics.duplicatePage(c.job);
    }

    /**
     * The job's credit budget (template parameters maxRequests / maxLeads, 0 = none): when reached, the loop
     * ends with status CAPPED; the checkpoint is kept, so raising the cap continues from there.
     */
    public void withinCaps(Exchange exchange) {
        long maxRequests = exchange.getVariable("maxRequests", 0L, Long.class);
        long maxLeads = exchange.getVariable("maxLeads", 0L, Long.class);
        long requests = requestsTotal(exchange);
        long leads = exchange.getVariable("leads", 0L, Long.class);
        String reason = null;
        if (maxRequests > 0 && requests >= maxRequests) reason = requests + " requests made, cap " + maxRequests;
        else if (maxLeads > 0 && leads >= maxLeads) reason = leads + " leads received, cap " + maxLeads;
        if (reason != null && exchange.getVariable("more", false, Boolean.class)) {
            exchange.setVariable("more", false);
            exchange.setVariable("status", "CAPPED");
            exchange.setVariable("capReason", reason);
        }
    }

    /** The checkpoint row's new values, in the order routes/checkpoint.yaml (checkpoint-save) binds them. */
    public java.util.List<Object> position(Exchange exchange) {
        return java.util.Arrays.asList(exchange.getVariable("cursor", String.class), exchange.getVariable("page", 0, Integer.class),
                exchange.getVariable("leads", 0L, Long.class), exchange.getVariable("apiTotalFirst", Long.class), exchange.getVariable("apiTotal", Long.class),
                requestsTotal(exchange), exchange.getVariable("duplicatePages", 0, Integer.class), exchange.getVariable("seenTwice", 0L, Long.class),
                exchange.getVariable("jobId", String.class));
    }

    /** Every request made for the job: before this run, and in it (retries included). */
    public long requestsTotal(Exchange exchange) {
        String job = exchange.getVariable("jobId", String.class);
        long thisRun = counters.of(job).requests.get() - exchange.getVariable("requestsAtStart", 0L, Long.class);
        long total = exchange.getVariable("requestsBefore", 0L, Long.class) + thisRun;
        exchange.setVariable("requestsTotal", total);
        return total;
    }

    private void advance(Exchange exchange) {
        exchange.setVariable("pagesThisRun", exchange.getVariable("pagesThisRun", 0, Integer.class) + 1);
        if (exchange.getVariable("apiTotalFirst") == null) exchange.setVariable("apiTotalFirst", exchange.getVariable("apiTotal"));
        requestsTotal(exchange);
        exchange.setVariable("cursor", exchange.getVariable("nextCursor"));
        JobCounters.Counts counts = counters.of(exchange.getVariable("jobId", String.class));
        counts.apiTotal = exchange.getVariable("apiTotal", Long.class);
        counts.leadsSoFar = exchange.getVariable("leads", 0L, Long.class);
        counts.page = exchange.getVariable("page", 0, Integer.class);
        counts.cursor = exchange.getVariable("cursor", String.class);
        Long total = exchange.getVariable("apiTotal", Long.class);
        long leads = exchange.getVariable("leads", 0L, Long.class);
        exchange.setVariable("progress", total == null || total == 0 ? Long.toString(leads)
                : leads + "/" + total + " (" + Math.min(100, leads * 100 / total) + "%)");
    }
}
