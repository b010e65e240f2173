package io.leadpipe;

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
        if (TestWorkspace.POSTGRES) return;
        try (TestWorkspace ws = new TestWorkspace()) {
            // V1: extraction_checkpoint is created, then the kill comes as the leads table is being created
            killAt(ws, "create table.*\\bleads\\s*\\(");
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
        if (TestWorkspace.POSTGRES) return;
        try (TestWorkspace ws = new TestWorkspace()) {
            // a database as a release with two migrations left it, full of leads
            Flyway.configure().dataSource(ws.jdbcUrl(), "sa", ws.dbPassword()).locations("classpath:db/migration").target("2").load().migrate();
            try (Connection c = ws.db(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) "
                        + "SELECT 'L' || X, 'leads-api', 'all-leads', X / 100, '{\"id\":\"L' || X || '\"}', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, 5000)");
            }
            // V3 adds seven columns to leads: killed while adding the second (sink_status is there, the rest not)
            killAt(ws, "alter table\\s+leads\\s+add column.*\\battempts\\b");
            assertThat(columns(ws, "LEADS")).as("half of V3 applied before the kill").contains("SINK_STATUS").doesNotContain("ATTEMPTS");

            Path log = ws.dir.resolve("after.log");
            Process p = ws.startProcess(log, "status");
            assertThat(p.waitFor()).as("the next start after the kill; output:%n%s", Files.readString(log)).isZero();
            assertThat(columns(ws, "LEADS")).contains("SINK_STATUS", "ATTEMPTS", "LAST_ERROR", "ENRICHMENT", "CRM_ID", "CRM_VERSION", "DELIVERED_AT");
            assertThat(ws.storedLeadKeys()).as("leads after the crash and the finished migration").hasSize(5000);
            assertThat(failedMigrations(ws)).isZero();
        }
    }

    /** Starts `status` (which migrates), paused by PauseAtStatement at the first statement matching the pattern, then SIGKILLs it. */
    private static void killAt(TestWorkspace ws, String statementPattern) throws Exception {
        Path paused = ws.dir.resolve("paused");
        String url = ws.jdbcUrl();
        ws.settings.put("leadpipe.db.url", url + ";DATABASE_EVENT_LISTENER='" + PauseAtStatement.class.getName() + "'");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dleadpipe-test.pause-at=" + statementPattern, "-Dleadpipe-test.paused=" + paused,
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
