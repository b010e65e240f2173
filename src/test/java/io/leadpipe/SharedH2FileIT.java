package io.leadpipe;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several leadpipe processes on one H2 file, as a cron of separate jobs starts them: four `run --job X` at
 * once (staggered by a few milliseconds, so they race to open the file and its AUTO_SERVER). The first to open
 * the file serves it to the others; it must keep serving until they are done, and every other process must
 * wait for the file rather than fail. Every run completes, every checkpoint is DONE.
 */
class SharedH2FileIT {

    @Test
    void fourRunsOfSeparateJobsOnOneH2FileAllComplete() throws Exception {
        if (TestWorkspace.POSTGRES) return;
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig config = new SimulatorConfig();
            config.leads = 1000;
            config.latencyMillis = 20;
            ws.startSimulator(config);
            List<String> jobs = List.of("de", "fr", "us", "gb");
            StringBuilder yaml = new StringBuilder();
            for (String j : jobs) yaml.append(TestWorkspace.job(j, "country=" + j.toUpperCase()));
            // the first job is short: its process, which serves the file, ends while the others are still pulling
            yaml = new StringBuilder(yaml.toString().replace("value: \"country=DE\" }\n", "value: \"country=DE\" }\n      - { name: maxRequests, value: \"1\" }\n"));
            ws.jobs(yaml.toString());
            ws.settings.put("leadpipe.source.leads-api.page-size", "20");

            List<Process> processes = new ArrayList<>();
            for (String j : jobs) processes.add(ws.startProcess(ws.dir.resolve(j + ".log"), "run", "--job", j));
            for (int i = 0; i < jobs.size(); i++) {
                Process p = processes.get(i);
                String log = ws.dir.resolve(jobs.get(i) + ".log").toString();
                assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("run --job %s ended", jobs.get(i)).isTrue();
                assertThat(p.exitValue()).as("run --job %s; log:%n%s", jobs.get(i), Files.readString(Path.of(log))).isZero();
            }
            for (String j : jobs) {
                assertThat(ws.checkpoint(j).get("status")).as("checkpoint of %s", j).isIn("DONE", "CAPPED");
            }
        }
    }
}
