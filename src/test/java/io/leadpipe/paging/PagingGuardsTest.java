package io.leadpipe.paging;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashSet;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Duplicate pages are skipped and counted; paging in circles stops with a clear error instead of burning quota. */
class PagingGuardsTest {

    @Test
    void duplicatePagesFromTheApiAreSkippedAndCounted() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 2000;
            c.duplicatePageEvery = 4; // every 4th page is the previous one again, under a new cursor
            ws.startSimulator(c);

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            long served = ws.simulator.stats().duplicatePagesServed();
            assertThat(served).isGreaterThanOrEqualTo(4);
            java.util.Set<String> missing = new java.util.TreeSet<>(TestWorkspace.idsOf(0, 2000));
            missing.removeAll(ws.storedLeadKeys());
            assertThat(missing).as("ids never stored").isEmpty();
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(((Number) cp.get("duplicate_pages")).longValue()).as("duplicate pages counted").isEqualTo(served);
            assertThat(((Number) cp.get("lead_count")).longValue()).as("duplicates not counted as leads").isEqualTo(2000L);
            assertThat(run.out()).contains("duplicates      " + served + " pages already processed, skipped");
        }
    }

    @Test
    void aPageRefetchedAfterACheckpointWasLostIsSkipped() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            ws.startSimulator(c);
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            // as if the process died after storing page 10 but before its checkpoint: back to page 9's position
            try (var conn = ws.db(); var st = conn.createStatement()) {
                String cursor9 = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("after:899".getBytes());
                st.executeUpdate("UPDATE extraction_checkpoint SET status = 'RUNNING', page_no = 9, lead_count = 900, next_cursor = '" + cursor9 + "'");
            }
            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(again.exitCode()).isZero();
            assertThat(again.out()).contains("duplicates      1 pages already processed, skipped").contains("leads stored    1000 (0 new");
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "same-cursor,  cursor, the API returned the same cursor twice in a row",
            "cursor-cycle, cursor, cursor cycle: the API's next cursor after page",
            "same-page,    offset, the API returned the same page twice in a row",
            "overrun,      cursor, still has a next page, but the API's own total of 1000 records means 10 pages",
    })
    void pagingInCirclesStopsWithAClearError(String fault, String kind, String message) throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            c.paging = kind;
            c.loop = fault;
            c.loopAfterPages = 4;
            ws.startSimulator(c);
            ws.settings.put("leadpipe.source.leads-api.paging", kind);

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).contains(message);
            assertThat((String) ws.checkpoint("all-leads").get("error")).contains(message);
            assertThat(ws.simulator.stats().requests()).as("stopped promptly, not after burning the quota").isLessThan(16);
        }
    }
}
