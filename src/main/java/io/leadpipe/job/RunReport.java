package io.leadpipe.job;

import io.leadpipe.monitor.JobCounters;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The end-of-job summary: printed for people, written as JSON for machines (data/reports/JOB.json). */
public final class RunReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path directory;
    private final JobCounters counters;
    private final Map<String, Map<String, Object>> latest = new ConcurrentHashMap<>();

    public RunReport(Path directory, JobCounters counters) {
        this.directory = directory;
        this.counters = counters;
    }

    /** Builds the report from the pull, writes it, and keeps it for {@link #latest(String)}. */
    public void finish(PullState pull) throws IOException {
        String job = pull.jobId();
        JobCounters.Counts c = counters.of(job);
        long received = pull.leadsThisRun();
        long newLeads = pull.storedAfter() - pull.storedBefore();
        Long apiTotal = pull.apiTotal();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("job", job);
        r.put("status", pull.status());
        r.put("source", pull.source());
        r.put("filters", pull.filters());
        r.put("pagesThisRun", pull.pagesThisRun());
        r.put("lastPage", pull.pageNo());
        r.put("leadsReceivedThisRun", received);
        r.put("leadsStored", pull.storedAfter());
        r.put("newLeads", newLeads);
        r.put("alreadyPresent", Math.max(0, received - newLeads));
        r.put("duplicatePagesSkipped", pull.duplicatePagesThisRun());
        r.put("recordsSeenTwice", pull.seenTwice());
        r.put("drift", pull.drift());
        r.put("cap", pull.capReason());
        r.put("stopReason", pull.stopReason());
        r.put("verificationPass", pull.isVerification());
        r.put("updatedSince", pull.watermark());
        r.put("apiTotal", apiTotal);
        r.put("matchesApiTotal", apiTotal == null ? null : apiTotal == pull.storedThisPull());
        r.put("requests", c.requests.get());
        r.put("rateLimited429", c.rateLimited.get());
        r.put("serverErrors5xx", c.serverErrors.get());
        r.put("durationSeconds", Math.round((System.currentTimeMillis() - pull.startedAt()) / 100.0) / 10.0);
        r.put("finishedAt", Instant.now().toString());
        r.put("error", pull.error());
        if (pull.children() != null) r.put("children", pull.children());
        long distinct = pull.storedThisPull();
        long receivedInPull = pull.leads();
        r.put("distinctLeadsThisPull", distinct);
        r.put("recordsReceivedThisPull", receivedInPull);
        r.put("duplicatePagesThisPull", pull.duplicatePages());
        r.put("completeness", completeness(pull.status(), apiTotal, distinct, receivedInPull, pull.drift()));
        // the error (and anything else an API wrote) leaves without secrets or e-mail addresses
        r.replaceAll((k, v) -> v instanceof String text ? io.leadpipe.secrets.Secrets.scrub(text) : v);
        Files.createDirectories(directory);
        Path file = directory.resolve(job + ".json");
        r.put("reportFile", file.toString());
        JSON.writeValue(file.toFile(), r);
        latest.put(job, r);
    }

    /**
     * The completeness proof: PASS when the distinct leads this pull stored equal the API's total (when it
     * reports one) and nothing drifted; otherwise GAP, naming it. Not judged for a job that did not finish.
     */
    static String completeness(String status, Long apiTotal, long distinct, long received, String drift) {
        if (!"DONE".equals(status)) return "NOT CHECKED: the job is " + status;
        if (drift != null) return "GAP: " + drift;
        if (apiTotal != null) {
            if (distinct == apiTotal) return "PASS: " + distinct + " distinct leads stored = the API's total of " + apiTotal;
            return "GAP: the API reported " + apiTotal + " leads but " + distinct + " distinct leads were stored in this pull ("
                    + (apiTotal > distinct ? (apiTotal - distinct) + " missing" : (distinct - apiTotal) + " more than reported") + ")";
        }
        if (received > distinct) {
            return "GAP: " + received + " records received but only " + distinct + " distinct leads: " + (received - distinct) + " records came twice (no API total to compare)";
        }
        return "PASS: " + distinct + " distinct leads stored (the API reports no total)";
    }

    public static boolean reconciled(Map<String, Object> report) {
        Object c = report == null ? null : report.get("completeness");
        return c == null || !c.toString().startsWith("GAP");
    }

    public Map<String, Object> latest(String job) {
        return latest.get(job);
    }

    public static String toText(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        b.append("──── run report: ").append(r.get("job")).append(" ────\n");
        line(b, "status", r.get("status") + (r.get("error") == null ? "" : " — " + r.get("error")));
        line(b, "pages", r.get("pagesThisRun") + " this run (last page " + r.get("lastPage") + ")");
        if (r.get("updatedSince") != null) line(b, "incremental", "records updated since " + r.get("updatedSince"));
        if (r.get("children") != null) line(b, "children", String.valueOf(r.get("children")));
        line(b, "leads received", r.get("leadsReceivedThisRun") + " this run");
        line(b, "leads stored", r.get("leadsStored") + " (" + r.get("newLeads") + " new, " + r.get("alreadyPresent") + " already present)");
        if (Boolean.TRUE.equals(r.get("verificationPass"))) line(b, "verification", "re-read the list: " + r.get("newLeads") + " missed leads recovered");
        if (((Number) r.getOrDefault("duplicatePagesSkipped", 0)).intValue() > 0) line(b, "duplicates", r.get("duplicatePagesSkipped") + " pages already processed, skipped");
        if (r.get("drift") != null) line(b, "DRIFT", String.valueOf(r.get("drift")));
        if (r.get("cap") != null) line(b, "cap", r.get("cap") + " — raise it and run again to continue");
        Object total = r.get("apiTotal");
        line(b, "API total", total == null ? "not reported" : total + (Boolean.TRUE.equals(r.get("matchesApiTotal")) ? " (matches)" : " (differs from the leads this pull stored)"));
        line(b, "requests", r.get("requests") + " (" + r.get("rateLimited429") + " × 429, " + r.get("serverErrors5xx") + " × 5xx)");
        line(b, "completeness", String.valueOf(r.get("completeness")));
        line(b, "duration", String.format(Locale.ROOT, "%.1f s", ((Number) r.get("durationSeconds")).doubleValue()));
        line(b, "report", String.valueOf(r.get("reportFile")));
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format(Locale.ROOT, "  %-15s %s%n", label, value));
    }
}
