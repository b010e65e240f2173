package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import org.springframework.jdbc.datasource.DataSourceUtils;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Page drift on offset and page-number APIs: when records are inserted or deleted during a pull, later
 * pages shift — inserted records push some into the next page (seen twice), deleted ones pull some back
 * (skipped). Compares the API's total at the first and the latest page and counts records seen twice.
 */
public final class DriftMeter {

    /** What drifted: a sentence for the report, and how many records may have been skipped or duplicated. */
    public record Drift(String sentence, long records) {}

    private final DataSource dataSource;
    private final long threshold;

    public DriftMeter(DataSource dataSource, long threshold) {
        this.dataSource = dataSource;
        this.threshold = threshold;
    }

    /** Before a page is stored: how many of its leads this pull already stored (offset and page paging only). */
    public void countSeenTwice(Pull pull, FetchedPage page) throws SQLException {
        if (!pull.positional() || page.records() == 0) return;
        // lead_jobs: what this job's pull stored (a lead row may have been stored by another job too)
        String sql = "SELECT COUNT(*) FROM lead_jobs WHERE job_id = ? AND pull_id = ? AND source = ? AND lead_key IN (" + "?,".repeat(page.records() - 1) + "?)";
        // the page's transaction's connection, when there is one
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, pull.jobId());
            ps.setString(2, pull.pullId());
            ps.setString(3, pull.source());
            for (int i = 0; i < page.records(); i++) ps.setString(i + 4, page.ids().get(i));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                pull.seenTwice(rs.getLong(1));
            }
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /** At the end of a pull: tells the pull whether its list drifted past the threshold. */
    public void evaluate(Pull pull) {
        Drift d = assess(pull.positional(), pull.apiTotalFirst(), pull.apiTotal(), pull.seenTwice(), threshold, pull.jobId());
        pull.drifted(d == null ? null : d.sentence(), d == null ? 0 : d.records());
    }

    /** Cursor-style paging is not shifted by inserts and deletes: drift is an offset/page-number problem. */
    static Drift assess(boolean positional, Long first, Long last, long seenTwice, long threshold, String job) {
        long delta = first == null || last == null ? 0 : last - first;
        if (!positional || Math.abs(delta) + seenTwice <= threshold) return null;
        long mayBeSkipped = Math.max(Math.abs(delta), Math.max(0, -delta) + Math.max(0, seenTwice - Math.max(0, delta)));
        return new Drift(String.format(java.util.Locale.ROOT,
                "the list changed during the pull: the API's total moved %d → %d (%+d) and %d records were seen twice; up to %d records may have been skipped"
                        + " and %d duplicated — `leadpipe verify %s` re-reads the list and fetches what was missed",
                first, last, delta, seenTwice, mayBeSkipped, seenTwice, job), mayBeSkipped + seenTwice);
    }
}
