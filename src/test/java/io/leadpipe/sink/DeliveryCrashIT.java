package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SIGKILL with several CRM batches in flight: after a restart every lead is DELIVERED or DEAD, and none was upserted twice. */
class DeliveryCrashIT {

    @Test
    void killedWhileSeveralBatchesAreInFlightNothingIsLostAndNothingDeliveredTwice() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        try (TestWorkspace ws = new TestWorkspace().withSink(c)) {
            c.leads = 1600;               // four rounds of 4 batches: three chances to find a round in flight
            c.crmLatencyMillis = 600;     // a round is in flight long enough to be seen and killed mid-way
            c.crmRejectEvery = 97;        // some per-record errors, dead-lettered
            ws.startSimulator(c);
            ws.settings.put("leadpipe.sink.crm.concurrency", "4");

            Path log1 = ws.dir.resolve("run.log");
            Process run = ws.startProcess(log1, "run");
            // wait until some batches were delivered and more than one of the next ones is SENDING, then kill (no query before
            // the CRM holds those 300: the database is the process's to create, with its password)
            await().atMost(90, TimeUnit.SECONDS).pollInterval(20, TimeUnit.MILLISECONDS).ignoreExceptions()
                    .until(() -> ws.simulator.crm().upsertsPerId().size() >= 300 && ws.sinkStatus("DELIVERED") >= 300 && ws.sinkStatus("SENDING") > 100);
            new ProcessBuilder("kill", "-KILL", Long.toString(run.pid())).start().waitFor();
            assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).isEqualTo(137);
            // the CRM finishes the batches it was given, as a real one would: their leads are then in it, in doubt for leadpipe
            await().atMost(30, TimeUnit.SECONDS).until(() -> ws.simulator.crm().crmInFlight() == 0);

            Path log2 = ws.dir.resolve("deliver.log");
            Process deliver = ws.startProcess(log2, "deliver");
            assertThat(deliver.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(log2);
            assertThat(deliver.exitValue()).as(out).isZero();

            java.util.regex.Matcher inDoubt = java.util.regex.Pattern.compile("sink: (\\d+) deliveries were in doubt after a stop").matcher(out);
            assertThat(inDoubt.find()).as(out).isTrue();
            assertThat(Integer.parseInt(inDoubt.group(1))).as("leads read back: more than one batch was in flight").isGreaterThan(100);
            long delivered = ws.sinkStatus("DELIVERED");
            long dead = ws.sinkStatus("DEAD");
            assertThat(delivered + dead).as("every lead DELIVERED or DEAD").isEqualTo(c.leads);
            Map<String, Integer> upserts = ws.simulator.crm().upsertsPerId();
            assertThat(upserts.values()).as("upserts per contact").allMatch(n -> n == 1);
            assertThat(upserts).hasSize((int) delivered);
        }
    }
}
