package io.leadpipe.store;

import io.leadpipe.job.PullState;
import io.leadpipe.paging.FetchedPage;
import org.springframework.jdbc.datasource.DataSourceUtils;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The leads table: one page's leads upserted in one batch, keyed by lead id (a page stored twice changes
 * nothing), and the counts the run report compares. Runs on the page transaction's connection.
 */
public final class LeadStore {

    // Standard SQL MERGE: H2 and PostgreSQL 15+ both run it. A lead whose record changed goes back to NEW
    // for delivery; an unchanged one keeps its delivery state.
    // Parameters are cast to VARCHAR without a length: a CAST to VARCHAR(n) cuts a longer value silently.
    private static final String UPSERT = "MERGE INTO leads t USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), "
            + "CAST(? AS VARCHAR(64)), CAST(? AS INTEGER), CAST(? AS VARCHAR))) AS s (lead_key, source, job_id, pull_id, page_no, payload) ON t.lead_key = s.lead_key "
            + "WHEN MATCHED AND t.payload <> s.payload THEN UPDATE SET source = s.source, job_id = s.job_id, pull_id = s.pull_id, page_no = s.page_no, "
            + "payload = s.payload, fetched_at = CURRENT_TIMESTAMP, sink_status = 'NEW', attempts = 0, last_error = NULL "
            + "WHEN MATCHED THEN UPDATE SET job_id = s.job_id, pull_id = s.pull_id, page_no = s.page_no, fetched_at = CURRENT_TIMESTAMP "
            + "WHEN NOT MATCHED THEN INSERT (lead_key, source, job_id, pull_id, page_no, payload, fetched_at) "
            + "VALUES (s.lead_key, s.source, s.job_id, s.pull_id, s.page_no, s.payload, CURRENT_TIMESTAMP)";
    private static final NamedSql COUNT_FOR_JOB = NamedSql.of("count-for-job", "SELECT COUNT(*) FROM leads WHERE job_id = :job");
    private static final NamedSql COUNT_FOR_PULL = NamedSql.of("count-for-pull", "SELECT COUNT(*) FROM leads WHERE job_id = :job AND pull_id = :pullId");

    /** The most UTF-8 bytes of an id: a primary key has to fit a database index entry (PostgreSQL's holds about 2,700 bytes). */
    public static final int MAX_ID_BYTES = 2000;
    /** The largest value leadpipe.leads.max-id-length may take. */
    public static final int MAX_ID_LENGTH = 2000;

    private final DataSource dataSource;
    private final int maxIdLength;

    /** @param maxIdLength leadpipe.leads.max-id-length: the longest id stored; a longer one fails the job, it is never cut */
    public LeadStore(DataSource dataSource, int maxIdLength) {
        this.dataSource = dataSource;
        this.maxIdLength = maxIdLength;
    }

    public void upsert(PullState pull, FetchedPage page) throws SQLException {
        if (page.records() == 0) return;
        checkIdLengths(page);
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (int i = 0; i < page.records(); i++) {
                ps.setString(1, page.ids().get(i));
                ps.setString(2, pull.source());
                ps.setString(3, pull.jobId());
                ps.setString(4, pull.pullId());
                ps.setInt(5, page.pageNo());
                ps.setString(6, page.payloads().get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
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
    public void countAtStart(PullState pull) throws SQLException {
        pull.storedBefore(count(COUNT_FOR_JOB, pull));
    }

    /** Leads stored for the job now, and distinct leads stored by this pull (the completeness proof). */
    public void countAtEnd(PullState pull) throws SQLException {
        pull.storedAfter(count(COUNT_FOR_JOB, pull), count(COUNT_FOR_PULL, pull));
    }

    private long count(NamedSql sql, PullState pull) throws SQLException {
        Connection c = DataSourceUtils.getConnection(dataSource);
        try (PreparedStatement ps = sql.prepare(c, NamedSql.values("job", pull.jobId(), "pullId", pull.pullId())); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }
}
