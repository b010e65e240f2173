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
    private static final String UPSERT = "MERGE INTO leads t USING (VALUES (CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)), "
            + "CAST(? AS VARCHAR(64)), CAST(? AS INTEGER), CAST(? AS VARCHAR))) AS s (lead_key, source, job_id, pull_id, page_no, payload) ON t.lead_key = s.lead_key "
            + "WHEN MATCHED AND t.payload <> s.payload THEN UPDATE SET source = s.source, job_id = s.job_id, pull_id = s.pull_id, page_no = s.page_no, "
            + "payload = s.payload, fetched_at = CURRENT_TIMESTAMP, sink_status = 'NEW', attempts = 0, last_error = NULL "
            + "WHEN MATCHED THEN UPDATE SET job_id = s.job_id, pull_id = s.pull_id, page_no = s.page_no, fetched_at = CURRENT_TIMESTAMP "
            + "WHEN NOT MATCHED THEN INSERT (lead_key, source, job_id, pull_id, page_no, payload, fetched_at) "
            + "VALUES (s.lead_key, s.source, s.job_id, s.pull_id, s.page_no, s.payload, CURRENT_TIMESTAMP)";
    private static final NamedSql COUNT_FOR_JOB = NamedSql.of("count-for-job", "SELECT COUNT(*) FROM leads WHERE job_id = :job");
    private static final NamedSql COUNT_FOR_PULL = NamedSql.of("count-for-pull", "SELECT COUNT(*) FROM leads WHERE job_id = :job AND pull_id = :pullId");

    private final DataSource dataSource;

    public LeadStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void upsert(PullState pull, FetchedPage page) throws SQLException {
        if (page.records() == 0) return;
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
