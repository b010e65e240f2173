package io.leadpipe.store;

import io.leadpipe.job.SavedCheckpoint;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

import static io.leadpipe.store.NamedSql.values;

/**
 * The named statements of a job's checkpoint: its row in extraction_checkpoint (position, counts, status,
 * lease), its pages stored ahead (pages_stored_ahead) and its pull's page fingerprints (CAMEL_MESSAGEPROCESSED).
 * Only PullRepository and CheckpointVerbs run them.
 */
final class CheckpointSql {

    static final String PAGE_REPOSITORY = "leadpipe-pages";
    private static final String RELEASE = JobLease.CLEARED;

    static final NamedSql SAVED_COUNTS = NamedSql.of("saved-counts", "SELECT job_id, requests, lead_count FROM extraction_checkpoint");
    static final NamedSql READ = NamedSql.of("read", "SELECT status, filters, filter_hash, pull_id, mode, next_cursor, page_no, lead_count, "
            + "api_total_first, api_total_last, requests, duplicate_pages, seen_twice, since_watermark, pull_started_at, "
            + "lease_owner, lease_host, lease_pid, lease_since, lease_expires_at FROM extraction_checkpoint WHERE job_id = :job FOR UPDATE");
    static final NamedSql CREATE = NamedSql.of("create", "INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, next_cursor, page_no, "
            + "lead_count, status, pull_id, mode, started_at, updated_at, pull_started_at) VALUES (:job, :source, :filters, :filterHash, NULL, 0, 0, 'RUNNING', "
            + ":pullId, 'PULL', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
    /** One writer per job: taken at open in the transaction that read the row (FOR UPDATE), so two processes cannot both take it. */
    static final NamedSql TAKE_LEASE = NamedSql.of("take-lease", "UPDATE extraction_checkpoint SET lease_owner = :owner, lease_host = :host, "
            + "lease_pid = :pid, lease_since = :now, lease_heartbeat_at = :now, lease_expires_at = :expires WHERE job_id = :job");
    static final NamedSql RENEW_LEASE = NamedSql.of("renew-lease", "UPDATE extraction_checkpoint SET lease_heartbeat_at = :now, "
            + "lease_expires_at = :expires WHERE job_id = :job AND lease_owner = :owner");
    /** A new pull over the same row (incremental, verification): position and counts back to the first page. */
    static final NamedSql FRESH_PULL = NamedSql.of("fresh-pull", "UPDATE extraction_checkpoint SET status = 'RUNNING', mode = :mode, "
            + "next_cursor = NULL, page_no = 0, lead_count = 0, pull_id = :pullId, since_watermark = :watermark, pull_started_at = CURRENT_TIMESTAMP, "
            + "api_total_first = NULL, api_total_last = NULL, duplicate_pages = 0, seen_twice = 0, drift = NULL, error = NULL, finished_at = NULL, "
            + "updated_at = CURRENT_TIMESTAMP WHERE job_id = :job");
    static final NamedSql RESUME = NamedSql.of("resume", "UPDATE extraction_checkpoint SET status = 'RUNNING', error = NULL, pull_id = :pullId, "
            + "updated_at = CURRENT_TIMESTAMP WHERE job_id = :job");
    static final NamedSql SAVE = NamedSql.of("save", "UPDATE extraction_checkpoint SET next_cursor = :position, page_no = :page, lead_count = :leads, "
            + "api_total_first = :apiTotalFirst, api_total_last = :apiTotal, requests = :requests, duplicate_pages = :duplicatePages, "
            + "seen_twice = :seenTwice, lease_heartbeat_at = :now, lease_expires_at = :expires, updated_at = CURRENT_TIMESTAMP "
            + "WHERE job_id = :job AND lease_owner = :owner");
    static final NamedSql DONE = NamedSql.of("done", "UPDATE extraction_checkpoint SET status = 'DONE', error = NULL, drift = :drift, "
            + "requests = :requests, finished_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP, " + RELEASE + " WHERE job_id = :job AND lease_owner = :owner");
    /** The ends of a run other than DONE: the reason recorded, position and counts as saved, the lease released. */
    static final NamedSql CAPPED = stopped("capped", "CAPPED");
    static final NamedSql INTERRUPTED = stopped("interrupted", "INTERRUPTED");
    static final NamedSql PAUSED = stopped("paused", "PAUSED");
    /** Only by the run holding the lease: a run whose lease was taken over leaves the row to the new holder (or its DONE). */
    static final NamedSql FAILED = stopped("failed", "FAILED");
    /**
     * When the lease was never taken (open failed): a row another process holds is not touched, and its request
     * count (the job's credit over all runs) is left as it is — this run made none.
     */
    static final NamedSql FAILED_UNLEASED = NamedSql.of("failed-unleased", "UPDATE extraction_checkpoint SET status = 'FAILED', error = :error, "
            + "updated_at = CURRENT_TIMESTAMP WHERE job_id = :job AND lease_owner IS NULL");
    static final NamedSql FORGET_PAGE_KEYS = NamedSql.of("forget-page-keys", "DELETE FROM CAMEL_MESSAGEPROCESSED WHERE processorName = '"
            + PAGE_REPOSITORY + "' AND messageId LIKE (SELECT pull_id FROM extraction_checkpoint WHERE job_id = :job) || ':%'");
    /** Parallel pages: a page stored past the checkpoint, and the rows the checkpoint has passed (V11). */
    static final NamedSql STORE_AHEAD = NamedSql.of("store-ahead", "INSERT INTO pages_stored_ahead (job_id, pull_id, page_no, next_position, api_total) "
            + "VALUES (:job, :pullId, :page, :next, :apiTotal)");
    static final NamedSql PASSED_AHEAD = NamedSql.of("passed-ahead", "DELETE FROM pages_stored_ahead WHERE job_id = :job AND page_no <= :page");
    static final NamedSql READ_AHEAD = NamedSql.of("read-ahead", "SELECT page_no, next_position, api_total FROM pages_stored_ahead "
            + "WHERE job_id = :job AND pull_id = :pullId ORDER BY page_no");
    static final NamedSql FORGET_AHEAD = NamedSql.of("forget-ahead", "DELETE FROM pages_stored_ahead WHERE job_id = :job");
    static final NamedSql JOBS = NamedSql.of("jobs", "SELECT job_id FROM extraction_checkpoint ORDER BY job_id");
    static final NamedSql DELETE = NamedSql.of("delete", "DELETE FROM extraction_checkpoint WHERE job_id = :job");

    private CheckpointSql() {
    }

    private static NamedSql stopped(String name, String status) {
        return NamedSql.of(name, "UPDATE extraction_checkpoint SET status = '" + status + "', error = :reason, requests = :requests, "
                + "updated_at = CURRENT_TIMESTAMP, " + RELEASE + " WHERE job_id = :job AND lease_owner = :owner");
    }

    /** A checkpoint row as read (and locked) at open: where the pull stands, and who holds the job. */
    record Row(SavedCheckpoint saved, JobLease lease) {}

    static Row read(Connection c, String job) throws SQLException {
        try (PreparedStatement ps = READ.prepare(c, values("job", job)); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            JobLease lease = JobLease.read(rs);
            return new Row(new SavedCheckpoint(rs.getString("status"), rs.getString("filters"), rs.getString("filter_hash"), rs.getString("pull_id"),
                    rs.getString("mode"), rs.getString("next_cursor"), rs.getInt("page_no"), rs.getLong("lead_count"),
                    nullableLong(rs, "api_total_first"), nullableLong(rs, "api_total_last"), rs.getLong("requests"),
                    rs.getInt("duplicate_pages"), rs.getLong("seen_twice"), rs.getString("since_watermark"),
                    instant(rs, "pull_started_at")), lease);
        }
    }

    /** reset and verify rewrite the row a running pull writes to: not while a live process holds the job (the row stays locked until the caller commits). */
    static void refuseWhileHeld(Connection c, String job) throws SQLException {
        Row row = read(c, job);
        if (row != null && row.lease().keepsOthersOut(Instant.now())) throw new CheckpointVerbs.JobBusyException(row.lease().describe(job));
    }

    /** The one way a row starts over: the old pull's page fingerprints and pages stored ahead go, position and counts back to zero. */
    static int freshPull(Connection c, String job, String mode, String pullId, String watermark) throws SQLException {
        forgetPull(c, job);
        return FRESH_PULL.update(c, values("job", job, "mode", mode, "pullId", pullId, "watermark", watermark));
    }

    static void forgetPull(Connection c, String job) throws SQLException {
        FORGET_PAGE_KEYS.update(c, values("job", job));
        FORGET_AHEAD.update(c, values("job", job));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** On the current transaction's connection when there is one (the page's), else on its own. */
    static <T> T withConnection(DataSource dataSource, SqlWork<T> work) throws SQLException {
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            return work.run(c);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    static <T> T inTransaction(TransactionTemplate transaction, DataSource dataSource, SqlWork<T> work) {
        return transaction.execute(tx -> {
            try {
                return withConnection(dataSource, work);
            } catch (SQLException e) {
                throw new CheckpointException(e);
            }
        });
    }

    /** A database error in a checkpoint transition (unchecked so it can leave a transaction callback). */
    static final class CheckpointException extends RuntimeException {
        CheckpointException(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        String sqlState() {
            return ((SQLException) getCause()).getSQLState();
        }
    }
}
