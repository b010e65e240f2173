package io.leadpipe.store;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several leadpipe processes on one H2 file, as a cron of separate jobs starts them: four `run --job X`. The
 * first opens the file and serves it to the others (H2 AUTO_SERVER); its job ends while theirs are still
 * pulling, and it must keep serving until they are done (before: "Database is already closed" mid-page, a
 * RUNNING checkpoint). The other three start at the same moment and race to upgrade and open the file (before:
 * 50200 on Flyway's history table, "run leadpipe repair"). Every run completes, every checkpoint is DONE.
 */
class SharedH2FileIT {

    @Test
    void fourRunsOfSeparateJobsOnOneH2FileAllComplete() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig config = new SimulatorConfig();
            config.leads = 8000; // about 1,000 a country: 50 pages of 20
            ws.startSimulator(config);
            List<String> jobs = List.of("de", "fr", "us", "gb");
            StringBuilder yaml = new StringBuilder();
            for (String j : jobs) yaml.append(TestWorkspace.job(j, "country=" + j.toUpperCase()));
            ws.jobs(yaml.toString());
            ws.settings.put("leadpipe.source.leads-api.page-size", "20");
            // each pull takes ~25 s: long enough that the later processes, whose JVMs may take 10 s or more to start on
            // a busy machine, connect while the first still runs (at 5/s, ~10 s each, once at a load average near 10
            // they started after it had ended, and it had no one to serve)
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "2");

            List<Process> processes = new ArrayList<>();
            Path firstLog = ws.dir.resolve("de.log");
            processes.add(ws.startProcess(firstLog, "run", "--job", "de"));
            // the others start once the first holds the file: they start later, so their pulls end after its one
            await().atMost(Duration.ofSeconds(90)).until(() -> ws.simulator.stats().requests() > 0 || !processes.get(0).isAlive());
            for (String j : jobs.subList(1, jobs.size())) processes.add(ws.startProcess(ws.dir.resolve(j + ".log"), "run", "--job", j));
            for (int i = 0; i < jobs.size(); i++) {
                Process p = processes.get(i);
                Path log = ws.dir.resolve(jobs.get(i) + ".log");
                assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("run --job %s ended", jobs.get(i)).isTrue();
                assertThat(p.exitValue()).as("run --job %s; log:%n%s", jobs.get(i), Files.readString(log)).isZero();
            }
            for (String j : jobs) assertThat(ws.checkpoint(j).get("status")).as("checkpoint of %s", j).isEqualTo("DONE");
            assertThat(Files.readString(firstLog)).as("the first process served the file to the others after its own job").contains("serves the H2 database to");
        }
    }
}
