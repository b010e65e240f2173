package io.leadpipe.store;

import io.leadpipe.testing.TestWorkspace;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 in the middle of a schema migration on PostgreSQL, where DDL is transactional: the migration is
 * held at its first statement by a lock the test takes on the table (the process is inside Flyway's
 * transaction, holding Flyway's advisory lock), killed with SIGKILL, and the lock released. The server
 * rolls the migration back when it sees the connection gone; the next start migrates, with every lead.
 */
class PostgresMigrationCrashIT {

    @Test
    void aKillInsideAMigrationOnPostgresLeavesADatabaseThatOpensAndMigrates() throws Exception {
        try (TestWorkspace ws = new TestWorkspace().onPostgres()) {
            String url = ws.jdbcUrl();
            Flyway.configure().dataSource(url, "postgres", "").locations("classpath:db/migration").target("2").load().migrate();
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
                st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) "
                        + "SELECT 'L' || x, 'leads-api', 'all-leads', x / 100, '{}', CURRENT_TIMESTAMP FROM generate_series(1, 5000) x");
            }
            Path log = ws.dir.resolve("killed.log");
            try (Connection holder = DriverManager.getConnection(url, "postgres", ""); Statement st = holder.createStatement()) {
                holder.setAutoCommit(false);
                st.execute("LOCK TABLE leads IN ACCESS EXCLUSIVE MODE"); // V3's first ALTER TABLE leads waits here
                Process p = ws.startProcess(log, "status");
                try {
                    await().atMost(Duration.ofSeconds(90)).until(() -> waitingAlter(url) || !p.isAlive());
                    assertThat(p.isAlive()).as("held inside V3; output:%n%s", Files.readString(log)).isTrue();
                } finally {
                    new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
                    p.waitFor();
                }
                holder.rollback();
            }

            Path after = ws.dir.resolve("after.log");
            Process next = ws.startProcess(after, "status");
            assertThat(next.waitFor()).as("the next start after the kill; output:%n%s", Files.readString(after)).isZero();
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
                assertThat(count(st, "SELECT COUNT(*) FROM leads WHERE sink_status = 'NEW'")).as("every lead, migrated").isEqualTo(5000);
                assertThat(count(st, "SELECT COUNT(*) FROM lead_jobs")).isEqualTo(5000);
                assertThat(count(st, "SELECT COUNT(*) FROM flyway_schema_history WHERE NOT success")).isZero();
            }
        }
    }

    /** True while a session waits for a lock in an ALTER TABLE of leads (the process's V3). */
    private static boolean waitingAlter(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
            return count(st, "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%alter table leads%'") > 0;
        }
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
