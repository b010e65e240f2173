package io.leadpipe.store;

import io.leadpipe.job.Pull;
import io.leadpipe.paging.FetchedPage;
import org.springframework.jdbc.datasource.DataSourceUtils;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;

/**
 * The leads table: one page's leads upserted in one batch, keyed by (source, lead id) — a page stored twice
 * changes nothing — and which jobs saw them (lead_jobs), for the counts the run report compares. Runs on the
 * page transaction's connection.
 *
 * <p>Jobs whose lists overlap store the same lead at the same moment. PostgreSQL's {@code INSERT … ON CONFLICT}
 * settles that itself; H2 has no such statement, and its MERGE (like PostgreSQL's) lets the second of two
 * concurrent inserts fail with a unique-key violation once the first commits. So the page's rows are written
 * in id order (two pages never wait on each other in a circle), and a page that lost such a race is written
 * again: the other job's row is then there, and it is updated. H2 undoes only the statement that failed, and
 * writing a lead twice is an upsert, so H2 writes the page again in place; PostgreSQL aborts the whole
 * transaction on an error, so there the page is written under a savepoint and again from it. (Not on H2: a
 * SAVEPOINT empties H2's cache of parsed statements, and both MERGEs were parsed again on every page, 8% of
 * the pulling thread's time in `bench/run overhead`.)
 */
public final class LeadStore {

    /**
     * H2: standard MERGE. A lead whose record changed goes back to NEW for delivery; an unchanged one is not
     * written at all (a re-pull of the same list rewrote every row and its index entries: issue 25), so
     * fetched_at is when its record was last stored new or changed.
     */
    private static final NamedSql H2_LEAD = NamedSql.of("upsert-lead", "MERGE INTO leads t USING (VALUES (CAST(:source AS VARCHAR), "
            + "CAST(:key AS VARCHAR), CAST(:job AS VARCHAR), CAST(:pullId AS VARCHAR), CAST(:page AS INTEGER), CAST(:payload AS VARCHAR))) "
            + "AS s (source, lead_key, job_id, pull_id, page_no, payload) ON t.source = s.source AND t.lead_key = s.lead_key "
            + "WHEN MATCHED AND t.payload <> s.payload THEN UPDATE SET payload = s.payload, fetched_at = CURRENT_TIMESTAMP, "
            + "sink_status = 'NEW', attempts = 0, last_error = NULL "
            + "WHEN NOT MATCHED THEN INSERT (source, lead_key, job_id, pull_id, page_no, payload, fetched_at) "
            + "VALUES (s.source, s.lead_key, s.job_id, s.pull_id, s.page_no, s.payload, CURRENT_TIMESTAMP)");
    /** H2: the job saw the lead in this pull, on this page (one writer per job, so no race here). */
    private static final NamedSql H2_SEEN = NamedSql.of("lead-seen-by-job", "MERGE INTO lead_jobs t USING (VALUES (CAST(:job AS VARCHAR), "
            + "CAST(:source AS VARCHAR), CAST(:key AS VARCHAR), CAST(:pullId AS VARCHAR), CAST(:page AS INTEGER))) "
            + "AS s (job_id, source, lead_key, pull_id, page_no) ON t.job_id = s.job_id AND t.source = s.source AND t.lead_key = s.lead_key "
            + "WHEN MATCHED THEN UPDATE SET pull_id = s.pull_id, page_no = s.page_no, last_seen_at = CURRENT_TIMESTAMP "
            + "WHEN NOT MATCHED THEN INSERT (job_id, source, lead_key, pull_id, page_no, first_seen_at, last_seen_at) "
            + "VALUES (s.job_id, s.source, s.lead_key, s.pull_id, s.page_no, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
    /** PostgreSQL: the same, as INSERT … ON CONFLICT, which does not race; an unchanged lead is not updated (no dead row per re-pull). */
    private static final NamedSql PG_LEAD = NamedSql.of("upsert-lead", "INSERT INTO leads AS t (source, lead_key, job_id, pull_id, page_no, payload, fetched_at) "
            + "VALUES (:source, :key, :job, :pullId, :page, :payload, CURRENT_TIMESTAMP) ON CONFLICT (source, lead_key) DO UPDATE SET "
            + "payload = EXCLUDED.payload, fetched_at = CURRENT_TIMESTAMP, sink_status = 'NEW', attempts = 0, last_error = NULL "
            + "WHERE t.payload <> EXCLUDED.payload");
    private static final NamedSql PG_SEEN = NamedSql.of("lead-seen-by-job", "INSERT INTO lead_jobs (job_id, source, lead_key, pull_id, page_no, first_seen_at, last_seen_at) "
            + "VALUES (:job, :source, :key, :pullId, :page, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) ON CONFLICT (job_id, source, lead_key) DO UPDATE SET "
            + "pull_id = EXCLUDED.pull_id, page_no = EXCLUDED.page_no, last_seen_at = CURRENT_TIMESTAMP");
    private static final NamedSql COUNT_FOR_JOB = NamedSql.of("count-for-job", "SELECT COUNT(*) FROM lead_jobs WHERE job_id = :job");
    /** The job's leads and, among them, the ones this pull stored: one read of the job's rows, not two (bench/run steps). */
    private static final NamedSql COUNT_AT_END = NamedSql.of("count-at-end",
            "SELECT COUNT(*), COUNT(CASE WHEN pull_id = :pullId THEN 1 END) FROM lead_jobs WHERE job_id = :job");
    /** How often a page that lost an insert race to another job is written again (each time the other job's rows are committed). */
    private static final int ATTEMPTS = 10;
    private static final int H2_CONCURRENT_UPDATE = 90131;
    private static final int H2_LOCK_TIMEOUT = 50200;
    private static final int H2_GENERAL_ERROR = 50000;
    private static final int MVSTORE_ILLEGAL_TX_STATE = 103;

    /** The most UTF-8 bytes of an id: a primary key has to fit a database index entry (PostgreSQL's holds about 2,700 bytes). */
    public static final int MAX_ID_BYTES = 2000;
    /** The largest value leadpipe.leads.max-id-length may take. */
    public static final int MAX_ID_LENGTH = 2000;

    private final DataSource dataSource;
    private final int maxIdLength;
    private final DatabaseKind kind = new DatabaseKind();

    /** @param maxIdLength leadpipe.leads.max-id-length: the longest id stored; a longer one fails the job, it is never cut */
    /** The statement a lead is upserted with (the overhead benchmark's raw loop runs this same one). */
    public static NamedSql upsertLeadStatement(boolean postgres) {
        return postgres ? PG_LEAD : H2_LEAD;
    }

    /** The statement that records a lead as seen by a job's pull. */
    public static NamedSql leadSeenStatement(boolean postgres) {
        return postgres ? PG_SEEN : H2_SEEN;
    }

    public LeadStore(DataSource dataSource, int maxIdLength) {
        this.dataSource = dataSource;
        this.maxIdLength = maxIdLength;
    }

    public void upsert(io.leadpipe.paging.PullPosition pull, FetchedPage page) throws SQLException {
        if (page.records() == 0) return;
        checkIdLengths(page);
        // one order for every writer: two pages that share leads never hold one each and wait for the other
        Integer[] order = new Integer[page.records()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, Comparator.comparing(page.ids()::get));
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            boolean pg = kind.postgres(c);
            for (int attempt = 1; ; attempt++) {
                Savepoint before = pg && !c.getAutoCommit() ? c.setSavepoint() : null;
                try {
                    batch(c, pg ? PG_LEAD : H2_LEAD, pull, page, order);
                    batch(c, pg ? PG_SEEN : H2_SEEN, pull, page, order);
                    if (before != null) c.releaseSavepoint(before);
                    return;
                } catch (SQLException e) {
                    if (!lostInsertRace(e)) throw e;
                    // the database rolled back this page's whole transaction to break a deadlock (H2 does for its
                    // 40001, the savepoint goes with it): only the whole page, run again in a new transaction, can
                    // store it (PageTransaction's caller does that)
                    boolean wholeTransaction = abortedByDatabase(e) || (!pg && deadlock(e)) || (before != null && !rolledBackTo(c, before));
                    if (wholeTransaction && !c.getAutoCommit()) throw new PageConflictException(pull, page, e);
                    if (attempt == ATTEMPTS) throw e;
                }
            }
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /** The page's rows in {@code order}, bound by position (no map per lead), as one JDBC batch. */
    private static void batch(Connection c, NamedSql sql, io.leadpipe.paging.PullPosition pull, FetchedPage page, Integer[] order) throws SQLException {
        try (PreparedStatement ps = sql.prepareBatch(c)) {
            for (int i : order) {
                sql.addBatch(ps, name -> switch (name) {
                    case "source" -> pull.source();
                    case "key" -> page.ids().get(i);
                    case "job" -> pull.jobId();
                    case "pullId" -> pull.pullId();
                    case "page" -> page.pageNo();
                    case "payload" -> page.payloads().get(i);
                    default -> throw new IllegalArgumentException("statement " + sql.name() + ": no value for :" + name);
                });
            }
            ps.executeBatch();
        }
    }

    /** A deadlock the database broke (H2 rolls back the victim's whole transaction for it, not only the statement). */
    private static boolean deadlock(SQLException e) {
        return anyError(e, n -> "40001".equals(n.getSQLState()));
    }

    /**
     * Another transaction inserted the same key first (unique violation; H2's "concurrent update" from MERGE),
     * or H2 gave up waiting for another job's page to commit (its lock timeout, 1 s by default, runs out on a
     * busy machine), or broke a deadlock at this page's expense. Rows are locked in one order, so the other page
     * is not waiting for this one: it commits. The savepoint rollback releases this page's locks; where the
     * database has rolled back the whole transaction instead, the page is stored again from the start.
     */
    static boolean lostInsertRace(SQLException e) {
        return anyError(e, n -> {
            String state = n.getSQLState();
            return "23505".equals(state) || n.getErrorCode() == H2_CONCURRENT_UPDATE || n.getErrorCode() == H2_LOCK_TIMEOUT
                    // a deadlock the database broke (say with a delivery batch, which locks in the database's order): this page gives way
                    || "40001".equals(state) || "40P01".equals(state)
                    || abortedByDatabase(n);
        });
    }

    /**
     * H2 chose this page's transaction as another one's deadlock victim while it was not waiting for a lock:
     * its next statement fails with "Transaction N has status ROLLING_BACK, not OPEN" (MVStore's illegal-state
     * error 103, inside H2's general error), and only a rollback of the whole transaction ends it.
     */
    static boolean abortedByDatabase(SQLException e) {
        return anyError(e, n -> n.getErrorCode() == H2_GENERAL_ERROR && String.valueOf(n.getMessage()).contains("/" + MVSTORE_ILLEGAL_TX_STATE + "]"));
    }

    /** The error, its causes and the batch's chained errors: does any match? */
    private static boolean anyError(SQLException e, java.util.function.Predicate<SQLException> test) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException n = s; n != null; n = n.getNextException()) if (test.test(n)) return true;
            }
        }
        return false;
    }

    /** False when the savepoint is gone: the database has rolled back the whole transaction. */
    private static boolean rolledBackTo(Connection c, Savepoint savepoint) {
        try {
            c.rollback(savepoint);
            return true;
        } catch (SQLException gone) {
            return false;
        }
    }


    /** Before anything of the page is written: an id too long to store whole stops the job, naming the setting (the id itself is not shown). */
    private void checkIdLengths(FetchedPage page) {
        for (int i = 0; i < page.records(); i++) {
            String id = page.ids().get(i);
            int bytes = id.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (id.length() > maxIdLength || bytes > MAX_ID_BYTES) {
                throw new LeadIdTooLongException(String.format(java.util.Locale.ROOT,
                        "record %d of page %d has an id of %d characters (%d bytes in UTF-8), longer than %s: leadpipe stores ids whole and never cuts them;"
                                + " if the API's ids are this long, raise leadpipe.leads.max-id-length (at most %d characters and %d bytes)",
                        i + 1, page.pageNo(), id.length(), bytes,
                        id.length() > maxIdLength ? "leadpipe.leads.max-id-length (" + maxIdLength + ")" : "the " + MAX_ID_BYTES + " bytes a database index holds",
                        MAX_ID_LENGTH, MAX_ID_BYTES));
            }
        }
    }

    /** An id longer than the configured bound: not retried (the same page would come again). */
    public static final class LeadIdTooLongException extends IllegalStateException {
        LeadIdTooLongException(String message) {
            super(message);
        }
    }

    /** Leads stored for the job before this run. */
    public void countAtStart(Pull pull) throws SQLException {
        pull.storedBefore(counts(COUNT_FOR_JOB, pull)[0]);
    }

    /** Leads stored for the job now, and distinct leads stored by this pull (the completeness proof). */
    public void countAtEnd(Pull pull) throws SQLException {
        long[] n = counts(COUNT_AT_END, pull);
        pull.storedAfter(n[0], n[1]);
    }

    /** Distinct leads stored for any of these jobs (a sliced job's slices: a lead in two slices counts once). */
    public long distinctLeadsOf(java.util.Collection<String> jobs) {
        if (jobs.isEmpty()) return 0;
        String sql = "SELECT COUNT(*) FROM (SELECT DISTINCT source, lead_key FROM lead_jobs WHERE job_id IN (" + "?,".repeat(jobs.size() - 1) + "?)) d";
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (String job : jobs) ps.setString(i++, job);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("counting the leads of jobs " + jobs + ": " + e.getMessage(), e);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    /** The counts one row of the statement gives, in its columns' order. */
    private long[] counts(NamedSql sql, Pull pull) throws SQLException {
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = sql.prepare(c, NamedSql.values("job", pull.jobId(), "pullId", pull.pullId())); ResultSet rs = ps.executeQuery()) {
            rs.next();
            long[] n = new long[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < n.length; i++) n[i] = rs.getLong(i + 1);
            return n;
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }
}
