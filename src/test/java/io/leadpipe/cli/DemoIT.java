package io.leadpipe.cli;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.cli.LeadpipeCli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command: the simulator jar's {@code demo} starts the simulator and runs
 * {@code java -jar target/leadpipe.jar run} against it as a child process — pull into H2, then delivery to
 * the simulated CRM. Smaller than the real demo (200 leads, no slow-down, no quota in the way) so it stays short.
 */
class DemoIT {

    @Test
    void theDemoPullsEveryLeadIntoH2AndDeliversThemWithTheKeysNeverOnACommandLine() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            Path log = ws.dir.resolve("demo.log");
            // the CRM's and the enrichment API's quotas out of the way: pacing is tested elsewhere, this is about the wiring
            Process demo = ws.startSimulatorJar(log, "demo", "-Dleadpipe.simulator.leads=200", "-Dleadpipe.demo.latency-ms=0",
                    "-Dleadpipe.simulator.crm.rate-limit=1000", "-Dleadpipe.simulator.enrich.rate-limit=5000",
                    "-Dleadpipe.sink.crm.max-requests-per-second=1000", "-Dleadpipe.sink.enrichment.max-requests-per-second=1000");
            // the keys travel in the child's environment: sample leadpipe's command line while it runs
            List<List<String>> childCommandLines = new ArrayList<>();
            while (!demo.waitFor(100, TimeUnit.MILLISECONDS)) {
                demo.descendants().forEach(child -> child.info().arguments().map(List::of).ifPresent(args -> {
                    if (!childCommandLines.contains(args)) childCommandLines.add(args);
                }));
                assertThat(childCommandLines.size()).as("demo still running after sampling; log:\n%s", Files.readString(log)).isLessThan(100);
            }
            String out = Files.readString(log);
            assertThat(demo.exitValue()).as("demo exit code; output:\n%s", out).isZero();

            assertThat(out).startsWith("leadpipe demo: simulated leads API with 200 leads at http://127.0.0.1:");
            assertThat(out).contains("status          DONE", "completeness    PASS: 200 distinct leads stored = the API's total of 200",
                    "──── delivery ────", "leads           200 delivered, 0 dead-lettered this run", "staging now     DELIVERED 200");
            assertThat(new HashSet<>(ws.storedLeadKeys("all-leads"))).as("leads in the workspace's H2 file").isEqualTo(TestWorkspace.idsOf(0, 200));

            assertThat(childCommandLines).as("leadpipe ran as a child process: java -jar target/leadpipe.jar run")
                    .anySatisfy(args -> assertThat(String.join(" ", args)).contains("leadpipe.jar run"));
            for (List<String> args : childCommandLines) {
                assertThat(String.join(" ", args)).as("a child's command line").doesNotContain("demo-key", "crm-key", "enrich-key");
            }
            assertThat(out).doesNotContain("demo-key", "crm-key", "enrich-key");
        }
    }

    @Test
    void theProductJarPointsAtTheSimulatorJarForTheDemo() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            TestWorkspace.CliResult r = ws.cli(TestWorkspace.envWithKey(), "demo");
            assertThat(r.exitCode()).isEqualTo(LeadpipeCli.BAD_CONFIG);
            assertThat(r.err()).contains("java -jar target/leadpipe-simulator.jar demo");
        }
    }
}
