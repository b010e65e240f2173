package io.leadpipe.delta;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An incremental job pulls only what changed since its previous pull, with the watermark sent to the API. */
class IncrementalTest {

    @Test
    void aSecondPullFetchesOnlyTheLeadsUpdatedSinceTheFirst() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            ws.startSimulator(c);
            ws.jobs(TestWorkspace.job("monthly", "", "incremental", "updated_since"));

            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out()).isZero();
            assertThat(ws.storedLeadKeys()).hasSize(1000);
            long pagesAfterFirst = ws.simulator.stats().pages();

            ws.simulator.dataset().touch(3, 500, 999); // three leads change in the source
            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(second.exitCode()).as(second.out()).isZero();
            assertThat(second.out()).contains("incremental     records updated since ").contains("leads received  3 this run")
                    .contains("completeness    PASS: 3 distinct leads stored = the API's total of 3");
            assertThat(ws.simulator.stats().pages() - pagesAfterFirst).as("one page, not the whole list again").isEqualTo(1);
            Map<String, Object> cp = ws.checkpoint("monthly");
            assertThat(cp).containsEntry("status", "DONE").containsEntry("mode", "INCREMENTAL");
            assertThat((String) cp.get("since_watermark")).isNotBlank();
            String payload;
            try (var conn = ws.db(); var st = conn.prepareStatement("SELECT payload FROM leads WHERE lead_key = ?")) {
                st.setString(1, LeadDataset.idOf(500));
                try (var rs = st.executeQuery()) {
                    rs.next();
                    payload = rs.getString(1);
                }
            }
            assertThat(payload).as("the changed lead was stored again").contains(ws.simulator.dataset().updatedAt(500).toString());

            // without the overlap (which re-reads the last 5 minutes on purpose) nothing changed since the second pull
            ws.settings.put("leadpipe.incremental.overlap-seconds", "0");
            TestWorkspace.CliResult third = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(third.out()).as("nothing changed since: an empty page").contains("leads received  0 this run");
        }
    }
}
