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
import java.util.LinkedHashMap;
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

    private static final String SEEN_BEFORE = "EXISTS (SELECT 1 FROM lead_jobs j WHERE j.job_id = ? AND j.source = leads.source AND j.lead_key = leads.lead_key"
            + " AND COALESCE(j.pull_id, '') <> ?)";
    private static final String SEEN_NOW = "EXISTS (SELECT 1 FROM lead_jobs j WHERE j.job_id = ? AND j.source = leads.source AND j.lead_key = leads.lead_key"
            + " AND j.pull_id = ?)";

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
        String job = pull.jobId();
        DeltaSpec delta = deltas.get(pull.source());
        Map<String, Object> more = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long seenBefore = count(c, "SELECT COUNT(*) FROM lead_jobs WHERE job_id = ?", job);
                long missing = count(c, "SELECT COUNT(*) FROM leads WHERE source = ? AND deleted_at_source IS NULL AND " + SEEN_BEFORE,
                        pull.source(), job, pull.pullId());
                if (seenBefore > 0 && missing > maxShare * seenBefore) {
                    more.put("reconciled", "NOT APPLIED — " + missing + " of the " + seenBefore + " leads this job has seen were not in this complete pull, more than"
                            + " leadpipe.incremental.reconcile-max-share (" + maxShare + "): the list may have been short; nothing marked");
                    c.rollback();
                } else {
                    int marked = update(c, "UPDATE leads SET deleted_at_source = CURRENT_TIMESTAMP WHERE source = ? AND deleted_at_source IS NULL AND " + SEEN_BEFORE,
                            pull.source(), job, pull.pullId());
                    // listed again, live: not deleted (a source that flags deletions on its records unmarks them itself, page by page)
                    int back = delta != null && delta.deletedPointer() != null ? 0 : update(c, "UPDATE leads SET deleted_at_source = NULL, sink_status = CASE WHEN sink_status IN "
                            + "('REMOVING', 'REMOVED') THEN 'NEW' ELSE sink_status END WHERE source = ? AND deleted_at_source IS NOT NULL AND " + SEEN_NOW,
                            pull.source(), job, pull.pullId());
                    c.commit();
                    exchange.setVariable("reconciledDeleted", marked);
                    more.put("reconciledDeleted", marked);
                    more.put("reconciled", marked + " leads this job saw before were not in this complete pull: marked deleted at the source"
                            + (back > 0 ? "; " + back + " listed again, unmarked" : ""));
                }
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        runReport.amend(job, more);
    }

    private static long count(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int update(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), params)) {
            return ps.executeUpdate();
        }
    }

    private static PreparedStatement bind(PreparedStatement ps, String... params) throws SQLException {
        for (int i = 0; i < params.length; i++) ps.setString(i + 1, params[i]);
        return ps;
    }
}
