package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SIGTERM (what Ctrl-C and `docker stop` send): the job stops between pages, checkpointed, INTERRUPTED and resumable. */
class GracefulShutdownIT {

    @Test
    void sigtermStopsBetweenPagesAndTheNextRunResumes() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig config = new SimulatorConfig();
            config.latencyMillis = 120;
            config.leads = 1500; // 15 pages: the stop comes after page 3, with pages still to go
            ws.startSimulator(config);
            Path log = ws.dir.resolve("run1.log");
            Process run = ws.startProcess(log, "run");
            awaitPage(ws, log, 3);

            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-TERM", Long.toString(run.pid())).start().waitFor();
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).as("exits promptly after SIGTERM").isTrue();
            double seconds = (System.nanoTime() - t0) / 1e9;

            String out = Files.readString(log);
            assertThat(out).as("log:\n%s", out).contains("job all-leads INTERRUPTED").contains("status          INTERRUPTED")
                    .doesNotContain("already closed").doesNotContain("Exception");
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("INTERRUPTED");
            assertThat(cp.get("lease_owner")).isNull();
            int page = ((Number) cp.get("page_no")).intValue();
            assertThat(ws.storedLeadKeys()).as("every stored page is checkpointed").hasSize(page * 100);
            assertThat(seconds).as("seconds from SIGTERM to exit").isLessThan(15);

            Path log2 = ws.dir.resolve("run2.log");
            Process again = ws.startProcess(log2, "run");
            assertThat(again.waitFor(240, TimeUnit.SECONDS)).isTrue();
            assertThat(again.exitValue()).as(Files.readString(log2)).isZero();
            assertThat(Files.readString(log2)).contains("resumes from its INTERRUPTED checkpoint");
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, config.leads));
            assertThat(ws.simulator.stats().pagesServedAgain()).as("pages fetched twice").isZero();
        }
    }

    @Test
    void sigtermDuringALongRateLimitWaitExitsWithinTheGraceTime() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig config = new SimulatorConfig();
            config.rateLimit = 4;
            config.rateWindowMillis = 120_000; // after 4 pages the governor waits two minutes for the reset
            ws.startSimulator(config);
            ws.settings.put("leadpipe.ratelimit.floor", "0");
            ws.settings.put("leadpipe.shutdown.grace-ms", "1000");
            Path log = ws.dir.resolve("run.log");
            Process run = ws.startProcess(log, "run");
            // the window's 4 requests made and their 4 pages checkpointed: all the process can do now is wait for the reset
            await().atMost(240, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions()
                    .until(() -> ws.simulator.stats().requests() >= 4 && ((Number) ws.checkpoint("all-leads").get("page_no")).intValue() == 4);

            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-TERM", Long.toString(run.pid())).start().waitFor();
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).as("exits within the grace time, not after the wait").isTrue();
            double seconds = (System.nanoTime() - t0) / 1e9;

            assertThat(seconds).isLessThan(15);
            String out = Files.readString(log);
            assertThat(out).doesNotContain("already closed").as("the governor's pause that SIGTERM cut short").contains("pauses");
            assertThat(ws.simulator.stats().requests()).as("no request past the window's 4").isEqualTo(4);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).as("log:\n%s", out).isEqualTo("INTERRUPTED");
            assertThat(cp.get("page_no")).isEqualTo(4);
        }
    }

    private static void awaitPage(TestWorkspace ws, Path log, int page) throws Exception {
        try {
            // no query before the simulator has a request: by then the process has made the database (H2 AUTO_SERVER)
            await().atMost(240, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions()
                    .until(() -> ws.simulator.stats().requests() > 0 && ((Number) ws.checkpoint("all-leads").get("page_no")).intValue() >= page);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("page " + page + " was never checkpointed; log:\n" + Files.readString(log), e);
        }
    }
}
