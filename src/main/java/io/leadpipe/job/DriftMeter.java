package io.leadpipe.job;

import io.leadpipe.paging.Pagers;
import org.apache.camel.Exchange;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Page drift on offset and page-number APIs: when records are inserted or deleted during a pull, later
 * pages shift — inserted records push some into the next page (seen twice), deleted ones pull some back
 * (skipped). Compares the API's total at the first and the latest page and counts records seen twice.
 */
public final class DriftMeter {

    private final DataSource dataSource;
    private final Pagers pagers;
    private final long threshold;

    public DriftMeter(DataSource dataSource, Pagers pagers, long threshold) {
        this.dataSource = dataSource;
        this.pagers = pagers;
        this.threshold = threshold;
    }

    /** Before a page is stored: how many of its leads this pull already stored (offset and page paging only). */
    public void beforeStore(Exchange exchange) throws SQLException {
        if (!pagers.positional(exchange.getVariable("source", String.class))) return;
        @SuppressWarnings("unchecked")
        List<String> ids = exchange.getVariable("pageIds", List.class);
        if (ids == null || ids.isEmpty()) return;
        String sql = "SELECT COUNT(*) FROM leads WHERE pull_id = ? AND lead_key IN (" + "?,".repeat(ids.size() - 1) + "?)";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, exchange.getVariable("pullId", String.class));
            for (int i = 0; i < ids.size(); i++) ps.setString(i + 2, ids.get(i));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long twice = rs.getLong(1);
                exchange.setVariable("seenTwice", exchange.getVariable("seenTwice", 0L, Long.class) + twice);
            }
        }
    }

    /** At the end of a pull: sets {@code variable.drift} to a sentence when the list moved past the threshold, else null. */
    public void evaluate(Exchange exchange) {
        Long first = exchange.getVariable("apiTotalFirst", Long.class);
        Long last = exchange.getVariable("apiTotal", Long.class);
        long seenTwice = exchange.getVariable("seenTwice", 0L, Long.class);
        long delta = first == null || last == null ? 0 : last - first;
        // cursor-style paging is not shifted by inserts and deletes: drift is an offset/page-number problem
        if (!pagers.positional(exchange.getVariable("source", String.class)) || Math.abs(delta) + seenTwice <= threshold) {
            exchange.setVariable("drift", null);
            return;
        }
        long mayBeSkipped = Math.max(0, -delta) + Math.max(0, seenTwice - Math.max(0, delta));
        String job = exchange.getVariable("jobId", String.class);
        exchange.setVariable("driftRecords", Math.max(Math.abs(delta), mayBeSkipped) + seenTwice);
        exchange.setVariable("drift", String.format(java.util.Locale.ROOT,
                "the list changed during the pull: the API's total moved %d → %d (%+d) and %d records were seen twice; up to %d records may have been skipped"
                        + " and %d duplicated — `leadpipe verify %s` re-reads the list and fetches what was missed",
                first, last, delta, seenTwice, Math.max(Math.abs(delta), mayBeSkipped), seenTwice, job));
    }
}
