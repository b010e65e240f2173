package io.leadpipe.http;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Transient failures are waited out and every lead still arrives exactly once; other 4xx fail fast. */
class RetriesTest {

    private static final int LEADS = 2000; // 20 pages

    private static TestWorkspace workspace(SimulatorConfig config) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        config.leads = LEADS;
        ws.startSimulator(config);
        ws.settings.put("leadpipe.retry.base-delay-ms", "50"); // the schedule itself is unit-tested; here only that retries happen
        ws.settings.put("leadpipe.retry.max-retries", "8");
        return ws;
    }

    private static void assertCompleteSet(TestWorkspace ws, TestWorkspace.CliResult run) throws Exception {
        assertThat(run.exitCode()).as("exit code; output:\n%s%s", run.out(), run.err()).isZero();
        List<String> keys = ws.storedLeadKeys();
        assertThat(keys).as("stored ids").hasSize(LEADS);
        assertThat(new HashSet<>(keys)).as("every id exactly once").isEqualTo(TestWorkspace.idsOf(0, LEADS));
        assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
    }

    @Test
    void twentyPercentServerErrors() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.serverErrorRate = 0.2;
        try (TestWorkspace ws = workspace(c)) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertCompleteSet(ws, run);
            assertThat(ws.simulator.stats().serverErrors()).as("injected 5xx").isPositive();
            assertThat(run.out()).contains("× 5xx").doesNotContain("0 × 5xx");
        }
    }

    @Test
    void droppedConnections() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.dropRate = 0.15;
        try (TestWorkspace ws = workspace(c)) {
            assertCompleteSet(ws, ws.cli(TestWorkspace.envWithKey(), "run"));
            assertThat(ws.simulator.stats().dropped()).isPositive();
        }
    }

    @Test
    void truncatedBodies() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.truncateRate = 0.15;
        try (TestWorkspace ws = workspace(c)) {
            assertCompleteSet(ws, ws.cli(TestWorkspace.envWithKey(), "run"));
            assertThat(ws.simulator.stats().truncated()).isPositive();
        }
    }

    @Test
    void slowResponsesPastTheResponseTimeout() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.slowRate = 0.15;
        c.slowMillis = 1500;
        try (TestWorkspace ws = workspace(c)) {
            ws.settings.put("camel.component.http.response-timeout", "400");
            ws.settings.put("camel.component.http.so-timeout", "400");
            assertCompleteSet(ws, ws.cli(TestWorkspace.envWithKey(), "run"));
            assertThat(ws.simulator.stats().slowed()).isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 404})
    void otherClientErrorsFailAtOnceKeepTheCheckpointAndAResumeCompletes(int status) throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.failStatus = status;
        c.failAfterPages = 7;
        try (TestWorkspace ws = workspace(c)) {
            TestWorkspace.CliResult failed = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(failed.exitCode()).isEqualTo(1);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("FAILED");
            assertThat((String) cp.get("error")).startsWith("HTTP " + status + " for GET " + ws.simulator.leadsUrl() + "?limit=100&cursor=");
            assertThat(cp.get("page_no")).as("checkpoint stays at the last stored page").isEqualTo(7);
            String failedCursor = (String) cp.get("next_cursor");
            assertThat(ws.simulator.stats().requestsPerCursor()).as("no retry: one request for the failing page")
                    .containsEntry("||" + failedCursor, 1);
            assertThat(failed.out() + failed.err()).doesNotContain(TestWorkspace.API_KEY);

            c.failStatus = 0; // the fault is cleared
            TestWorkspace.CliResult resumed = ws.cli(TestWorkspace.envWithKey(), "run");
            assertCompleteSet(ws, resumed);
            assertThat(ws.simulator.stats().firstPages()).as("the resume did not start over").isEqualTo(1);
            assertThat(ws.simulator.stats().requestsPerCursor()).containsEntry("||" + failedCursor, 2);
        }
    }

    @Test
    void retriesGiveUpAfterTheConfiguredNumberAndSayWhy() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.failStatus = 503;
        c.failAfterPages = 3;
        try (TestWorkspace ws = workspace(c)) {
            ws.settings.put("leadpipe.retry.max-retries", "3");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(1);
            String cursor = (String) ws.checkpoint("all-leads").get("next_cursor");
            assertThat(ws.simulator.stats().requestsPerCursor()).as("1 attempt + 3 retries").containsEntry("||" + cursor, 4);
            assertThat(run.out()).contains("HTTP 503 for GET").contains("requests        7 (0 × 429, 4 × 5xx)");
            List<SimulatorStats.RequestRecord> log = ws.simulator.stats().requestLog();
            assertThat(log).hasSize(7);
        }
    }
}
