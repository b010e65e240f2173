package io.leadpipe.job;

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

/** target/leadpipe.jar as a real process, killed with SIGKILL mid-pull and started again. */
class CrashAndResumeIT {

    @Test
    void resumesAfterKillWithAtMostOnePageRefetched() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig config = new SimulatorConfig();
            config.latencyMillis = 120; // 50 pages take several seconds
            ws.startSimulator(config);
            Path log1 = ws.dir.resolve("run1.log");

            Process first = ws.startProcess(log1, "run");
            try {
                // no query before the process owns the database (H2 AUTO_SERVER): it has when the simulator has its first request
                await().atMost(60, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions().until(() -> {
                    if (ws.simulator.stats().requests() == 0) return false;
                    Map<String, Object> cp = ws.checkpoint("all-leads");
                    return cp != null && ((Number) cp.get("page_no")).intValue() >= 3;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("three pages were never checkpointed; process log:\n" + Files.readString(log1), e);
            }
            assertThat(first.isAlive()).as("still pulling when killed").isTrue();
            new ProcessBuilder("kill", "-KILL", Long.toString(first.pid())).start().waitFor();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            int pageAtKill = ((Number) ws.checkpoint("all-leads").get("page_no")).intValue();
            assertThat(pageAtKill).isBetween(3, 49);

            Path log2 = ws.dir.resolve("run2.log");
            Process second = ws.startProcess(log2, "run");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("second run finishes").isTrue();
            assertThat(second.exitValue()).as("second run exit code; log:\n%s", Files.readString(log2)).isZero();

            List<String> keys = ws.storedLeadKeys();
            assertThat(keys).as("stored ids after crash + resume").hasSize(5000);
            assertThat(new HashSet<>(keys)).isEqualTo(TestWorkspace.idsOf(0, 5000));
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            assertThat(ws.simulator.stats().firstPages()).as("the first page was not fetched again").isEqualTo(1);
            assertThat(ws.simulator.stats().pagesServedAgain())
                    .as("pages fetched twice because of the kill: %s", ws.simulator.stats().servesPerCursor().entrySet().stream().filter(e -> e.getValue() > 1).toList())
                    .isLessThanOrEqualTo(1);
            assertThat(Files.readString(log2)).contains("resumes from its RUNNING checkpoint");
        }
    }
}
