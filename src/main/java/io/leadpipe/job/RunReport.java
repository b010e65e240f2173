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
    private final java.util.function.Function<String, String> learnedRates;

    /** A delta job's watermark and tally by job (store.DeltaWatermarks#describe), merged into its report. */
    private java.util.function.Function<String, Map<String, Object>> deltas;

    public void deltas(java.util.function.Function<String, Map<String, Object>> deltas) {
        this.deltas = deltas;
    }

    public RunReport(Path directory, JobCounters counters) {
        this(directory, counters, source -> null);
    }

    /** @param learnedRates a source's rate learned from 429s without quota headers (null: none) */
    public RunReport(Path directory, JobCounters counters, java.util.function.Function<String, String> learnedRates) {
        this.directory = directory;
        this.counters = counters;
        this.learnedRates = learnedRates;
    }

    /** Builds the report from the pull, writes it, and keeps it for {@link #latest(String)}. */
    public void finish(Pull pull) throws IOException {
        String job = pull.jobId();
        JobCounters.Counts c = counters.of(job);
        long received = pull.leadsThisRun();
        long newLeads = pull.storedAfter() - pull.storedBefore();
        Long apiTotal = pull.apiTotal();

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("job", job);
        r.put("status", pull.status().name());
        r.put("source", pull.source());
        r.put("filters", pull.filters());
        r.put("pagesThisRun", pull.pagesThisRun());
        r.put("lastPage", pull.pageNo());
        r.put("concurrency", pull.concurrency());
        r.put("concurrencyAuto", pull.pagesFollowQuota());
        r.put("mostPagesInFlight", pull.mostInFlight());
        r.put("pagesStoredAhead", pull.pagesAhead());
        r.put("leadsReceivedThisRun", received);
        r.put("leadsStored", pull.storedAfter());
        r.put("newLeads", newLeads);
        r.put("alreadyPresent", Math.max(0, received - newLeads));
        r.put("duplicatePagesSkipped", pull.duplicatePagesThisRun());
        r.put("queryCuts", pull.queryCutsThisRun());
        r.put("recordsSeenTwice", pull.seenTwice());
        r.put("drift", pull.drift());
        r.put("cap", pull.capReason());
        r.put("stopReason", pull.stopReason());
        r.put("verificationPass", pull.isVerification());
        r.put("updatedSince", pull.watermark());
        // a delta job: the watermark used, where it came from, and what changed (store.DeltaWatermarks)
        Map<String, Object> delta = deltas == null || pull.watermarkParam() == null ? null : deltas.apply(job);
        if (delta != null) r.putAll(delta);
        r.put("apiTotal", apiTotal);
        // a parent → child job's total is its lists' totals: matched by the records its lists stored (a lead under two parents is in two lists)
        r.put("matchesApiTotal", apiTotal == null ? null : pull.children() != null ? pull.childListsShort() == 0 && apiTotal == pull.leads()
                : apiTotal == pull.storedThisPull());
        r.put("requests", c.requests.get());
        r.put("rateLimited429", c.rateLimited.get());
        r.put("serverErrors5xx", c.serverErrors.get());
        r.put("learnedRate", pull.source() == null ? null : learnedRates.apply(pull.source()));
        r.put("durationSeconds", Math.round((System.currentTimeMillis() - pull.startedAt()) / 100.0) / 10.0);
        r.put("finishedAt", Instant.now().toString());
        r.put("error", pull.error());
        if (pull.children() != null) r.put("children", pull.children());
        long distinct = pull.storedThisPull();
        long receivedInPull = pull.leads();
        r.put("distinctLeadsThisPull", distinct);
        r.put("recordsReceivedThisPull", receivedInPull);
        r.put("duplicatePagesThisPull", pull.duplicatePages());
        r.put("completeness", pull.children() != null
                ? childrenCompleteness(pull.status().name(), apiTotal, pull.childLists(), pull.childListsShort(), distinct, receivedInPull)
                : completeness(pull.status().name(), apiTotal, distinct, receivedInPull, pull.drift()));
        write(job, r);
    }

    /**
     * A parent → child job's proof, list by list: PASS when every child list stored as many records as its API
     * said it holds. A lead under two parents (a contact of two companies) is in both lists and both totals, so
     * the records exceed the distinct leads without any gap; that is said, not taken for a gap.
     */
    static String childrenCompleteness(String status, Long listsTotal, long lists, long listsShort, long distinct, long received) {
        if (!"DONE".equals(status)) return "NOT CHECKED: the job is " + status;
        if (listsTotal == null) return "PASS: " + distinct + " distinct leads stored from " + lists + " child lists (not every list reports a total)";
        if (listsShort > 0) {
            return "GAP: " + listsShort + " of " + lists + " child lists stored a different number of records than their API's total ("
                    + received + " records stored against the lists' totals of " + listsTotal + ")";
        }
        String shared = received > distinct ? " (" + distinct + " distinct leads: " + (received - distinct) + " records are leads listed under more than one parent)" : "";
        return "PASS: every child list complete — " + received + " records in " + lists + " lists = the lists' totals of " + listsTotal + shared;
    }

    /** Adds to a job's report after it was written (the listing of deleted records that follows its sync), and writes it again. */
    public void amend(String job, Map<String, Object> more) throws IOException {
        Map<String, Object> r = latest.get(job);
        if (r == null) return;
        Map<String, Object> amended = new LinkedHashMap<>(r);
        amended.putAll(more);
        write(job, amended);
    }

    /** Writes a report scrubbed: the error (and anything else an API wrote) leaves without secrets or e-mail addresses. */
    private void write(String job, Map<String, Object> r) throws IOException {
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

    /** The report a job's last run wrote (data/reports/JOB.json), or null: for a slice already DONE before this run. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> lastWritten(String job) {
        Path file = directory.resolve(job + ".json");
        if (!Files.isRegularFile(file)) return null;
        try {
            return JSON.readValue(file.toFile(), LinkedHashMap.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** The order in which a slice's end decides the job's: one failed slice fails the job, and so on. */
    private static final java.util.List<String> WORST_FIRST = java.util.List.of("FAILED", "BUSY", "INTERRUPTED", "PAUSED", "CAPPED", "RUNNING");

    /**
     * A sliced job's report: its status from its slices' (DONE when every slice is DONE, else the worst, naming
     * the slices), this run's figures summed over the slices, and the completeness proof per slice.
     */
    /** @param union the distinct leads stored for all the slices (null: not counted; the slices' own counts are summed) */
    public Map<String, Object> finishSliced(String job, String source, String filters, java.util.List<SlicedPulls.SliceResult> slices, long startedAt,
                                            Long union) throws IOException {
        return finishSliced(job, source, filters, slices, startedAt, union, null);
    }

    /** @param cut how slices = auto cut the job (null: its slices are declared) */
    public Map<String, Object> finishSliced(String job, String source, String filters, java.util.List<SlicedPulls.SliceResult> slices, long startedAt,
                                            Long union, String cut)
            throws IOException {
        String status = "DONE";
        for (String worst : WORST_FIRST) {
            if (slices.stream().anyMatch(s -> worst.equals(s.status()))) {
                status = worst;
                break;
            }
        }
        boolean nothingPulled = slices.stream().allMatch(s -> "SKIPPED".equals(s.status()));
        long done = slices.stream().filter(s -> "DONE".equals(s.status()) || "SKIPPED".equals(s.status())).count();
        StringBuilder error = new StringBuilder();
        for (SlicedPulls.SliceResult s : slices) {
            if ("DONE".equals(s.status()) || "SKIPPED".equals(s.status())) continue;
            error.append(error.length() == 0 ? "" : "; ").append("slice ").append(s.slice()).append(" (").append(s.job()).append(") ").append(s.status())
                    .append(s.error() == null ? "" : ": " + s.error());
        }
        if (error.length() > 0) {
            error.append(" — ").append(done).append(" of ").append(slices.size()).append(" slices DONE; the next run pulls only the others, each from its checkpoint");
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("job", job);
        r.put("status", nothingPulled ? "SKIPPED" : status);
        r.put("source", source);
        r.put("filters", JobFilters.normalise(filters));
        long pages = 0, received = 0, stored = 0, newLeads = 0, requests = 0, limited = 0, serverErrors = 0, distinct = 0, apiTotal = 0;
        boolean allTotals = true;
        java.util.List<String> gaps = new java.util.ArrayList<>();
        java.util.List<String> unproven = new java.util.ArrayList<>();
        java.util.List<Map<String, Object>> perSlice = new java.util.ArrayList<>();
        for (SlicedPulls.SliceResult s : slices) {
            Map<String, Object> sr = s.report();
            boolean thisRun = !"SKIPPED".equals(s.status()) && sr != null;
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("slice", s.slice());
            line.put("job", s.job());
            line.put("filters", s.filters());
            line.put("status", "SKIPPED".equals(s.status()) ? "DONE" : s.status());
            line.put("pulledThisRun", !"SKIPPED".equals(s.status()));
            line.put("lastPage", sr == null ? null : sr.get("lastPage"));
            line.put("pagesThisRun", thisRun ? sr.get("pagesThisRun") : 0);
            line.put("leadsStored", sr == null ? null : sr.get("leadsStored"));
            line.put("apiTotal", sr == null ? null : sr.get("apiTotal"));
            line.put("completeness", sr == null ? "NOT CHECKED: no report for this slice" : sr.get("completeness"));
            // the slice's latest pull read its whole list (not a delta): the slices together may be reconciled (store.DeletionReconciliation)
            line.put("wholeListPull", sr != null && (sr.get("updatedSince") == null || Boolean.TRUE.equals(sr.get("verificationPass"))));
            if (sr != null && sr.get("deletedListing") != null) line.put("deletedListing", sr.get("deletedListing"));
            line.put("error", s.error());
            perSlice.add(line);
            if (thisRun) {
                pages += number(sr, "pagesThisRun");
                received += number(sr, "leadsReceivedThisRun");
                newLeads += number(sr, "newLeads");
                requests += number(sr, "requests");
                limited += number(sr, "rateLimited429");
                serverErrors += number(sr, "serverErrors5xx");
            }
            if (sr == null) {
                unproven.add(s.slice());
                allTotals = false;
                continue;
            }
            stored += number(sr, "leadsStored");
            distinct += number(sr, "distinctLeadsThisPull");
            if (sr.get("apiTotal") == null) allTotals = false;
            else apiTotal += number(sr, "apiTotal");
            if (String.valueOf(sr.get("completeness")).startsWith("GAP")) gaps.add(s.slice() + ": " + sr.get("completeness"));
        }
        if (cut != null) r.put("cut", cut);
        r.put("slices", perSlice);
        r.put("slicesDone", done);
        r.put("pagesThisRun", pages);
        r.put("leadsReceivedThisRun", received);
        // slices that overlap (filter values that are not exclusive) share leads: the job stored each once
        r.put("leadsStored", union != null ? union : stored);
        r.put("newLeads", newLeads);
        r.put("alreadyPresent", Math.max(0, received - newLeads));
        r.put("apiTotal", allTotals ? apiTotal : null);
        r.put("distinctLeadsThisPull", distinct);
        r.put("requests", requests);
        r.put("rateLimited429", limited);
        r.put("serverErrors5xx", serverErrors);
        r.put("durationSeconds", Math.round((System.currentTimeMillis() - startedAt) / 100.0) / 10.0);
        r.put("finishedAt", Instant.now().toString());
        r.put("error", error.length() == 0 ? null : error.toString());
        String completeness;
        if (!"DONE".equals(status)) completeness = "NOT CHECKED: the job is " + status;
        else if (!gaps.isEmpty()) completeness = "GAP: slice " + String.join("; slice ", gaps);
        else if (!unproven.isEmpty()) completeness = "NOT CHECKED: no report for slice " + String.join(", ", unproven);
        else if (union != null && union < distinct) completeness = "PASS: every slice complete — " + distinct + " leads in " + slices.size() + " slices"
                    + (allTotals ? " = the API's totals of " + apiTotal : "") + " (" + union + " distinct leads: " + (distinct - union)
                    + " are in more than one slice — the slices overlap)";
        else completeness = "PASS: every slice complete — " + distinct + " distinct leads in " + slices.size() + " slices"
                    + (allTotals ? " = the API's totals of " + apiTotal : "");
        r.put("completeness", completeness);
        write(job, r);
        return r;
    }

    private static long number(Map<String, Object> r, String key) {
        return r.get(key) instanceof Number n ? n.longValue() : 0;
    }

    public static boolean reconciled(Map<String, Object> report) {
        Object c = report == null ? null : report.get("completeness");
        return c == null || !c.toString().startsWith("GAP");
    }

    public Map<String, Object> latest(String job) {
        return latest.get(job);
    }

    public static String toText(Map<String, Object> r) {
        if (r.get("slices") instanceof java.util.List<?> slices) return slicedText(r, slices);
        StringBuilder b = new StringBuilder();
        b.append("──── run report: ").append(r.get("job")).append(" ────\n");
        line(b, "status", r.get("status") + (r.get("error") == null ? "" : " — " + r.get("error")));
        line(b, "pages", r.get("pagesThisRun") + " this run (last page " + r.get("lastPage") + ")");
        if (((Number) r.getOrDefault("concurrency", 1)).intValue() > 1) {
            String setting = Boolean.TRUE.equals(r.get("concurrencyAuto")) ? "auto, at most " + r.get("concurrency") : String.valueOf(r.get("concurrency"));
            line(b, "in parallel", "up to " + r.get("mostPagesInFlight") + " pages in flight (concurrency " + setting + "); "
                    + r.get("pagesStoredAhead") + " stored past the checkpoint, waiting for the pages below them");
        }
        if (r.containsKey("deltaWatermarkFrom")) line(b, "delta", io.leadpipe.delta.Watermark.reportLine(r));
        if (r.get("deletedListing") != null) line(b, "deletions", String.valueOf(r.get("deletedListing")));
        if (r.get("reconciled") != null) line(b, "reconciled", String.valueOf(r.get("reconciled")));
        else if (r.get("updatedSince") != null) line(b, "incremental", "records updated since " + r.get("updatedSince"));
        if (r.get("children") != null) line(b, "children", String.valueOf(r.get("children")));
        line(b, "leads received", r.get("leadsReceivedThisRun") + " this run");
        line(b, "leads stored", r.get("leadsStored") + " (" + r.get("newLeads") + " new, " + r.get("alreadyPresent") + " already present)");
        if (Boolean.TRUE.equals(r.get("verificationPass"))) line(b, "verification", "re-read the list: " + r.get("newLeads") + " missed leads recovered");
        if (((Number) r.getOrDefault("queryCuts", 0)).intValue() > 0) {
            line(b, "query cut", r.get("queryCuts") + " times at the API's max-results per query, each time started again after the last record read (cut.*)");
        }
        if (((Number) r.getOrDefault("duplicatePagesSkipped", 0)).intValue() > 0) line(b, "duplicates", r.get("duplicatePagesSkipped") + " pages already processed, skipped");
        if (r.get("drift") != null) line(b, "DRIFT", String.valueOf(r.get("drift")));
        if (r.get("cap") != null) line(b, "cap", r.get("cap") + " — raise it and run again to continue");
        Object total = r.get("apiTotal");
        line(b, "API total", total == null ? "not reported" : total + (Boolean.TRUE.equals(r.get("matchesApiTotal")) ? " (matches)" : " (differs from the leads this pull stored)"));
        line(b, "requests", r.get("requests") + " (" + r.get("rateLimited429") + " × 429, " + r.get("serverErrors5xx") + " × 5xx)");
        if (r.get("learnedRate") != null) line(b, "rate learned", String.valueOf(r.get("learnedRate")));
        line(b, "completeness", String.valueOf(r.get("completeness")));
        line(b, "duration", String.format(Locale.ROOT, "%.1f s", ((Number) r.get("durationSeconds")).doubleValue()));
        line(b, "report", String.valueOf(r.get("reportFile")));
        return b.toString();
    }

    /** A sliced job: the sums, then one line per slice with its status, page, leads and completeness proof. */
    private static String slicedText(Map<String, Object> r, java.util.List<?> slices) {
        StringBuilder b = new StringBuilder();
        b.append("──── run report: ").append(r.get("job")).append(" (").append(slices.size()).append(" slices) ────\n");
        line(b, "status", r.get("status") + (r.get("error") == null ? "" : " — " + r.get("error")));
        line(b, "slices", r.get("slicesDone") + " of " + slices.size() + " DONE");
        if (r.get("cut") != null) line(b, "cut (auto)", String.valueOf(r.get("cut")));
        line(b, "pages", r.get("pagesThisRun") + " this run, all slices");
        line(b, "leads received", r.get("leadsReceivedThisRun") + " this run");
        line(b, "leads stored", r.get("leadsStored") + " (" + r.get("newLeads") + " new this run)");
        line(b, "API total", r.get("apiTotal") == null ? "not reported by every slice" : r.get("apiTotal") + " (sum of the slices')");
        line(b, "requests", r.get("requests") + " (" + r.get("rateLimited429") + " × 429, " + r.get("serverErrors5xx") + " × 5xx)");
        line(b, "completeness", String.valueOf(r.get("completeness")));
        if (r.get("reconciled") != null) line(b, "reconciled", String.valueOf(r.get("reconciled")));
        // a feed of deletions is pulled once for the whole sliced job (job.DeletedListings)
        if (r.get("deletedListing") != null) line(b, "deletions", String.valueOf(r.get("deletedListing")));
        for (Object o : slices) {
            Map<?, ?> s = (Map<?, ?>) o;
            b.append(String.format(Locale.ROOT, "    %-20s %-11s page %-5s leads %-7s %s%s%n", s.get("slice"), s.get("status"),
                    s.get("lastPage") == null ? "-" : s.get("lastPage"), s.get("leadsStored") == null ? "-" : s.get("leadsStored"),
                    Boolean.TRUE.equals(s.get("pulledThisRun")) ? "" : "(already DONE) ", s.get("completeness")));
            if (s.get("deletedListing") != null) b.append("      deletions: ").append(s.get("deletedListing")).append('\n');
        }
        line(b, "duration", String.format(Locale.ROOT, "%.1f s", ((Number) r.get("durationSeconds")).doubleValue()));
        line(b, "report", String.valueOf(r.get("reportFile")));
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(String.format(Locale.ROOT, "  %-15s %s%n", label, value));
    }
}
