package io.leadpipe.store;

import io.leadpipe.config.DeletionFeeds;
import io.leadpipe.delta.DeltaSpec;
import io.leadpipe.delta.PageChanges;
import io.leadpipe.delta.UpdatedAt;
import io.leadpipe.delta.Watermark;
import io.leadpipe.job.Pull;
import io.leadpipe.paging.FetchedPage;
import org.springframework.jdbc.datasource.DataSourceUtils;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.leadpipe.store.NamedSql.values;

/**
 * The delta side of an incremental job's checkpoint (table delta_watermark): the largest updated-at among
 * the records it stored, written in the page's transaction, which is the next delta's watermark; the
 * settings its delta was pulled under; the watermark each pull used and where it came from; and the tally
 * of the pull — changed, new, re-read unchanged, deleted at the source. CheckpointStore opens it in the
 * open's transaction; store-page feeds it in the page's.
 */
public final class DeltaWatermarks {

    private static final NamedSql STARTED = NamedSql.of("delta-started", "MERGE INTO delta_watermark (job_id, source, pull_id, fingerprint, "
            + "largest_updated_at, watermark_used, watermark_origin, watermark_basis, changed_count, new_count, unchanged_count, deleted_count, unreadable_count) "
            + "KEY (job_id) VALUES (:job, :source, :pullId, :fingerprint, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0)");
    private static final NamedSql STARTED_PG = NamedSql.of("delta-started", "INSERT INTO delta_watermark (job_id, source, pull_id, fingerprint, "
            + "largest_updated_at, watermark_used, watermark_origin, watermark_basis, changed_count, new_count, unchanged_count, deleted_count, unreadable_count) "
            + "VALUES (:job, :source, :pullId, :fingerprint, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0) ON CONFLICT (job_id) DO UPDATE SET source = EXCLUDED.source, "
            + "pull_id = EXCLUDED.pull_id, fingerprint = EXCLUDED.fingerprint, largest_updated_at = NULL, watermark_used = NULL, watermark_origin = NULL, "
            + "watermark_basis = NULL, changed_count = 0, new_count = 0, unchanged_count = 0, deleted_count = 0, unreadable_count = 0");
    private static final NamedSql INCREMENTAL = NamedSql.of("delta-incremental", "UPDATE delta_watermark SET pull_id = :pullId, "
            + "watermark_used = :used, watermark_origin = :origin, watermark_basis = :basis, changed_count = 0, new_count = 0, unchanged_count = 0, "
            + "deleted_count = 0, unreadable_count = 0 WHERE job_id = :job");
    private static final NamedSql PAGE = NamedSql.of("delta-page", "UPDATE delta_watermark SET largest_updated_at = :largest, "
            + "changed_count = changed_count + :changed, new_count = new_count + :added, unchanged_count = unchanged_count + :unchanged, "
            + "deleted_count = deleted_count + :deleted, unreadable_count = unreadable_count + :unreadable WHERE job_id = :job AND pull_id = :pullId");

    /**
     * Leads live again at the source (the condition naming them follows): unmarked; one removed from the CRM meanwhile
     * (on-deleted = delete) is delivered again.
     */
    private static final String UNMARK_WHERE = "UPDATE leads SET deleted_at_source = NULL, sink_status = CASE WHEN sink_status IN ('REMOVING', 'REMOVED') "
            + "THEN 'NEW' ELSE sink_status END WHERE ";
    /**
     * Of a source's marked leads (reconciliation's; its condition follows): a range on deleted_at_source, which H2 looks up
     * in the index leads_deleted (V19) — for {@code IS NOT NULL} it read every lead of the source.
     */
    static final String UNMARK_OF_SOURCE = UNMARK_WHERE + "source = ? AND deleted_at_source > TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00' AND ";
    private static final String UNMARK = UNMARK_WHERE + "deleted_at_source IS NOT NULL AND source = ? AND lead_key IN ";
    /** Leads the source flags deleted (the ids follow): marked, kept. A mark is the moment it is made (UNMARK_OF_SOURCE's range relies on it). */
    private static final String MARK = "UPDATE leads SET deleted_at_source = CURRENT_TIMESTAMP WHERE deleted_at_source IS NULL AND source = ? AND lead_key IN ";

    private final DataSource dataSource;
    private final Map<String, DeltaSpec> deltas;
    private final Map<String, String> fingerprints;
    private final DatabaseKind kind = new DatabaseKind();

    /** @param deltas each source's delta; @param fingerprints each source's {@link DeltaSpec#settingsFingerprint} */
    public DeltaWatermarks(DataSource dataSource, Map<String, DeltaSpec> deltas, Map<String, String> fingerprints) {
        this.dataSource = dataSource;
        this.deltas = Map.copyOf(deltas);
        this.fingerprints = Map.copyOf(fingerprints);
    }

    /** The source's declared delta, or null. */
    public DeltaSpec delta(String source) {
        DeltaSpec d = deltas.get(source);
        return d == null || !d.declared() ? null : d;
    }

    /** A new incremental job (or one after reset): its first pull is a full one; the row starts over. */
    void started(Connection c, Pull pull) throws SQLException {
        DeltaSpec d = delta(pull.source());
        if (d == null || pull.watermarkParam() == null) return;
        (kind.postgres(c) ? STARTED_PG : STARTED).update(c, values("job", pull.jobId(), "source", pull.source(), "pullId", pull.pullId(),
                "fingerprint", fingerprints.get(pull.source())));
    }

    /**
     * The watermark of a DONE incremental job's next pull: the largest updated-at it stored, less the overlap,
     * where its records carry one; else the previous pull's start by our clock, less the overlap; none (a full
     * pull again) where the vendor has no filter. Null when this source declares no delta (the caller's clock
     * rule stands). Refuses a job whose delta, URL, body or paging changed since its last pull.
     */
    Watermark nextPull(Connection c, Pull pull, String newPullId, Instant previousStart) throws SQLException {
        DeltaSpec d = delta(pull.source());
        if (d == null) return null;
        if (d.problem() != null) throw new IllegalStateException("job '" + pull.jobId() + "' is incremental, but " + d.problem());
        Map<String, Object> row = row(c, pull.jobId());
        checkSettings(pull, row);
        if (row == null) {
            // an incremental job pulled before its source declared a delta: this pull starts the row
            (kind.postgres(c) ? STARTED_PG : STARTED).update(c, values("job", pull.jobId(), "source", pull.source(), "pullId", newPullId,
                    "fingerprint", fingerprints.get(pull.source())));
        }
        Watermark w = !d.filters() ? null
                : Watermark.next(row == null || !d.fromData() ? null : UpdatedAt.parse((String) row.get("largest_updated_at")), previousStart, d.overlap());
        if (w != null && beyondFeedHistory(pull.source(), previousStart)) {
            // the deletions feed cannot reach back to the previous sync: this pull is a full one, which reconciles
            INCREMENTAL.update(c, values("job", pull.jobId(), "pullId", newPullId, "used", null,
                    "origin", Watermark.Origin.BEYOND_HISTORY.name(), "basis", previousStart.toString()));
            return null;
        }
        INCREMENTAL.update(c, values("job", pull.jobId(), "pullId", newPullId, "used", w == null ? null : w.since().toString(),
                "origin", (w == null ? Watermark.Origin.FULL : w.origin()).name(), "basis", w == null ? null : w.basis().toString()));
        return w;
    }

    /**
     * Whether the source's feed of deletions (Pipedrive's recents) answers only so far back ({@code delta.history-days})
     * and the previous sync, less the feed's overlap, is older than that: the feed's next listing would miss deletions.
     */
    private boolean beyondFeedHistory(String source, Instant previousStart) {
        DeltaSpec feed = deltas.get(DeletionFeeds.of(source));
        return feed != null && feed.historyDays() > 0 && previousStart != null
                && previousStart.minus(feed.overlap()).isBefore(Instant.now().minus(java.time.Duration.ofDays(feed.historyDays())));
    }

    /** A resumed incremental job: refused when its delta, URL, body or paging changed since it was started. */
    void resumed(Connection c, Pull pull) throws SQLException {
        if (delta(pull.source()) == null || pull.watermarkParam() == null) return;
        checkSettings(pull, row(c, pull.jobId()));
    }

    private void checkSettings(Pull pull, Map<String, Object> row) {
        if (row != null && !String.valueOf(row.get("fingerprint")).equals(fingerprints.get(pull.source()))) {
            throw new IllegalStateException("job '" + pull.jobId() + "' was pulled with other settings of source '" + pull.source()
                    + "' (its URL, body, paging or delta.* changed since): its position and watermark mean something else now — run `leadpipe reset "
                    + pull.jobId() + "` to pull it over with the new settings");
        }
    }

    /**
     * Before the page's leads are upserted (same transaction): which of them are new, which changed, which were
     * re-read unchanged; the job's largest updated-at so far.
     */
    public void pageStored(Pull pull, FetchedPage page, PageChanges changes) throws SQLException {
        if (delta(pull.source()) == null || pull.watermarkParam() == null || page.records() == 0 && changes == null) return;
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            Map<String, String> stored = payloads(c, pull.source(), page.ids());
            long added = 0;
            long changed = 0;
            long unchanged = 0;
            for (int i = 0; i < page.records(); i++) {
                String before = stored.get(page.ids().get(i));
                if (before == null) added++;
                else if (before.equals(page.payloads().get(i))) unchanged++;
                else changed++;
            }
            PageChanges ch = changes == null ? PageChanges.NONE : changes;
            Map<String, Object> row = row(c, pull.jobId());
            Instant largest = UpdatedAt.later(row == null ? null : UpdatedAt.parse((String) row.get("largest_updated_at")), ch.largestUpdatedAt());
            PAGE.update(c, values("job", pull.jobId(), "pullId", pull.pullId(), "largest", largest == null ? null : largest.toString(),
                    "changed", changed, "added", added, "unchanged", unchanged, "deleted", (long) ch.deletedIds().size(), "unreadable", (long) ch.unreadable()));
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /** After the upsert (same transaction): leads the API flags deleted are marked so (kept); one back again is not. */
    public void markDeleted(Pull pull, PageChanges changes) throws SQLException {
        if (changes == null || changes.deletedIds().isEmpty() && changes.liveIds().isEmpty()) return;
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            mark(c, MARK, pull.source(), changes.deletedIds());
            // one removed from the CRM meanwhile (leadpipe.sink.crm.on-deleted = delete) is delivered again
            mark(c, UNMARK, pull.source(), changes.liveIds());
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /**
     * A page of a feed of deletions at another endpoint (Pipedrive's recents; its records are not leads): the source's
     * leads it flags deleted are marked (kept), those it shows live unmarked, and the feed job's tally counts the leads
     * it marked — in the page's transaction.
     */
    public void feedPageStored(Pull pull, PageChanges changes) throws SQLException {
        if (changes == null) return;
        String source = DeletionFeeds.parentOf(pull.source());
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            int marked = mark(c, MARK, source, changes.deletedIds());
            mark(c, UNMARK, source, changes.liveIds());
            Map<String, Object> row = row(c, pull.jobId());
            if (row == null) return;
            Instant largest = UpdatedAt.later(UpdatedAt.parse((String) row.get("largest_updated_at")), changes.largestUpdatedAt());
            PAGE.update(c, values("job", pull.jobId(), "pullId", pull.pullId(), "largest", largest == null ? null : largest.toString(),
                    "changed", 0L, "added", 0L, "unchanged", 0L, "deleted", (long) marked, "unreadable", (long) changes.unreadable()));
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /** What the run report and status say of a job's delta: the watermark used, where it came from, the tally; null for none. */
    public Map<String, Object> describe(String job) {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Object> row = row(c, job);
            if (row == null) return null;
            Map<String, Object> r = new LinkedHashMap<>();
            DeltaSpec d = deltas.get(String.valueOf(row.get("source")));
            Object origin = row.get("watermark_origin");
            r.put("deltaWatermark", row.get("watermark_used"));
            r.put("deltaWatermarkFrom", origin == null ? Watermark.Origin.FIRST.name() : origin);
            r.put("deltaWatermarkBasis", row.get("watermark_basis"));
            Instant used = UpdatedAt.parse((String) row.get("watermark_used"));
            Instant basis = UpdatedAt.parse((String) row.get("watermark_basis"));
            r.put("deltaOverlapSeconds", used == null || basis == null ? d == null ? null : d.overlap().toSeconds() : java.time.Duration.between(used, basis).toSeconds());
            r.put("deltaDialect", d == null ? null : d.describe());
            r.put("deltaChanged", row.get("changed_count"));
            r.put("deltaNew", row.get("new_count"));
            r.put("deltaUnchanged", row.get("unchanged_count"));
            r.put("deltaDeleted", row.get("deleted_count"));
            r.put("deltaUnreadableUpdatedAt", row.get("unreadable_count"));
            r.put("deltaLargestUpdatedAt", row.get("largest_updated_at"));
            return r;
        } catch (SQLException e) {
            return null;
        }
    }

    /** For status: each incremental job's delta line (the watermark of its last pull, where it came from, its tally), by job. */
    public Map<String, String> statusLines(java.util.Collection<String> onlyJobs) {
        Map<String, String> lines = new java.util.TreeMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT job_id FROM delta_watermark");
             ResultSet rs = ps.executeQuery()) {
            List<String> jobs = new java.util.ArrayList<>();
            while (rs.next()) jobs.add(rs.getString(1));
            for (String job : jobs) {
                if (onlyJobs != null && !onlyJobs.contains(job)) continue;
                lines.put(job, io.leadpipe.delta.Watermark.reportLine(describe(job)));
            }
        } catch (SQLException e) {
            // a database from before the delta tables: nothing to say
        }
        return lines;
    }

    /** Runs the update for the ids, 500 at a time; the rows it changed. */
    private static int mark(Connection c, String sql, String source, List<String> ids) throws SQLException {
        int changed = 0;
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            try (PreparedStatement ps = c.prepareStatement(sql + "(" + "?,".repeat(chunk.size() - 1) + "?)")) {
                ps.setString(1, source);
                for (int i = 0; i < chunk.size(); i++) ps.setString(i + 2, chunk.get(i));
                changed += ps.executeUpdate();
            }
        }
        return changed;
    }

    private static Map<String, String> payloads(Connection c, String source, List<String> ids) throws SQLException {
        Map<String, String> found = new HashMap<>();
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            try (PreparedStatement ps = c.prepareStatement("SELECT lead_key, payload FROM leads WHERE source = ? AND lead_key IN ("
                    + "?,".repeat(chunk.size() - 1) + "?)")) {
                ps.setString(1, source);
                for (int i = 0; i < chunk.size(); i++) ps.setString(i + 2, chunk.get(i));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) found.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return found;
    }

    private static Map<String, Object> row(Connection c, String job) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM delta_watermark WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                return row;
            }
        }
    }
}
