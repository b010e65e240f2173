package io.leadpipe;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** leadpipe.source.<name>.concurrency: pages of one offset job in flight at once, the checkpoint still exact. */
class ParallelPagesTest {

    static final int LEADS = 3000;
    static final int PAGE_SIZE = 20; // 150 pages

    /** An offset source with a total, 8 pages in flight, an API answering in 40 ms ± 50% (so pages finish out of order). */
    static TestWorkspace offsetWorkspace(SimulatorConfig c, String paging) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        c.leads = LEADS;
        c.paging = paging;
        c.latencyMillis = 40;
        c.latencyJitter = 0.5;
        c.rateLimit = 100_000;
        ws.startSimulator(c);
        ws.settings.put("leadpipe.source.leads-api.paging", paging);
        ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
        ws.settings.put("leadpipe.source.leads-api.page-size-param", paging.equals("page") ? "per_page" : "limit");
        ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
        ws.settings.put("leadpipe.source.leads-api.concurrency", "8");
        return ws;
    }

    @Test
    void concurrencyEightKeepsSeveralPagesInFlightAndStoresEveryLeadOnce() throws Exception {
        try (TestWorkspace ws = offsetWorkspace(new SimulatorConfig(), "offset")) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("run; stdout:\n%s\nstderr:\n%s", run.out(), run.err()).isZero();
            List<String> keys = ws.storedLeadKeys("all-leads");
            assertThat(keys).as("leads stored for the job, each once").hasSize(LEADS);
            assertThat(new HashSet<>(keys)).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(ws.simulator.stats().mostInFlight()).as("pages the API worked on at once").isBetween(2, 8);
            assertThat(ws.simulator.stats().pages()).as("pages served: each of the 150 once").isEqualTo(LEADS / PAGE_SIZE);
            assertThat(ws.simulator.stats().pagesServedAgain()).isZero();
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("DONE");
            assertThat(cp.get("page_no")).isEqualTo(LEADS / PAGE_SIZE);
            assertThat(((Number) cp.get("lead_count")).longValue()).isEqualTo(LEADS);
            assertThat(pagesStoredAhead(ws)).as("pages left waiting past the checkpoint").isZero();
            assertThat(run.out()).contains("completeness    PASS");
        }
    }

    @Test
    void pageNumberPagingRunsInParallelToo() throws Exception {
        try (TestWorkspace ws = offsetWorkspace(new SimulatorConfig(), "page")) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("run; stdout:\n%s\nstderr:\n%s", run.out(), run.err()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(ws.simulator.stats().mostInFlight()).isGreaterThan(1);
            assertThat(ws.simulator.stats().pages()).isEqualTo(LEADS / PAGE_SIZE);
        }
    }

    static long pagesStoredAhead(TestWorkspace ws) throws Exception {
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM pages_stored_ahead")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
