package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class DriftAndCapsTest {

    @Test
    void driftUnderLiveInsertsAndDeletesIsReportedAndTheVerificationPassRecoversTheMissedRecords() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 2000;
            c.paging = "offset";
            c.liveInsertEvery = 3; // a new lead at the front: later pages shift forward (seen twice; the new one is missed)
            c.liveDeleteEvery = 4; // the first lead deleted: later pages shift back (one skipped each time)
            ws.startSimulator(c);
            ws.settings.put("leadpipe.source.leads-api.paging", "offset");

            TestWorkspace.CliResult pull = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(pull.exitCode()).as("a drifted pull does not reconcile: %s", pull.out()).isEqualTo(3);
            assertThat(pull.out()).contains("completeness    GAP: the list changed during the pull");
            Set<String> missed = new TreeSet<>(ws.simulator.dataset().currentIds());
            missed.removeAll(ws.storedLeadKeys());
            assertThat(missed).as("the live changes really made the offset pull miss records").isNotEmpty();
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat((String) cp.get("drift")).contains("the list changed during the pull").contains("leadpipe verify all-leads");
            assertThat(((Number) cp.get("seen_twice")).longValue()).as("records seen twice").isPositive();
            assertThat(pull.out()).contains("DRIFT");
            assertThat(ws.cli(Map.of(), "status").out()).contains("drift: the list changed during the pull");

            c.liveInsertEvery = 0; // the list holds still while it is verified
            c.liveDeleteEvery = 0;
            TestWorkspace.CliResult verify = ws.cli(TestWorkspace.envWithKey(), "verify", "all-leads");

            assertThat(verify.exitCode()).as(verify.out()).isZero();
            assertThat(verify.out()).contains("completeness    PASS");
            Set<String> stillMissing = new TreeSet<>(ws.simulator.dataset().currentIds());
            stillMissing.removeAll(ws.storedLeadKeys());
            assertThat(stillMissing).as("every lead that exists now is stored after the verification pass").isEmpty();
            assertThat(verify.out()).contains("verification    re-read the list: " + missed.size() + " missed leads recovered");
            assertThat(ws.checkpoint("all-leads").get("drift")).as("the verification pass saw no drift").isNull();
        }
    }

    @Test
    void aRequestCapStopsCleanlyAndRaisingItContinuesFromTheCheckpoint() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            ws.startSimulator(c);
            ws.jobs(TestWorkspace.job("all-leads", "", "maxRequests", "4"));

            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(capped.exitCode()).as("a cap is a clean stop").isZero();
            assertThat(capped.out()).contains("status          CAPPED").contains("4 requests made, cap 4");
            assertThat(ws.simulator.stats().requests()).isEqualTo(4);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp).containsEntry("status", "CAPPED").containsEntry("page_no", 4);
            assertThat(((Number) cp.get("requests")).longValue()).isEqualTo(4L);

            TestWorkspace.CliResult stillCapped = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(stillCapped.out()).contains("CAPPED");
            assertThat(ws.simulator.stats().requests()).as("no request while the budget is spent").isEqualTo(4);

            ws.jobs(TestWorkspace.job("all-leads", "", "maxRequests", "100"));
            TestWorkspace.CliResult raised = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(raised.exitCode()).isZero();
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, 1000));
            assertThat(ws.simulator.stats().firstPages()).as("continued, not restarted").isEqualTo(1);
            assertThat(ws.simulator.stats().requests()).isEqualTo(10);
        }
    }

    @Test
    void aLeadCapStopsAfterThePageThatReachesIt() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            ws.startSimulator(c);
            ws.jobs(TestWorkspace.job("all-leads", "", "maxLeads", "250"));

            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(capped.exitCode()).isZero();
            assertThat(ws.checkpoint("all-leads")).containsEntry("status", "CAPPED").containsEntry("page_no", 3);
            assertThat(ws.storedLeadKeys()).hasSize(300);
        }
    }
}
