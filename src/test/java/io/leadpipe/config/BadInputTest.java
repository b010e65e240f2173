package io.leadpipe.config;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each bad input stops with one clear line and a non-zero exit, and leaves stored leads and checkpoints as they were. */
class BadInputTest {

    /** A workspace holding a half-done pull: 20 of 50 pages stored and checkpointed. */
    private static TestWorkspace halfDonePull() throws Exception {
        TestWorkspace ws = new TestWorkspace();
        SimulatorConfig config = new SimulatorConfig();
        config.failStatus = 503;               // after 20 pages the API breaks...
        config.failAfterPages = 20;
        ws.startSimulator(config);
        ws.settings.put("leadpipe.retry.max-retries", "0");
        TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
        assertThat(first.exitCode()).as("...so the first run fails after 20 pages").isEqualTo(1);
        config.failStatus = 0;
        assertThat(ws.checkpoint("all-leads")).containsEntry("page_no", 20);
        return ws;
    }

    private static String snapshot(TestWorkspace ws) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = ws.db(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT job_id, source, filters, filter_hash, next_cursor, page_no, lead_count, api_total_first, api_total_last FROM extraction_checkpoint ORDER BY job_id")) {
                while (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) b.append(rs.getString(i)).append('|');
                    b.append('\n');
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*), MIN(lead_key), MAX(lead_key), SUM(LENGTH(payload)) FROM leads")) {
                rs.next();
                b.append(rs.getLong(1)).append('|').append(rs.getString(2)).append('|').append(rs.getString(3)).append('|').append(rs.getLong(4));
            }
        }
        return b.toString();
    }

    @Test
    void missingApiKeyStopsWithOneClearMessageAndTouchesNothing() throws Exception {
        try (TestWorkspace ws = halfDonePull()) {
            String before = snapshot(ws);
            long requests = ws.simulator.stats().requests();

            TestWorkspace.CliResult run = ws.cli(new HashMap<>(), "run");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().lines()).containsExactly(
                    "leadpipe: source 'leads-api': no API key. Set the environment variable LEADPIPE_API_KEY or point leadpipe.source.leads-api.api-key-file at a file holding the key");
            assertThat(ws.simulator.stats().requests()).isEqualTo(requests);
            assertThat(snapshot(ws)).isEqualTo(before);
            assertThat(ws.checkpoint("all-leads")).containsEntry("status", "FAILED");
        }
    }

    @Test
    void unreachableApiFailsTheJobWithAClearMessageAndKeepsTheCheckpointPosition() throws Exception {
        try (TestWorkspace ws = halfDonePull()) {
            String before = snapshot(ws);
            ws.settings.put("leadpipe.source.leads-api.url", "http://127.0.0.1:1/v1/leads");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).contains("cannot connect for GET http://127.0.0.1:1/v1/leads", "is leadpipe.source.leads-api.url right?");
            assertThat(snapshot(ws)).as("cursor, page, lead count and leads unchanged").isEqualTo(before);
            assertThat((String) ws.checkpoint("all-leads").get("error")).startsWith("cannot connect for GET http://127.0.0.1:1/v1/leads");
        }
    }

    @Test
    void malformedSettingStopsBeforeAnythingIsTouched() throws Exception {
        try (TestWorkspace ws = halfDonePull()) {
            String before = snapshot(ws);
            long requests = ws.simulator.stats().requests();
            ws.settings.put("leadpipe.source.leads-api.page-size", "a hundred");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().lines()).hasSize(1).first().asString()
                    .startsWith("leadpipe: invalid setting leadpipe.source.leads-api.page-size = 'a hundred' is not a whole number (from ");
            assertThat(ws.simulator.stats().requests()).isEqualTo(requests);
            assertThat(snapshot(ws)).isEqualTo(before);
        }
    }

    @Test
    void theApiKeyNeverAppearsInOutputReportsOrCheckpoints() throws Exception {
        try (TestWorkspace ws = halfDonePull()) {
            Map<String, String> env = TestWorkspace.envWithKey();
            ws.simulator.stats().reset();
            ws.settings.put("leadpipe.source.leads-api.url", "http://127.0.0.1:1/v1/leads");
            TestWorkspace.CliResult run = ws.cli(env, "run");
            TestWorkspace.CliResult status = ws.cli(env, "status");
            String report = java.nio.file.Files.readString(ws.dir.resolve("reports/all-leads.json"));
            assertThat(run.out() + run.err() + status.out() + report + snapshot(ws) + ws.checkpoint("all-leads"))
                    .doesNotContain(TestWorkspace.API_KEY);
        }
    }
}
