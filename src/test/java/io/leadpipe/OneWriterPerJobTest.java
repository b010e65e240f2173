package io.leadpipe;

import io.leadpipe.cli.LeadpipeCli;

import io.leadpipe.job.JobOutcome;
import io.leadpipe.job.JobFilters;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One writer per job: a lease on the checkpoint row, taken at open, renewed while running, taken over only once expired. */
class OneWriterPerJobTest {

    @Test
    void aSecondRunOfARunningJobSaysWhoRunsItAndLeavesItAlone() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 2000;
            c.latencyMillis = 40; // 20 pages take a second or more
            ws.startSimulator(c);
            try (LeadpipeWiring first = ws.app()) {
                CompletableFuture<JobOutcome> running = CompletableFuture.supplyAsync(() -> first.runJob("all-leads"));
                await().atMost(30, TimeUnit.SECONDS).ignoreExceptions().until(() -> ((Number) ws.checkpoint("all-leads").get("page_no")).intValue() >= 2);

                // a second instance on the same database file (AUTO_SERVER), as a second `run` would be
                TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");

                assertThat(second.exitCode()).as(second.out()).isEqualTo(LeadpipeCli.JOB_BUSY);
                assertThat(second.out()).containsPattern("job all-leads is running in process " + ProcessHandle.current().pid() + " on host \\S+, since 20\\d\\d-");
                JobOutcome outcome = running.get(60, TimeUnit.SECONDS);
                assertThat(outcome.status()).isEqualTo("DONE");
            }
            assertThat(ws.simulator.stats().pages()).as("pages requested: the second run requested none").isEqualTo(20);
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, 2000));
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("DONE");
            assertThat(cp.get("lease_owner")).as("released at the end").isNull();
            assertThat(((Number) cp.get("requests")).longValue()).isEqualTo(20L);
        }
    }

    @Test
    void aLeaseHeldElsewhereKeepsTheJobUntilItExpires() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 500;
            ws.startSimulator(c);
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero();
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            insertLeasedCheckpoint(ws, "other-host", 4242, now.minusMinutes(5), now.plusMinutes(1));

            TestWorkspace.CliResult refused = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(refused.exitCode()).isEqualTo(LeadpipeCli.JOB_BUSY);
            assertThat(refused.out()).contains("job all-leads is running in process 4242 on host other-host, since");
            assertThat(ws.simulator.stats().requests()).isZero();
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("RUNNING");

            // the other process stopped renewing: once its lease has expired, the job is taken over
            try (Connection conn = ws.db(); PreparedStatement ps = conn.prepareStatement("UPDATE extraction_checkpoint SET lease_expires_at = ?")) {
                ps.setObject(1, now.minusSeconds(1));
                ps.executeUpdate();
            }
            TestWorkspace.CliResult takeover = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(takeover.exitCode()).as(takeover.out()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, 500));
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
        }
    }

    @Test
    void aLeaseOfADeadProcessOnThisHostIsTakenOverAtOnce() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 300;
            ws.startSimulator(c);
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero();
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            insertLeasedCheckpoint(ws, io.leadpipe.store.JobLease.HOST, gone.pid(), now.minusMinutes(1), now.plusMinutes(10));

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("a killed process holds nothing: %s", run.out()).isZero();
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
        }
    }

    private static void insertLeasedCheckpoint(TestWorkspace ws, String host, long pid, OffsetDateTime since, OffsetDateTime expires) throws Exception {
        try (Connection conn = ws.db(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, next_cursor, page_no, lead_count, status, started_at, updated_at, "
                        + "lease_owner, lease_host, lease_pid, lease_since, lease_heartbeat_at, lease_expires_at) "
                        + "VALUES ('all-leads', 'leads-api', '', ?, NULL, 0, 0, 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'someone-else', ?, ?, ?, ?, ?)")) {
            ps.setString(1, JobFilters.hash(""));
            ps.setString(2, host);
            ps.setLong(3, pid);
            ps.setObject(4, since);
            ps.setObject(5, since);
            ps.setObject(6, expires);
            ps.executeUpdate();
        }
    }
}
