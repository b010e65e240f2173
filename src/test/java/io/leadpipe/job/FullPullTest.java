package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FullPullTest {

    @Test
    void fullPullStoresEverySimulatorIdExactlyOnceAndMarksTheJobDone() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(new SimulatorConfig());
            assertThat(ws.jdbcUrl()).as("the store under test").startsWith(TestWorkspace.postgres() ? "jdbc:postgresql:" : "jdbc:h2:");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isZero();
            List<String> keys = ws.storedLeadKeys();
            assertThat(keys).as("stored lead ids").hasSize(5000);
            assertThat(new HashSet<>(keys)).as("no id stored twice, none missing").isEqualTo(TestWorkspace.idsOf(0, 5000));
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("DONE");
            assertThat(cp.get("page_no")).isEqualTo(50);
            assertThat(((Number) cp.get("lead_count")).longValue()).isEqualTo(5000L);
            assertThat(cp.get("next_cursor")).isNull();
            assertThat(ws.simulator.stats().pages()).as("pages served").isEqualTo(50);
            assertThat(ws.simulator.stats().pagesServedAgain()).as("pages fetched twice").isZero();
            assertThat(run.out()).contains("status          DONE").contains("5000 (5000 new, 0 already present)")
                    .contains("API total       5000 (matches)").contains("requests        50 (0 × 429")
                    .contains("completeness    PASS: 5000 distinct leads stored = the API's total of 5000");
        }
    }

    @Test
    void aDoneJobIsNotPulledAgainUntilReset() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(new SimulatorConfig());
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            long requestsAfterFirstRun = ws.simulator.stats().requests();

            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(again.exitCode()).isZero();
            assertThat(again.out()).contains("already DONE");
            assertThat(ws.simulator.stats().requests()).as("a DONE job makes no request").isEqualTo(requestsAfterFirstRun);

            assertThat(ws.cli(TestWorkspace.envWithKey(), "reset", "all-leads").out()).contains("checkpoint forgotten");
            TestWorkspace.CliResult afterReset = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(afterReset.exitCode()).isZero();
            assertThat(afterReset.out()).contains("5000 (0 new, 5000 already present)");
            assertThat(ws.storedLeadKeys()).hasSize(5000);
        }
    }
}
