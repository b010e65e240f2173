package io.leadpipe.paging;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * leadpipe.source.<name>.concurrency = auto (the default): an offset job keeps as many pages in flight as the
 * quota's rate × the measured answer time × 1.5 needs, at most max-concurrency. The simulator allows 10
 * requests per 1-second window (X-RateLimit headers) and answers in 30 or 300 ms ± 50%. Asserted: the pages
 * in flight it chose, no 429, every lead once, and a quota share counted by the simulator — not a speed.
 */
class AutoConcurrencyTest {

    static final int PAGE_SIZE = 10;
    static final int LIMIT = 10;

    /** The defaults, but the floor (0, as in issue 24's target) and the client-side cap moved out of the way. */
    static TestWorkspace workspace(long latencyMillis, int leads) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        SimulatorConfig c = new SimulatorConfig();
        c.leads = leads;
        c.paging = "offset";
        c.latencyMillis = latencyMillis;
        c.latencyJitter = 0.5;
        c.rateLimit = LIMIT;
        c.rateWindowMillis = 1000;
        ws.startSimulator(c);
        ws.settings.put("leadpipe.source.leads-api.paging", "offset");
        ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
        ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
        ws.settings.put("leadpipe.ratelimit.floor", "0");
        ws.settings.put("leadpipe.ratelimit.reset-margin-ms", "100");
        return ws;
    }

    static TestWorkspace.CliResult runComplete(TestWorkspace ws, int leads) throws Exception {
        TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
        assertThat(run.exitCode()).as("run; stdout:\n%s\nstderr:\n%s", run.out(), run.err()).isZero();
        assertThat(run.out()).contains("completeness    PASS");
        List<String> keys = ws.storedLeadKeys("all-leads");
        assertThat(keys).as("leads stored, each once").hasSize(leads);
        assertThat(new HashSet<>(keys)).isEqualTo(TestWorkspace.idsOf(0, leads));
        SimulatorStats stats = ws.simulator.stats();
        assertThat(stats.rateLimited()).as("429s: the governor keeps the pages in flight inside the quota").isZero();
        assertThat(stats.pagesServedAgain()).as("pages fetched twice").isZero();
        return run;
    }

    /** Requests served in the 1-second windows the pull fully covered, ÷ the limit: the share of the quota used. */
    static double quotaShare(SimulatorStats stats) {
        Map<Long, Integer> perWindow = new TreeMap<>();
        for (SimulatorStats.RequestRecord r : stats.requestLog()) {
            if (r.status() != 429) perWindow.merge(Math.floorDiv(r.arrivedMillis(), 1000L), 1, Integer::sum);
        }
        List<Long> windows = List.copyOf(perWindow.keySet());
        long served = 0;
        int full = 0;
        for (long w = windows.get(0) + 1; w < windows.get(windows.size() - 1); w++) {
            served += perWindow.getOrDefault(w, 0);
            full++;
        }
        assertThat(full).as("full windows in the pull (windows: %s)", perWindow).isGreaterThanOrEqualTo(2);
        return served / (double) (LIMIT * (long) full);
    }

    @Test
    void autoOpensMorePagesAtThreeHundredMillisecondsThanAtThirtyAndUsesTheQuota() throws Exception {
        int fast;
        try (TestWorkspace ws = workspace(30, 200)) {
            TestWorkspace.CliResult run = runComplete(ws, 200);
            fast = ws.simulator.stats().mostInFlight();
            assertThat(run.out()).contains("concurrency auto, at most 16");
        }
        int slow;
        double share;
        try (TestWorkspace ws = workspace(300, 400)) {
            TestWorkspace.CliResult run = runComplete(ws, 400);
            slow = ws.simulator.stats().mostInFlight();
            share = quotaShare(ws.simulator.stats());
            assertThat(run.out()).contains("concurrency auto, at most 16");
        }
        // 10/s × 0.03 s × 1.5 = 0.45 → 1 page; 10/s × 0.3 s × 1.5 = 4.5 → 5 (a slower machine only measures longer answers)
        assertThat(fast).as("pages in flight at 30 ms: one at a time already uses the quota").isLessThan(slow);
        assertThat(slow).as("pages in flight at 300 ms: more than one, never the bound of 16").isBetween(2, 15);
        // one page at a time at 300 ms would use about 1/3 of it; the benchmark measures the 0.95
        assertThat(share).as("share of the quota used at 300 ms (requests served in full windows ÷ the limit)").isGreaterThan(0.75);
    }

    @Test
    void maxConcurrencyBoundsThePagesInFlightAndKeepsTheCheckpointExact() throws Exception {
        try (TestWorkspace ws = workspace(300, 100)) {
            ws.settings.put("leadpipe.source.leads-api.max-concurrency", "2");
            TestWorkspace.CliResult run = runComplete(ws, 100);
            assertThat(ws.simulator.stats().mostInFlight()).as("the quota needs 5 in flight; max-concurrency allows 2").isEqualTo(2);
            assertThat(run.out()).contains("up to 2 pages in flight (concurrency auto, at most 2)");
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("DONE");
            assertThat(cp.get("page_no")).isEqualTo(100 / PAGE_SIZE);
            assertThat(ParallelPagesTest.pagesStoredAhead(ws)).isZero();
        }
    }

    @Test
    void aNumberStillSetsThePagesInFlightByHand() throws Exception {
        try (TestWorkspace ws = workspace(30, 100)) {
            ws.settings.put("leadpipe.source.leads-api.concurrency", "4");
            TestWorkspace.CliResult run = runComplete(ws, 100);
            assertThat(ws.simulator.stats().mostInFlight()).as("4 by hand, though one would do at 30 ms").isBetween(2, 4);
            assertThat(run.out()).contains("(concurrency 4)");
        }
    }

    @Test
    void aWordOtherThanAutoOrANumberIsAConfigurationError() throws Exception {
        try (TestWorkspace ws = workspace(0, 10)) {
            ws.settings.put("leadpipe.source.leads-api.concurrency", "lots");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("leadpipe.source.leads-api.concurrency = 'lots'").contains("must be auto or a number from 1 to 64");
            assertThat(ws.simulator.stats().requests()).as("nothing opened").isZero();
        }
    }
}
