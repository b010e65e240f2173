package io.leadpipe.source;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A source that no settings file mentions, configured from the environment alone (as a container would). */
class NewSourceFromEnvironmentTest {

    @Test
    void aJobPullsFromASourceDeclaredOnlyInEnvironmentVariables() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig config = new SimulatorConfig();
            config.leads = 300;
            ws.startSimulator(config);
            ws.settings.put("leadpipe.source.leads-api.url", "http://127.0.0.1:1/not-used");
            ws.jobs(TestWorkspace.job("from-crm2", "", "source", "crm2"));
            Map<String, String> env = TestWorkspace.envWithKey();
            env.put("LEADPIPE_SOURCES", "leads-api,crm2");
            env.put("LEADPIPE_SOURCE_CRM2_URL", ws.simulator.leadsUrl());
            env.put("LEADPIPE_SOURCE_CRM2_PAGE_SIZE", "50");

            TestWorkspace.CliResult run = ws.cli(env, "run");

            assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
            assertThat(ws.storedLeadKeys("from-crm2")).hasSize(300);
            assertThat(ws.checkpoint("from-crm2")).containsEntry("status", "DONE").containsEntry("page_no", 6);
        }
    }
}
