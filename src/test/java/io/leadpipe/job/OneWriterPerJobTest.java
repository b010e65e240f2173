package io.leadpipe.job;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;

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
public class OneWriterPerJobTest {

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
            // reset and verify would rewrite the row the holder writes to: refused the same way, row untouched
            for (String verb : new String[]{"reset", "verify"}) {
                TestWorkspace.CliResult busy = ws.cli(TestWorkspace.envWithKey(), verb, "all-leads");
                assertThat(busy.exitCode()).as(verb + ": " + busy.err()).isEqualTo(LeadpipeCli.JOB_BUSY);
                assertThat(busy.err().strip()).as(verb).startsWith("leadpipe: job all-leads is running in process 4242 on host other-host, since")
                        .endsWith("nothing was done to it — wait for it to finish or stop it first");
            }
            assertThat(ws.checkpoint("all-leads")).containsEntry("status", "RUNNING").containsEntry("lease_owner", "someone-else");

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

    /**
     * Two writers in one process on one database (two Camel contexts, as two `run`s would be; H2 file here,
     * PostgreSQL in the postgres execution): the first stalls inside its second page without renewing its
     * lease; the second is refused with who holds the job until the lease
     * expires, then takes the job over and finishes it; the first, when its page finally comes, writes nothing.
     */
    @Test
    void aSecondWriterIsRefusedUntilTheFirstStopsRenewingThenTakesOver() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger secondPageAsked = new java.util.concurrent.atomic.AtomicInteger();
        try (TestWorkspace ws = new TestWorkspace();
             FakeApi api = new FakeApi((ex, n) -> {
                 String query = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
                 int page = query.contains("cursor=p3") ? 3 : query.contains("cursor=p2") ? 2 : 1;
                 // the first writer's request for page 2 hangs (a process that stopped renewing its lease)
                 if (page == 2 && secondPageAsked.incrementAndGet() == 1) release.await(60, TimeUnit.SECONDS);
                 StringBuilder data = new StringBuilder();
                 for (int i = 0; i < 10; i++) data.append(i == 0 ? "" : ",").append("{\"id\":\"lead-").append(page).append('-').append(i).append("\"}");
                 FakeApi.send(ex, 200, "application/json", "{\"data\":[" + data + "],\"meta\":{\"next_cursor\":" + (page < 3 ? "\"p" + (page + 1) + "\"" : "null") + ",\"total\":30}}");
             })) {
            api.serve(ws);
            ws.settings.put("leadpipe.source.leads-api.page-size", "10");
            ws.settings.put("leadpipe.lease.ttl-ms", "5000");
            ws.settings.put("leadpipe.lease.heartbeat-ms", "86400000"); // nothing renews the first writer's lease while it hangs
            try (LeadpipeWiring first = ws.app(); LeadpipeWiring second = ws.app()) {
                CompletableFuture<JobOutcome> firstRun = CompletableFuture.supplyAsync(() -> first.runJob("all-leads"));
                await().atMost(30, TimeUnit.SECONDS).until(() -> secondPageAsked.get() == 1);

                JobOutcome refused = second.runJob("all-leads");
                assertThat(refused.status()).as("the second writer, while the first one's lease runs").isEqualTo("BUSY");
                assertThat(refused.error()).containsPattern("job all-leads is running in process " + ProcessHandle.current().pid() + " on host \\S+, since 20\\d\\d-");
                // the lease expires (5 s after the first writer's last save): the second writer takes the job over
                JobOutcome[] takeover = new JobOutcome[1];
                await().atMost(30, TimeUnit.SECONDS).pollInterval(java.time.Duration.ofMillis(300))
                        .until(() -> !"BUSY".equals((takeover[0] = second.runJob("all-leads")).status()));
                assertThat(takeover[0].status()).as(String.valueOf(takeover[0].error())).isEqualTo("DONE");

                release.countDown();
                JobOutcome firstOutcome = firstRun.get(60, TimeUnit.SECONDS);
                assertThat(firstOutcome.status()).isEqualTo("FAILED");
                assertThat(firstOutcome.error()).contains("was taken over by another process");
            }
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).as("the first writer's late failure does not overwrite the second's DONE").isEqualTo("DONE");
            assertThat(((Number) cp.get("page_no")).intValue()).isEqualTo(3);
            assertThat(((Number) cp.get("lead_count")).longValue()).isEqualTo(30L);
            assertThat(ws.storedLeadKeys()).hasSize(30).doesNotHaveDuplicates();
        }
    }

    public static void insertLeasedCheckpoint(TestWorkspace ws, String host, long pid, OffsetDateTime since, OffsetDateTime expires) throws Exception {
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
