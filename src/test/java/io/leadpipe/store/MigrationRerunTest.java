package io.leadpipe.store;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.cli.LeadpipeCli;

import io.leadpipe.config.Settings;
import io.leadpipe.store.Database;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Schema migrations after a crash half-way through one (an in-process simulation: the first statements
 * of a migration are applied by hand, as H2 had committed them when the process died, and Flyway has no
 * row for it), and databases made by the releases before the migrations were made re-runnable.
 */
class MigrationRerunTest {

    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");

    @Test
    void everyMigrationIsFinishedByTheNextStartAfterACrashAtAnyOfItsStatements() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only"); // PostgreSQL runs a migration in one transaction: a crash leaves none of it
        List<Path> files;
        try (Stream<Path> s = Files.list(MIGRATIONS)) {
            files = s.filter(f -> VERSION.matcher(f.getFileName().toString()).matches()).sorted((a, b) -> version(a) - version(b)).toList();
        }
        int cases = 0;
        Path scripts = Files.createTempDirectory("leadpipe-rerun");
        for (Path file : files) {
            List<String> statements = statements(Files.readString(file));
            int v = version(file);
            // as Flyway leaves it when it starts migration v: its history table made, versions before v applied (the
            // version before v that exists: numbers may have gaps while reserved ones are not merged yet). Made once
            // per version and copied into each case's database as a script (Flyway from V1 per case was most of the time)
            String base = "jdbc:h2:mem:rerun-base" + v + ";DB_CLOSE_DELAY=-1";
            if (v > 1) Flyway.configure().dataSource(base, "sa", "").locations("classpath:db/migration").target(Integer.toString(previousVersion(v))).load().migrate();
            else Flyway.configure().dataSource(base, "sa", "").locations("classpath:db/no-migrations-here").load().migrate();
            Path script = scripts.resolve("V" + v + ".sql");
            try (Connection c = DriverManager.getConnection(base, "sa", ""); Statement st = c.createStatement()) {
                st.execute("SCRIPT TO '" + script + "'");
            }
            shutdown(base);
            for (int applied = 1; applied < statements.size(); applied++) {
                String url = "jdbc:h2:mem:rerun" + (cases++) + ";DB_CLOSE_DELAY=-1";
                try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
                    st.execute("RUNSCRIPT FROM '" + script + "'");
                }
                try (Connection c = DriverManager.getConnection(url, "sa", "")) {
                    assertThat(c.getMetaData().getTables(null, null, "flyway_schema_history", null).next()).as("history table before %s", file).isTrue();
                }
                try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
                    for (String sql : statements.subList(0, applied)) st.execute(sql);
                }
                try (Database db = Database.open(settings(url)).migrate(); Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE NOT \"success\"")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("%s killed after statement %d of %d", file.getFileName(), applied, statements.size()).isZero();
                    }
                }
                shutdown(url);
            }
        }
        try (Stream<Path> left = Files.list(scripts)) {
            for (Path f : left.toList()) Files.delete(f);
        }
        Files.delete(scripts);
        assertThat(cases).as("crash points tried").isGreaterThan(20);
    }

    @Test
    void aDatabaseMadeByTheEarlierMigrationsStillOpens() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
            Flyway.configure().dataSource(ws.jdbcUrl(), "sa", "").locations("classpath:db/legacy-migration").load().migrate();
            TestWorkspace.CliResult status = ws.cli(Map.of(), "status");
            assertThat(status.exitCode()).as("status on a database migrated by the first releases: %s", status.err()).isZero();
            Flyway.configure().dataSource(ws.jdbcUrl(), "sa", ws.dbPassword()).locations("classpath:db/migration").load().validate();
        }
    }

    @Test
    void theStateTheOldMigrationsLeftAfterACrashIsExplainedAndRepaired() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
            // issue 14: killed inside V3 with the first releases' migrations, started again: "Duplicate column name SINK_STATUS"
            Flyway legacy = Flyway.configure().dataSource(ws.jdbcUrl(), "sa", "").locations("classpath:db/legacy-migration").load();
            Flyway.configure().dataSource(ws.jdbcUrl(), "sa", "").locations("classpath:db/legacy-migration").target("2").load().migrate();
            try (Connection c = DriverManager.getConnection(ws.jdbcUrl(), "sa", ""); Statement st = c.createStatement()) {
                st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) "
                        + "SELECT 'L' || X, 'leads-api', 'all-leads', 1, '{}', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, 1000)");
                st.execute("ALTER TABLE leads ADD COLUMN sink_status VARCHAR(16) DEFAULT 'NEW' NOT NULL");
            }
            assertThatThrownBy(legacy::migrate).hasMessageContaining("SINK_STATUS");

            TestWorkspace.CliResult status = ws.cli(Map.of(), "status");
            assertThat(status.exitCode()).as("status on the broken schema").isEqualTo(LeadpipeCli.BAD_CONFIG);
            assertThat(status.err()).as("one clear message").contains("version 3").contains("leadpipe repair").doesNotContain("\tat ");

            TestWorkspace.CliResult repair = ws.cli(Map.of(), "repair");
            assertThat(repair.exitCode()).as("repair: %s%s", repair.out(), repair.err()).isZero();
            assertThat(repair.out()).contains("3");
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero();
            assertThat(ws.storedLeadKeys()).hasSize(1000);
            try (Connection c = ws.db(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM leads WHERE sink_status = 'NEW' AND attempts = 0")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1000);
            }
        }
    }

    @Test
    void aDatabaseBrickedByAKilledTableCopyIsRepaired() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        try (TestWorkspace ws = new TestWorkspace()) {
            // issue 22: killed after H2 dropped extraction_checkpoint for V2's ADD COLUMN, only its copy left; an earlier
            // leadpipe then started again, V2 failed ("Failed to execute script V2") and Flyway recorded the failure
            Flyway.configure().dataSource(ws.jdbcUrl(), "sa", "").locations("classpath:db/migration").target("1").load().migrate();
            try (Connection c = DriverManager.getConnection(ws.jdbcUrl(), "sa", ""); Statement st = c.createStatement()) {
                st.execute("INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, page_no, lead_count, status, started_at, updated_at) "
                        + "VALUES ('all-leads', 'leads-api', '', 'h', 7, 700, 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
                st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) "
                        + "SELECT 'L' || X, 'leads-api', 'all-leads', X / 100, '{}', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, 700)");
                st.execute("ALTER TABLE extraction_checkpoint RENAME TO EXTRACTION_CHECKPOINT_COPY_4_3");
                st.execute("CREATE TABLE LEADS_COPY_4_9 AS SELECT * FROM leads WHERE 1 = 0"); // an unfinished copy beside a whole table
            }
            assertThatThrownBy(() -> Flyway.configure().dataSource(ws.jdbcUrl(), "sa", "").locations("classpath:db/migration").load().migrate())
                    .hasMessageContaining("EXTRACTION_CHECKPOINT");

            TestWorkspace.CliResult status = ws.cli(Map.of(), "status");
            assertThat(status.exitCode()).as("status on the failed V2").isEqualTo(LeadpipeCli.BAD_CONFIG);
            assertThat(status.err()).contains("leadpipe repair");

            TestWorkspace.CliResult repair = ws.cli(Map.of(), "repair");
            assertThat(repair.exitCode()).as("repair: %s%s", repair.out(), repair.err()).isZero();
            assertThat(repair.out()).contains("V2"); // the copies were already put back by the status before it
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero();
            assertThat(ws.checkpoint("all-leads")).as("the checkpoint row, kept").containsEntry("page_no", 7).containsEntry("mode", "PULL");
            assertThat(ws.storedLeadKeys("all-leads")).hasSize(700);
            try (Connection c = ws.db(); Statement st = c.createStatement()) {
                assertThat(count(st, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME LIKE '%!_COPY!_%' ESCAPE '!'")).as("copy tables left").isZero();
            }
        }
    }

    @Test
    void v8IsFinishedAfterACrashAtAnyOfItsStepsAndKeepsEveryLeadWithItsJobAndSource() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        int steps = db.migration.V8__leads_by_source_and_job.STEPS.size();
        for (int applied = 0; applied < steps; applied++) {
            String url = "jdbc:h2:mem:rerun-v8-" + applied + ";DB_CLOSE_DELAY=-1";
            // a database as V7 left it, with leads of two jobs and a dead letter
            Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").target("7").load().migrate();
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
                st.execute("INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, page_no, lead_count, status, started_at, updated_at) "
                        + "VALUES ('crm-a', 'api-a', '', 'h', 3, 300, 'DONE', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
                st.execute("INSERT INTO leads (lead_key, source, job_id, pull_id, page_no, payload, fetched_at) "
                        + "SELECT 'L' || X, CASE WHEN X <= 300 THEN 'api-a' ELSE 'api-b' END, CASE WHEN X <= 300 THEN 'crm-a' ELSE 'crm-b' END, "
                        + "'p', X / 100, '{}', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, 500)");
                st.execute("INSERT INTO dead_letter (lead_key, job_id, stage, reason, attempts, created_at) VALUES ('L400', 'crm-b', 'crm', 'no', 1, CURRENT_TIMESTAMP)");
                db.migration.V8__leads_by_source_and_job.run(c, applied); // what H2 had committed when the process died
            }
            try (Database db = Database.open(settings(url)).migrate(); Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                String at = "V8 killed after step " + applied + " of " + steps;
                assertThat(count(st, "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE NOT \"success\"")).as(at).isZero();
                assertThat(count(st, "SELECT COUNT(*) FROM leads")).as(at).isEqualTo(500);
                assertThat(count(st, "SELECT COUNT(*) FROM lead_jobs WHERE job_id = 'crm-a' AND source = 'api-a'")).as(at).isEqualTo(300);
                assertThat(count(st, "SELECT COUNT(*) FROM lead_jobs WHERE job_id = 'crm-b' AND source = 'api-b'")).as(at).isEqualTo(200);
                assertThat(count(st, "SELECT COUNT(*) FROM dead_letter WHERE source = 'api-b'")).as(at).isEqualTo(1);
                // keyed by (source, id) now: another source may hold an id this one has
                st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) VALUES ('L1', 'api-b', 'crm-b', 1, '{}', CURRENT_TIMESTAMP)");
                assertThatThrownBy(() -> st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) VALUES ('L1', 'api-a', 'crm-a', 1, '{}', CURRENT_TIMESTAMP)"))
                        .as(at).hasMessageContaining("23505");
            }
            shutdown(url);
        }
    }

    /** Drops the in-memory database (DB_CLOSE_DELAY=-1 keeps it past the pool), on a connection of its own, not the pool's. */
    private static void shutdown(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.execute("SHUTDOWN");
        }
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The highest migration version below v, SQL or Java (src/main/java/db/migration). */
    private static int previousVersion(int v) throws java.io.IOException {
        Pattern any = Pattern.compile("V(\\d+)__.*\\.(sql|java)");
        int best = 0;
        for (Path dir : List.of(MIGRATIONS, Path.of("src/main/java/db/migration"))) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Matcher m = any.matcher(f.getFileName().toString());
                    if (m.matches() && Integer.parseInt(m.group(1)) < v) best = Math.max(best, Integer.parseInt(m.group(1)));
                }
            }
        }
        return best;
    }

    private static int version(Path f) {
        Matcher m = VERSION.matcher(f.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The file's statements: comments dropped, split at the semicolons that end a line. */
    private static List<String> statements(String sql) {
        StringBuilder b = new StringBuilder();
        for (String line : sql.split("\n")) if (!line.trim().startsWith("--")) b.append(line).append('\n');
        List<String> out = new ArrayList<>();
        for (String s : b.toString().split(";\\s*\n")) if (!s.isBlank()) out.add(s.trim().replaceAll(";$", ""));
        return out;
    }

    private static Settings settings(String url) throws Exception {
        return Settings.load(Path.of("application.properties"), null, Map.of("leadpipe.db.url", url), Map.of(), new Properties());
    }
}
