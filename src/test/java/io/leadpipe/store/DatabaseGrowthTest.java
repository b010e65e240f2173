package io.leadpipe.store;

import io.leadpipe.job.OneWriterPerJobTest;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.cli.LeadpipeCli;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Issue 25: the database stays the size of its data over repeated syncs, and operators can see and act on its size. */
class DatabaseGrowthTest {

    private static final int LEADS = 1000;

    @Test
    void theH2FileStaysWithinOneAndAHalfTimesItsFirstPullOverRePulls() throws Exception {
        assumeFalse(TestWorkspace.postgres(), "about the H2 file");
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = LEADS;
            ws.startSimulator(c);
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            long first = Files.size(file(ws));
            List<Long> sizes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                assertThat(ws.cli(TestWorkspace.envWithKey(), "reset", "all-leads").exitCode()).isZero();
                TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
                assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
                sizes.add(Files.size(file(ws)));
            }
            // each re-pull of the same 1,000 leads used to add about the first pull's size again (×2.4 after 3)
            assertThat(sizes).as("file sizes after each re-pull; after the first pull: " + first).allMatch(s -> s <= first * 1.5);
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, LEADS));
        }
    }

    @Test
    void compactGivesBackWhatTheFileNoLongerUsesAndSaysHowMuch() throws Exception {
        assumeFalse(TestWorkspace.postgres(), "about the H2 file");
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = LEADS;
            ws.startSimulator(c);
            ws.settings.put("leadpipe.db.compact-below-live-percent", "0"); // no compaction at the end of a run: the verb's to do
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            for (int i = 0; i < 2; i++) {
                ws.cli(TestWorkspace.envWithKey(), "reset", "all-leads");
                ws.cli(TestWorkspace.envWithKey(), "run");
            }
            TestWorkspace.CliResult status = ws.cli(TestWorkspace.envWithKey(), "status");
            assertThat(status.out()).containsPattern("database: [\\d.]+ MiB on disk, about [\\d.]+ MiB of it live data \\(\\d+%\\)");
            long grown = Files.size(file(ws));

            TestWorkspace.CliResult compact = ws.cli(TestWorkspace.envWithKey(), "compact");

            assertThat(compact.exitCode()).as(compact.out() + compact.err()).isZero();
            long after = Files.size(file(ws));
            assertThat(after).as("compacted file vs %d bytes before", grown).isLessThan(grown / 2);
            // H2 writes the compacted copy with the process's umask: it must stay the owner's alone, as the file it replaces
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file(ws))))
                    .as("the compacted file's mode").isEqualTo("rw-------");
            Matcher said = Pattern.compile("database compacted: ([\\d.]+) MiB → ([\\d.]+) MiB \\(([\\d.]+) MiB given back").matcher(compact.out());
            assertThat(said.find()).as(compact.out()).isTrue();
            assertThat(Double.parseDouble(said.group(1))).isCloseTo(grown / 1048576.0, org.assertj.core.data.Offset.offset(0.06));
            assertThat(Double.parseDouble(said.group(2))).isCloseTo(after / 1048576.0, org.assertj.core.data.Offset.offset(0.06));
            // every lead and the checkpoint are still there, and the next run works on the compacted file
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            ws.cli(TestWorkspace.envWithKey(), "reset", "all-leads");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
        }
    }

    @Test
    void compactIsRefusedWhileARunIsLiveOrAnotherProcessHasTheFile() throws Exception {
        assumeFalse(TestWorkspace.postgres(), "about the H2 file");
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 200;
            ws.startSimulator(c);
            assertThat(ws.cli(TestWorkspace.envWithKey(), "status").exitCode()).isZero();
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            OneWriterPerJobTest.insertLeasedCheckpoint(ws, "other-host", 4242, now.minusMinutes(5), now.plusMinutes(1));
            TestWorkspace.CliResult busy = ws.cli(TestWorkspace.envWithKey(), "compact");

            assertThat(busy.exitCode()).as(busy.out() + busy.err()).isEqualTo(LeadpipeCli.JOB_BUSY);
            assertThat(busy.err().strip()).startsWith("leadpipe: job all-leads is running in process 4242 on host other-host, since")
                    .endsWith("nothing was done to it — wait for it to finish or stop it first");
            assertThat(busy.out()).doesNotContain("compacted");
            assertThat(ws.checkpoint("all-leads")).containsEntry("status", "RUNNING").containsEntry("lease_owner", "someone-else");

            // no lease, but the file is open elsewhere (here: a connection outside leadpipe's pool): SHUTDOWN COMPACT would close it under them
            try (Connection c2 = java.sql.DriverManager.getConnection(ws.jdbcUrl() + ";REUSE_SPACE=FALSE", "sa", ws.dbPassword()); Statement st = c2.createStatement()) {
                st.execute("UPDATE extraction_checkpoint SET lease_owner = NULL, lease_expires_at = NULL");
                long openSize = Files.size(file(ws));
                TestWorkspace.CliResult open = ws.cli(TestWorkspace.envWithKey(), "compact");
                assertThat(open.exitCode()).as(open.out() + open.err()).isEqualTo(LeadpipeCli.JOB_BUSY);
                assertThat(open.err()).contains("is open in another leadpipe process");
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM extraction_checkpoint")) {
                    assertThat(rs.next() && rs.getInt(1) == 1).as("the other connection still works").isTrue();
                }
                assertThat(Files.size(file(ws))).as("not compacted").isGreaterThanOrEqualTo(openSize);
            }
        }
    }

    @Test
    void aRePullOnPostgresRewritesNoUnchangedLead() throws Exception {
        try (TestWorkspace ws = new TestWorkspace().onPostgres()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 500;
            ws.startSimulator(c);
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            long before = leadsRowsRewritten(ws);
            ws.simulator.dataset().touch(7, 99); // two leads change at the source
            ws.cli(TestWorkspace.envWithKey(), "reset", "all-leads");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();

            // the counters of the run's closed connections arrive shortly after: wait for the two changed leads
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> leadsRowsRewritten(ws) - before >= 2);
            assertThat(leadsRowsRewritten(ws) - before).as("rows of leads updated by the re-pull (each a dead tuple until VACUUM)").isEqualTo(2);
            TestWorkspace.CliResult status = ws.cli(TestWorkspace.envWithKey(), "status");
            assertThat(status.out()).containsPattern("database: [\\d.]+ MiB \\(pg_database_size\\), leadpipe's tables [\\d.]+ MiB");
            TestWorkspace.CliResult compact = ws.cli(TestWorkspace.envWithKey(), "compact");
            assertThat(compact.exitCode()).as(compact.out() + compact.err()).isZero();
            assertThat(compact.out()).contains("database compacted: ").contains("PostgreSQL VACUUM of leadpipe's tables");
        }
    }

    private static long leadsRowsRewritten(TestWorkspace ws) throws Exception {
        try (Connection c = ws.db(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT n_tup_upd + n_tup_del FROM pg_stat_user_tables WHERE relname = 'leads'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static Path file(TestWorkspace ws) {
        return ws.dir.resolve("db/leadpipe.mv.db");
    }
}
