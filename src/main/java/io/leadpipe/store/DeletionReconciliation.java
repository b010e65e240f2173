package io.leadpipe.store;

import io.leadpipe.delta.DeltaSpec;
import io.leadpipe.job.JobSpec;
import io.leadpipe.job.Pull;
import io.leadpipe.job.PullStatus;
import io.leadpipe.job.RunReport;
import org.apache.camel.Exchange;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Deletions where the vendor shows none: after a COMPLETE pull of a job's whole list — a sync whose source has no
 * "changed since" filter, or a `verify` pass — the leads this job saw in earlier pulls and not in this one are marked
 * deleted at the source (kept), and leads it saw again are unmarked. Complete means DONE (never CAPPED, FAILED,
 * INTERRUPTED or PAUSED), no drift, and the API's total (where it gives one) equal to what the pull stored; a pull
 * that would mark more than {@code leadpipe.incremental.reconcile-max-share} of the job's leads marks none and says so
 * (an API that answered an empty or short list proves nothing). What a lead "saw" is lead_jobs' pull id.
 */
public final class DeletionReconciliation {

    /** One pull whose sightings count: the job (a slice's own job id) and its pull's id. */
    private record Sighting(String job, String pullId) {}

    private final DataSource dataSource;
    private final Map<String, DeltaSpec> deltas;
    private final RunReport runReport;
    private final boolean enabled;
    private final double maxShare;
    private final Predicate<String> excluded;

    /** @param excluded job ids whose pulls list a part on purpose (a listing of deleted records) */
    public DeletionReconciliation(DataSource dataSource, Map<String, DeltaSpec> deltas, RunReport runReport, boolean enabled, double maxShare,
                                  Predicate<String> excluded) {
        this.dataSource = dataSource;
        this.deltas = deltas;
        this.runReport = runReport;
        this.enabled = enabled;
        this.maxShare = maxShare;
        this.excluded = excluded;
    }

    /** After a job's pull: it read the job's whole list, completely (not a delta, a slice, a child list or a listing apart). */
    public boolean due(JobSpec job, Pull pull) {
        if (!enabled || pull == null || job.sliceOf() != null || job.children() != null || excluded.test(job.jobId())) return false;
        boolean wholeList = pull.isVerification() || pull.watermark() == null;
        return wholeList && pull.status() == PullStatus.DONE && pull.pullId() != null && pull.drift() == null
                && (pull.apiTotal() == null || pull.apiTotal() == pull.storedThisPull());
    }

    /** Marks and unmarks, in one transaction, and adds the count to the job's report (and to variable.reconciledDeleted). */
    public void run(Exchange exchange) throws Exception {
        Pull pull = exchange.getVariable("pull", Pull.class);
        Map<String, Object> more = reconcile(pull.source(), List.of(new Sighting(pull.jobId(), pull.pullId())), "this job");
        if (more.get("reconciledDeleted") != null) exchange.setVariable("reconciledDeleted", more.get("reconciledDeleted"));
        runReport.amend(pull.jobId(), more);
    }

    /**
     * After a sliced job's run (its summary {@code slicedRun}): every slice's latest pull is a complete read of its whole
     * list (DONE, PASS, not a delta) and at least one ran now — then the slices together are the job's list.
     */
    public boolean dueSliced(JobSpec job, Map<String, Object> slicedRun) {
        if (!enabled || slicedRun == null || job.children() != null || !"DONE".equals(slicedRun.get("status"))) return false;
        if (!String.valueOf(slicedRun.get("completeness")).startsWith("PASS") || !(slicedRun.get("slices") instanceof List<?> slices)) return false;
        boolean ranNow = false;
        for (Object o : slices) {
            if (!(o instanceof Map<?, ?> slice) || !Boolean.TRUE.equals(slice.get("wholeListPull"))) return false;
            ranNow |= Boolean.TRUE.equals(slice.get("pulledThisRun"));
        }
        return ranNow;
    }

    /**
     * Reconciles a sliced job over all its slices at once: a lead is missing when a slice saw it before and no slice's
     * latest pull saw it (a lead in two slices, or moved from one value to another, is still listed). Time-range slices
     * are refused, said in the report: a record edited after a range's end, or moved by an edit out of the range it was
     * in, is in no slice's list while it still exists — "not listed" would not mean deleted.
     */
    public void runSliced(Exchange exchange) throws Exception {
        JobSpec job = exchange.getVariable("job", JobSpec.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> slicedRun = exchange.getVariable("slicedRun", Map.class);
        Map<String, Object> more = new LinkedHashMap<>();
        // slices = auto is cut by time too, on the source's delta.param..delta.until-param
        List<String> range = io.leadpipe.config.JobSlices.isAuto(job.slices()) ? List.of("slices = auto")
                : io.leadpipe.config.JobSlices.rangeParameters(job.slices());
        if (!range.isEmpty()) {
            more.put("reconciled", "NOT APPLIED — the job is sliced by a time range (" + String.join("..", range) + "): a record edited after the last"
                    + " range's end, or moved out of its range by an edit, is in no slice's list though it exists, so what the slices no longer list"
                    + " is not a deletion; nothing marked (slice by filter values, or pull the job unsliced, to reconcile)");
            amendSliced(exchange, job.jobId(), more);
            return;
        }
        List<Sighting> pulls = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT pull_id FROM extraction_checkpoint WHERE job_id = ?")) {
            for (Object o : (List<?>) slicedRun.get("slices")) {
                String slice = String.valueOf(((Map<?, ?>) o).get("job"));
                ps.setString(1, slice);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getString(1) == null) return; // a slice without a pull: nothing proven
                    pulls.add(new Sighting(slice, rs.getString(1)));
                }
            }
        }
        more = reconcile(job.source(), pulls, "this job's " + pulls.size() + " slices");
        if (more.get("reconciledDeleted") != null) exchange.setVariable("reconciledDeleted", more.get("reconciledDeleted"));
        amendSliced(exchange, job.jobId(), more);
    }

    /** The sliced job's report, amended, is also its run's summary (variable.slicedRun, which the run prints). */
    private void amendSliced(Exchange exchange, String job, Map<String, Object> more) throws java.io.IOException {
        runReport.amend(job, more);
        Map<String, Object> amended = runReport.latest(job);
        if (amended != null) exchange.setVariable("slicedRun", amended);
    }

    /**
     * Marks the leads the pulls' jobs saw before and none of these pulls saw, unmarks those they saw again, in one
     * transaction; what the report says. {@code whose} names the jobs in the report.
     */
    private Map<String, Object> reconcile(String source, List<Sighting> pulls, String whose) throws SQLException {
        DeltaSpec delta = deltas.get(source);
        Map<String, Object> more = new LinkedHashMap<>();
        String jobs = String.join(", ", java.util.Collections.nCopies(pulls.size(), "?"));
        String now = String.join(" OR ", java.util.Collections.nCopies(pulls.size(), "(j.job_id = ? AND j.pull_id = ?)"));
        String seenByJobs = "EXISTS (SELECT 1 FROM lead_jobs j WHERE j.job_id IN (" + jobs + ") AND j.source = leads.source AND j.lead_key = leads.lead_key)";
        String seenNow = "EXISTS (SELECT 1 FROM lead_jobs j WHERE j.source = leads.source AND j.lead_key = leads.lead_key AND (" + now + "))";
        List<String> jobIds = pulls.stream().map(Sighting::job).toList();
        List<String> nowParams = pulls.stream().flatMap(p -> java.util.stream.Stream.of(p.job(), p.pullId())).toList();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String missingWhere = "source = ? AND deleted_at_source IS NULL AND " + seenByJobs + " AND NOT " + seenNow;
                List<String> missingParams = concat(List.of(source), jobIds, nowParams);
                // a first pull, and most complete ones, list every lead again: when every lead_jobs row of these jobs carries
                // its job's pull, no lead can be missing, and the scans of leads that count and mark the missing ones are skipped
                String notNow = "NOT (" + String.join(" OR ", java.util.Collections.nCopies(pulls.size(), "(j.job_id = ? AND COALESCE(j.pull_id, '') = ?)")) + ")";
                boolean anyNotSeenNow = count(c, "SELECT COUNT(*) FROM lead_jobs j WHERE j.job_id IN (" + jobs + ") AND j.source = ? AND " + notNow,
                        concat(jobIds, List.of(source), nowParams)) > 0;
                long missing = !anyNotSeenNow ? 0 : count(c, "SELECT COUNT(*) FROM leads WHERE " + missingWhere, missingParams);
                // read only when there is a share to check: it counts every lead the jobs saw
                long seenBefore = missing == 0 ? 0 : count(c, "SELECT COUNT(DISTINCT lead_key) FROM lead_jobs WHERE job_id IN (" + jobs + ") AND source = ?",
                        concat(jobIds, List.of(source)));
                if (seenBefore > 0 && missing > maxShare * seenBefore) {
                    more.put("reconciled", "NOT APPLIED — " + missing + " of the " + seenBefore + " leads " + whose + " has seen were not in this complete pull, more than"
                            + " leadpipe.incremental.reconcile-max-share (" + maxShare + "): the list may have been short; nothing marked");
                    c.rollback();
                } else {
                    // a mark is always the moment it is made: the unmarking's range (DeltaWatermarks.UNMARK_OF_SOURCE) relies on it
                    int marked = missing == 0 ? 0 : update(c, "UPDATE leads SET deleted_at_source = CURRENT_TIMESTAMP WHERE " + missingWhere, missingParams);
                    // listed again, live: not deleted (a source that flags deletions on its records unmarks them itself, page by page)
                    int back = delta != null && delta.deletedPointer() != null ? 0 : update(c, DeltaWatermarks.UNMARK_OF_SOURCE + seenNow,
                            concat(List.of(source), nowParams));
                    c.commit();
                    more.put("reconciledDeleted", marked);
                    more.put("reconciled", marked + " leads " + whose + " saw before were not in this complete pull: marked deleted at the source"
                            + (back > 0 ? "; " + back + " listed again, unmarked" : ""));
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return more;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> all = new ArrayList<>();
        for (List<String> l : lists) all.addAll(l);
        return all;
    }

    private static long count(Connection c, String sql, List<String> params) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int update(Connection c, String sql, List<String> params) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), params)) {
            return ps.executeUpdate();
        }
    }

    private static PreparedStatement bind(PreparedStatement ps, List<String> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) ps.setString(i + 1, params.get(i));
        return ps;
    }
}
