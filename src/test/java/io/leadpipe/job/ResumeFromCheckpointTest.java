package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.job.JobFilters;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ResumeFromCheckpointTest {

    @Test
    void resumesAtTheHandWrittenCursorWithoutAskingForTheFirstPage() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(new SimulatorConfig());
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero(); // creates the schema
            // the simulator's cursor after position 2999, as if 30 pages of 100 had been stored
            String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString("after:2999".getBytes());
            try (Connection c = ws.db(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, next_cursor, page_no, lead_count, status, started_at, updated_at) "
                            + "VALUES ('all-leads', 'leads-api', '', ?, ?, 30, 3000, 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
                ps.setString(1, JobFilters.hash(""));
                ps.setString(2, cursor);
                ps.executeUpdate();
            }

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            // the hand-written checkpoint claims 3000 leads this database never stored: the proof names the gap
            assertThat(run.exitCode()).as("stderr: %s", run.err()).isEqualTo(3);
            assertThat(run.out()).contains("GAP: the API reported 5000 leads but 2000 distinct leads were stored in this pull (3000 missing)");
            assertThat(ws.simulator.stats().firstPages()).as("requests for the first page").isZero();
            assertThat(ws.simulator.stats().servesPerCursor()).as("first request used the saved cursor").containsEntry("||" + cursor, 1);
            assertThat(ws.simulator.stats().pages()).isEqualTo(20);
            assertThat(new HashSet<>(ws.storedLeadKeys())).as("only the leads after the checkpoint").isEqualTo(TestWorkspace.idsOf(3000, 5000));
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("DONE");
            assertThat(cp.get("page_no")).isEqualTo(50);
            assertThat(((Number) cp.get("lead_count")).longValue()).isEqualTo(5000L);
        }
    }

    @Test
    void refusesToResumeWhenTheJobsFiltersChanged() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(new SimulatorConfig());
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero();
            try (Connection c = ws.db(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, next_cursor, page_no, lead_count, status, started_at, updated_at) "
                            + "VALUES ('all-leads', 'leads-api', 'industry=Retail', ?, 'abc', 3, 300, 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
                ps.setString(1, JobFilters.hash("industry=Retail"));
                ps.executeUpdate();
            }

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).contains("leadpipe reset all-leads");
            assertThat(ws.simulator.stats().requests()).as("no request with the wrong filters").isZero();
            assertThat(ws.checkpoint("all-leads")).containsEntry("next_cursor", "abc").containsEntry("page_no", 3);
        }
    }
}
