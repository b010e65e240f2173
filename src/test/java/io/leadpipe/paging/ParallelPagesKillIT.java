package io.leadpipe.paging;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An offset job with 8 pages in flight, as a real process, killed with SIGKILL mid-pull and started again. */
class ParallelPagesKillIT {

    static final int LEADS = 4000;
    static final int PAGE_SIZE = 20; // 200 pages
    static final int CONCURRENCY = 8;

    @Test
    void resumesAfterKillWithAtMostTheInFlightPagesRefetched() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig config = new SimulatorConfig();
            config.leads = LEADS;
            config.paging = "offset";
            config.latencyMillis = 100; // 200 pages, 8 at a time: a few seconds to kill it in
            config.latencyJitter = 0.5;
            config.rateLimit = 100_000;
            ws.startSimulator(config);
            ws.settings.put("leadpipe.source.leads-api.paging", "offset");
            ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.source.leads-api.concurrency", Integer.toString(CONCURRENCY));
            Path log1 = ws.dir.resolve("run1.log");

            Process first = ws.startProcess(log1, "run");
            try {
                // no query before the simulator has a request: by then the process has made the database (H2 AUTO_SERVER)
                await().atMost(60, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions().until(() -> {
                    if (ws.simulator.stats().requests() == 0) return false;
                    Map<String, Object> cp = ws.checkpoint("all-leads");
                    return cp != null && ((Number) cp.get("page_no")).intValue() >= 40;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("40 pages were never checkpointed; process log:\n" + Files.readString(log1), e);
            }
            assertThat(first.isAlive()).as("still pulling when killed").isTrue();
            new ProcessBuilder("kill", "-KILL", Long.toString(first.pid())).start().waitFor();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            int pageAtKill = ((Number) ws.checkpoint("all-leads").get("page_no")).intValue();
            assertThat(pageAtKill).isBetween(40, LEADS / PAGE_SIZE - 1);
            assertThat(Files.readString(log1)).as("pages were stored out of order").contains("stored; checkpoint page=");

            Path log2 = ws.dir.resolve("run2.log");
            Process second = ws.startProcess(log2, "run");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("second run finishes").isTrue();
            assertThat(second.exitValue()).as("second run exit code; log:\n%s", Files.readString(log2)).isZero();

            List<String> keys = ws.storedLeadKeys("all-leads");
            assertThat(keys).as("leads stored for the job after kill + resume").hasSize(LEADS);
            assertThat(new HashSet<>(keys)).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("DONE");
            assertThat(((Number) cp.get("lead_count")).longValue()).as("leads counted once").isEqualTo(LEADS);
            assertThat(ws.simulator.stats().firstPages()).as("the first page was not fetched again").isEqualTo(1);
            assertThat(ws.simulator.stats().pagesServedAgain())
                    .as("pages fetched twice because of the kill (at most the %d in flight): %s", CONCURRENCY,
                            ws.simulator.stats().servesPerCursor().entrySet().stream().filter(e -> e.getValue() > 1).toList())
                    .isLessThanOrEqualTo(CONCURRENCY);
            assertThat(Files.readString(log2)).contains("resumes from its RUNNING checkpoint").contains("completeness    PASS");
        }
    }
}
