package io.leadpipe.paging;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;

import com.sun.net.httpserver.HttpExchange;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** leadpipe.source.<name>.concurrency: pages of one offset job in flight at once, the checkpoint still exact. */
class ParallelPagesTest {

    static final int LEADS = 2000;
    static final int PAGE_SIZE = 20; // 100 pages

    /** An offset source with a total, 8 pages in flight, an API answering in 40 ms ± 50% (so pages finish out of order). */
    static TestWorkspace offsetWorkspace(SimulatorConfig c, String paging) throws Exception {
        return offsetWorkspace(c, paging, 40);
    }

    static TestWorkspace offsetWorkspace(SimulatorConfig c, String paging, int latencyMillis) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        c.leads = LEADS;
        c.paging = paging;
        c.latencyMillis = latencyMillis;
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
            assertThat(ws.simulator.stats().pages()).as("pages served: each page once").isEqualTo(LEADS / PAGE_SIZE);
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

    @Test
    void aRequestCapIsOvershotByAtMostThePagesInFlightAndRaisingItContinuesFromTheCheckpoint() throws Exception {
        try (TestWorkspace ws = offsetWorkspace(new SimulatorConfig(), "offset")) {
            ws.jobs(TestWorkspace.job("all-leads", "", "maxRequests", "40"));
            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(capped.exitCode()).as("a cap is a clean stop: %s", capped.out()).isZero();
            assertThat(capped.out()).contains("status          CAPPED").contains("in parallel");
            long made = ws.simulator.stats().requests();
            assertThat(made).as("requests: the cap of 40, overshot by at most the 7 other pages in flight").isBetween(40L, 47L);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("CAPPED");
            int contiguous = (Integer) cp.get("page_no");
            assertThat(contiguous + pagesStoredAhead(ws)).as("pages stored: below the checkpoint, or waiting past it").isEqualTo(made);

            ws.jobs(TestWorkspace.job("all-leads", "", "maxRequests", "1000"));
            TestWorkspace.CliResult raised = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(raised.exitCode()).as(raised.out()).isZero();
            assertThat(raised.out()).contains("completeness    PASS");
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(ws.simulator.stats().pages()).as("each page fetched once over both runs").isEqualTo(LEADS / PAGE_SIZE);
        }
    }

    @Test
    void aLeadCapIsOvershotByAtMostThePagesInFlightAndRaisingItContinuesFromTheCheckpoint() throws Exception {
        try (TestWorkspace ws = offsetWorkspace(new SimulatorConfig(), "offset")) {
            ws.jobs(TestWorkspace.job("all-leads", "", "maxLeads", "300"));
            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(capped.exitCode()).as("a cap is a clean stop: %s", capped.out()).isZero();
            assertThat(capped.out()).contains("status          CAPPED").contains("leads received, cap 300");
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("CAPPED");
            long stored = ws.storedLeadKeys("all-leads").size();
            // the page that crosses the cap is stored whole, and so are the 7 other pages that were in flight then
            assertThat(stored).as("leads stored").isBetween(300L, 300L - 1 + 8L * PAGE_SIZE);
            int contiguous = (Integer) cp.get("page_no");
            assertThat(stored).as("leads: the pages below the checkpoint and those waiting past it")
                    .isEqualTo((contiguous + pagesStoredAhead(ws)) * PAGE_SIZE);

            ws.jobs(TestWorkspace.job("all-leads", "", "maxLeads", "0"));
            TestWorkspace.CliResult raised = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(raised.exitCode()).as(raised.out()).isZero();
            assertThat(raised.out()).contains("completeness    PASS");
            assertThat(ws.storedLeadKeys("all-leads")).hasSize(LEADS);
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(((Number) ws.checkpoint("all-leads").get("lead_count")).longValue()).as("leads counted once").isEqualTo(LEADS);
            assertThat(ws.simulator.stats().pages()).as("each page fetched once over both runs").isEqualTo(LEADS / PAGE_SIZE);
        }
    }

    /**
     * A stop signal (SIGTERM, Ctrl-C: stopGracefully) while 8 pages are in flight: the pages in flight finish and are
     * stored, no new one starts, the job ends INTERRUPTED with an exact checkpoint, and the next run completes the
     * pull with every lead once, fetching no page twice (the pages stored ahead are skipped).
     */
    @Test
    void aStopWhilePagesAreInFlightEndsInterruptedAndTheNextRunCompletesWithoutDuplicates() throws Exception {
        // an API slow enough (150 ms a page) that the stop finds pages in flight
        try (TestWorkspace ws = offsetWorkspace(new SimulatorConfig(), "offset", 150)) {
            ws.jobs(TestWorkspace.job("all-leads", ""));
            io.leadpipe.LeadpipeWiring app = ws.app();
            CompletableFuture<io.leadpipe.job.JobOutcome> run;
            try {
                run = CompletableFuture.supplyAsync(() -> app.runJob("all-leads"));
                await().atMost(30, TimeUnit.SECONDS).until(() -> ws.simulator.stats().pages() >= 20);
                app.stopGracefully(java.time.Duration.ofSeconds(20));
                assertThat(run.get(30, TimeUnit.SECONDS).status()).isEqualTo("INTERRUPTED");
            } finally {
                app.close();
            }
            long servedBeforeStop = ws.simulator.stats().pages();
            assertThat(servedBeforeStop).as("the pull stopped before its end").isLessThan(LEADS / PAGE_SIZE);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("INTERRUPTED");
            int contiguous = (Integer) cp.get("page_no");
            long stored = ws.storedLeadKeys("all-leads").size();
            assertThat(stored).as("every page served before the stop was stored: below the checkpoint or waiting past it")
                    .isEqualTo((contiguous + pagesStoredAhead(ws)) * PAGE_SIZE)
                    .isEqualTo(servedBeforeStop * PAGE_SIZE);

            TestWorkspace.CliResult resumed = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(resumed.exitCode()).as(resumed.out()).isZero();
            assertThat(resumed.out()).contains("completeness    PASS");
            assertThat(ws.storedLeadKeys("all-leads")).as("each lead once").hasSize(LEADS);
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(ws.simulator.stats().pages()).as("no page fetched twice: the pages in flight were stored before the stop")
                    .isEqualTo(LEADS / PAGE_SIZE);
        }
    }

    @Test
    void cursorPagingIgnoresTheSettingAndFetchesOnePageAtATime() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 400;
        c.latencyMillis = 20;
        c.rateLimit = 100_000;
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            ws.settings.put("leadpipe.source.leads-api.paging", "cursor");
            ws.settings.put("leadpipe.source.leads-api.page-size", "20");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.source.leads-api.concurrency", "8");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.simulator.stats().mostInFlight()).as("a cursor's next page is known only from the page before it").isEqualTo(1);
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).isEqualTo(TestWorkspace.idsOf(0, 400));
            assertThat(run.out()).doesNotContain("in parallel");
        }
    }

    // ---- a hand-written offset API (200 leads, pages of 10, total in /meta/total) whose pages the tests hold or fail

    static final int FAKE_LEADS = 200;
    static final int FAKE_PAGE = 10;

    /** What the fake does with the page at an offset: answer (true), or it has already answered (false: a failure). */
    interface PageRule {
        boolean answer(int offset) throws Exception;
    }

    static FakeApi offsetApi(Map<Integer, Integer> requestsPerOffset, PageRule rule) throws Exception {
        return new FakeApi((ex, n) -> {
            int offset = Integer.parseInt(query(ex, "offset", "0"));
            int limit = Integer.parseInt(query(ex, "limit", "10"));
            requestsPerOffset.merge(offset, 1, Integer::sum);
            if (!rule.answer(offset)) {
                FakeApi.send(ex, 503, "application/json", "{\"error\":\"unavailable\"}");
                return;
            }
            StringBuilder data = new StringBuilder();
            for (int i = offset; i < Math.min(FAKE_LEADS, offset + limit); i++) {
                if (data.length() > 0) data.append(',');
                data.append("{\"id\":\"lead-").append(i).append("\",\"email\":\"l").append(i).append("@example.com\"}");
            }
            FakeApi.send(ex, 200, "application/json", "{\"data\":[" + data + "],\"meta\":{\"total\":" + FAKE_LEADS + "}}");
        });
    }

    static String query(HttpExchange ex, String name, String def) {
        String q = URI.create(ex.getRequestURI().toString()).getRawQuery();
        if (q != null) {
            for (String pair : q.split("&")) {
                if (pair.startsWith(name + "=")) return pair.substring(name.length() + 1);
            }
        }
        return def;
    }

    static TestWorkspace fakeWorkspace(FakeApi api) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        api.serve(ws);
        ws.settings.put("leadpipe.source.leads-api.paging", "offset");
        ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(FAKE_PAGE));
        ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
        ws.settings.put("leadpipe.source.leads-api.concurrency", "8");
        ws.settings.put("leadpipe.retry.max-retries", "2");
        ws.settings.put("leadpipe.retry.base-delay-ms", "20");
        return ws;
    }

    static Set<String> fakeIds(int from, int to) {
        Set<String> ids = new HashSet<>();
        for (int i = from; i < to; i++) ids.add("lead-" + i);
        return ids;
    }

    static List<Integer> pagesStoredAheadNumbers(TestWorkspace ws) throws Exception {
        List<Integer> pages = new ArrayList<>();
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT page_no FROM pages_stored_ahead ORDER BY page_no")) {
            while (rs.next()) pages.add(rs.getInt(1));
        }
        return pages;
    }

    @Test
    void pagesStoredOutOfOrderWaitInTheDatabaseAndTheCheckpointStaysContiguous() throws Exception {
        CountDownLatch releasePage3 = new CountDownLatch(1);
        Map<Integer, Integer> requests = new ConcurrentHashMap<>();
        try (FakeApi api = offsetApi(requests, offset -> {
            if (offset == 20) releasePage3.await(30, TimeUnit.SECONDS); // page 3 is slow: the pages after it finish first
            return true;
        }); TestWorkspace ws = fakeWorkspace(api)) {
            CompletableFuture<TestWorkspace.CliResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return ws.cli(TestWorkspace.envWithKey(), "run");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                // every page after page 3 is stored while page 3 is in flight
                await().atMost(20, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions()
                        .until(() -> pagesStoredAheadNumbers(ws).size() == FAKE_LEADS / FAKE_PAGE - 3);
                Map<String, Object> cp = ws.checkpoint("all-leads");
                assertThat(cp.get("page_no")).as("the checkpoint: every page below it stored").isEqualTo(2);
                assertThat(cp.get("next_cursor")).as("the position it resumes at: page 3's offset").isEqualTo("20");
                assertThat(pagesStoredAheadNumbers(ws)).as("pages stored past the checkpoint, in the database").containsExactlyElementsOf(
                        java.util.stream.IntStream.rangeClosed(4, FAKE_LEADS / FAKE_PAGE).boxed().toList());
                Set<String> stored = new HashSet<>(ws.storedLeadKeys("all-leads"));
                assertThat(stored).as("leads of pages 1, 2 and 4–20 are committed; page 3's are not").hasSize(FAKE_LEADS - FAKE_PAGE)
                        .doesNotContainAnyElementsOf(fakeIds(20, 30));
                assertThat(ws.cli(Map.of(), "status").out()).as("status").contains("pages stored past the checkpoint (parallel pages): 17");
            } finally {
                releasePage3.countDown();
            }
            TestWorkspace.CliResult result = run.get(30, TimeUnit.SECONDS);
            assertThat(result.exitCode()).as("run; stdout:\n%s", result.out()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).isEqualTo(fakeIds(0, FAKE_LEADS));
            assertThat(ws.checkpoint("all-leads")).containsEntry("status", "DONE").containsEntry("page_no", FAKE_LEADS / FAKE_PAGE);
            assertThat(pagesStoredAheadNumbers(ws)).as("rows left once the checkpoint passed them").isEmpty();
            assertThat(requests.values()).as("requests per offset: each page once").containsOnly(1);
        }
    }

    @Test
    void aPageFailingAfterItsRetriesFailsTheJobAndTheNextRunResumesWithoutLossOrDuplicates() throws Exception {
        AtomicBoolean apiBroken = new AtomicBoolean(true);
        Map<Integer, Integer> requests = new ConcurrentHashMap<>();
        try (FakeApi api = offsetApi(requests, offset -> !(apiBroken.get() && offset == 50)); TestWorkspace ws = fakeWorkspace(api)) {
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(first.exitCode()).as("the first run fails; stdout:\n%s", first.out()).isNotZero();
            // the job's route returns only once the failure is recorded and its run report written
            assertThat(first.out()).as("the job failed once, with page 6's error").contains("status          FAILED — HTTP 503").doesNotContain("DONE");
            assertThat(first.out().split("run report: all-leads", -1)).as("run reports in: %s", first.out()).hasSize(2);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("FAILED");
            // below the failed page 6 (a page below it still in flight when the job failed is abandoned)
            int checkpoint = (Integer) cp.get("page_no");
            assertThat(checkpoint).as("the checkpoint stays below the failed page 6").isBetween(1, 5);
            assertThat(requests.get(50)).as("page 6: the request and its 2 retries").isEqualTo(3);
            List<Integer> ahead = pagesStoredAheadNumbers(ws);
            assertThat(ahead).as("pages stored past the checkpoint").allMatch(p -> p > checkpoint + 1 && p != 6);
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).as("what the first run committed: the pages below the checkpoint and those stored ahead")
                    .hasSize((checkpoint + ahead.size()) * FAKE_PAGE).containsAll(fakeIds(0, checkpoint * FAKE_PAGE));
            Map<Integer, Integer> firstRun = Map.copyOf(requests);

            apiBroken.set(false);
            requests.clear();
            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(second.exitCode()).as("the second run; stdout:\n%s", second.out()).isZero();
            assertThat(second.out()).contains("completeness    PASS");
            List<String> keys = ws.storedLeadKeys("all-leads");
            assertThat(keys).as("each lead once").hasSize(FAKE_LEADS);
            assertThat(new HashSet<>(keys)).isEqualTo(fakeIds(0, FAKE_LEADS));
            assertThat(((Number) ws.checkpoint("all-leads").get("lead_count")).longValue()).as("leads counted once").isEqualTo(FAKE_LEADS);
            assertThat(requests.keySet()).as("the resumed run starts at the checkpoint").allMatch(offset -> offset >= checkpoint * FAKE_PAGE).contains(50);
            for (int page : ahead) {
                assertThat(requests).as("page %d was stored ahead in the first run: not fetched again", page).doesNotContainKey((page - 1) * FAKE_PAGE);
            }
            assertThat(firstRun.keySet().size() + requests.size() - FAKE_LEADS / FAKE_PAGE)
                    .as("pages fetched in both runs (in flight when the job failed, plus page 6): first %s, second %s", firstRun, requests)
                    .isLessThanOrEqualTo(8);
            assertThat(pagesStoredAheadNumbers(ws)).isEmpty();
        }
    }

    static long pagesStoredAhead(TestWorkspace ws) throws Exception {
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM pages_stored_ahead")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
