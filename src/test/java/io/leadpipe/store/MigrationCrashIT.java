package io.leadpipe.store;

import io.leadpipe.testing.PauseAtStatement;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.cli.LeadpipeCli;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 in the middle of a schema migration on H2, where every DDL statement commits on its own: the
 * process is paused by an H2 event listener at a chosen statement of a migration (the statements
 * before it are applied, Flyway has not recorded the migration) and killed with SIGKILL. The next start
 * must finish the migration, with every lead kept.
 */
class MigrationCrashIT {

    @Test
    void aKillInsideTheFirstMigrationIsFinishedByTheNextStart() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        try (TestWorkspace ws = new TestWorkspace()) {
            // V1: extraction_checkpoint is created, then the kill comes as the leads table is being created
            killAt(ws, "pause-at", "create table.*\\bleads\\s*\\(");
            assertThat(tables(ws)).as("half of V1 applied before the kill").contains("EXTRACTION_CHECKPOINT").doesNotContain("LEADS");

            Path log = ws.dir.resolve("after.log");
            Process p = ws.startProcess(log, "status");
            assertThat(p.waitFor()).as("the next start after the kill; output:%n%s", Files.readString(log)).isZero();
            assertThat(tables(ws)).contains("EXTRACTION_CHECKPOINT", "LEADS", "DEAD_LETTER", "ENRICHMENT_CACHE");
            assertThat(failedMigrations(ws)).isZero();
        }
    }

    @Test
    void aKillInsideALaterMigrationOnADatabaseFullOfLeadsKeepsEveryLead() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        try (TestWorkspace ws = new TestWorkspace()) {
            // a database as a release with two migrations left it, full of leads
            Flyway.configure().dataSource(ws.jdbcUrl(), "sa", ws.dbPassword()).locations("classpath:db/migration").target("2").load().migrate();
            try (Connection c = ws.db(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) "
                        + "SELECT 'L' || X, 'leads-api', 'all-leads', X / 100, '{\"id\":\"L' || X || '\"}', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, 5000)");
            }
            // V3 adds seven columns to leads: killed while adding the second (sink_status is there, the rest not)
            killAt(ws, "pause-at", "alter table\\s+leads\\s+add column.*\\battempts\\b");
            assertThat(columns(ws, "LEADS")).as("half of V3 applied before the kill").contains("SINK_STATUS").doesNotContain("ATTEMPTS");

            Path log = ws.dir.resolve("after.log");
            Process p = ws.startProcess(log, "status");
            assertThat(p.waitFor()).as("the next start after the kill; output:%n%s", Files.readString(log)).isZero();
            assertThat(columns(ws, "LEADS")).contains("SINK_STATUS", "ATTEMPTS", "LAST_ERROR", "ENRICHMENT", "CRM_ID", "CRM_VERSION", "DELIVERED_AT");
            assertThat(ws.storedLeadKeys()).as("leads after the crash and the finished migration").hasSize(5000);
            assertThat(failedMigrations(ws)).isZero();
        }
    }

    @Test
    void aKillAfterH2DroppedTheTableItIsCopyingLeavesItsCopyWhichTheNextStartPutsBack() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        try (TestWorkspace ws = new TestWorkspace()) {
            // H2 adds a column by copying the table: CREATE the copy, INSERT … SELECT, DROP the table (committed),
            // rename the copy. Killed before the rename commits, only EXTRACTION_CHECKPOINT_COPY_<session>_<n> is left
            killAt(ws, "pause-after", "alter table\\s+extraction_checkpoint\\s+add column.*\\bmode\\b");
            assertThat(tables(ws)).as("the table H2 was copying").doesNotContain("EXTRACTION_CHECKPOINT")
                    .anySatisfy(t -> assertThat(t).startsWith("EXTRACTION_CHECKPOINT_COPY_"));

            assertNextStartFinishes(ws);
            assertThat(tables(ws)).contains("EXTRACTION_CHECKPOINT", "LEADS").noneSatisfy(t -> assertThat(t).contains("_COPY_"));
            assertThat(columns(ws, "EXTRACTION_CHECKPOINT")).contains("MODE", "PULL_ID", "LEASE_OWNER");
        }
    }

    @Test
    void anUpgradeKilledWhileH2CopiesTheLeadsTableKeepsEveryLead() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        try (TestWorkspace ws = new TestWorkspace()) {
            databaseBefore(ws, "2", 5000);
            // (H2 hands the listener the first ~100 characters of a statement: V3's first one starts with a comment)
            killAt(ws, "pause-after", "alter table\\s+leads\\s+add column.*\\battempts\\b");
            assertThat(tables(ws)).as("the leads table H2 was copying").doesNotContain("LEADS")
                    .anySatisfy(t -> assertThat(t).startsWith("LEADS_COPY_"));

            assertNextStartFinishes(ws);
            assertThat(ws.storedLeadKeys()).as("leads after the crash and the finished migration").hasSize(5000);
            // V18 drops LEADS_JOB and LEADS_PULL by name: only once the copy's indexes had their names back
            assertThat(indexes(ws, "LEADS")).as("the copy's indexes had their names back, and V18 dropped the unused two")
                    .contains("LEADS_SINK").doesNotContain("LEADS_JOB", "LEADS_PULL").noneSatisfy(i -> assertThat(i).contains("_COPY_"));
        }
    }

    /** A database as an earlier release left it (migrated up to {@code version}), holding {@code leads} leads of job all-leads. */
    private static void databaseBefore(TestWorkspace ws, String version, int leads) throws Exception {
        Flyway.configure().dataSource(ws.jdbcUrl(), "sa", ws.dbPassword()).locations("classpath:db/migration").target(version).load().migrate();
        try (Connection c = ws.db(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) "
                    + "SELECT 'L' || X, 'leads-api', 'all-leads', X / 100, '{\"id\":\"L' || X || '\"}', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, " + leads + ")");
        }
    }

    /** `status` after the kill exits 0, with the schema complete and no failed migration in the history. */
    private static void assertNextStartFinishes(TestWorkspace ws) throws Exception {
        Path log = ws.dir.resolve("after.log");
        Process p = ws.startProcess(log, "status");
        assertThat(p.waitFor()).as("the next start after the kill; output:%n%s", Files.readString(log)).isZero();
        assertThat(failedMigrations(ws)).isZero();
        assertThat(tables(ws)).noneSatisfy(t -> assertThat(t).contains("_COPY_"));
    }

    private static List<String> indexes(TestWorkspace ws, String table) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = ws.db(); ResultSet rs = c.getMetaData().getIndexInfo(null, "PUBLIC", table, false, false)) {
            while (rs.next()) names.add(rs.getString("INDEX_NAME"));
        }
        return names;
    }

    /**
     * Starts `status` (which migrates), paused by PauseAtStatement ("pause-at": as the first statement matching the
     * pattern starts; "pause-after": when it has done its work, before it commits), then SIGKILLs it.
     */
    private static void killAt(TestWorkspace ws, String where, String statementPattern) throws Exception {
        Path paused = ws.dir.resolve("paused");
        String url = ws.jdbcUrl();
        ws.settings.put("leadpipe.db.url", url + ";DATABASE_EVENT_LISTENER='" + PauseAtStatement.class.getName() + "'");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dleadpipe-test." + where + "=" + statementPattern, "-Dleadpipe-test.paused=" + paused,
                "-cp", "target/test-classes:target/leadpipe.jar:target/lib/*", LeadpipeCli.class.getName(), "--config", ws.configFile().toString(), "status"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ws.dir.resolve("killed.log").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(paused) || !p.isAlive());
            assertThat(p.isAlive()).as("paused inside the migration; output:%n%s", Files.readString(ws.dir.resolve("killed.log"))).isTrue();
        } finally {
            new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
            p.waitFor();
            ws.settings.put("leadpipe.db.url", url);
        }
    }

    private static List<String> tables(TestWorkspace ws) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = ws.db(); ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "%", new String[]{"TABLE"})) {
            while (rs.next()) names.add(rs.getString("TABLE_NAME"));
        }
        return names;
    }

    private static List<String> columns(TestWorkspace ws, String table) throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = ws.db(); ResultSet rs = c.getMetaData().getColumns(null, "PUBLIC", table, "%")) {
            while (rs.next()) names.add(rs.getString("COLUMN_NAME"));
        }
        return names;
    }

    private static int failedMigrations(TestWorkspace ws) throws Exception {
        try (Connection c = ws.db(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE NOT \"success\"")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
