package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * leadpipe.sink.crm.concurrency = auto (the default): each delivery round sends as many batches at once as the
 * CRM's quota rate × its measured answer time × 1.5 need, at most max-concurrency. The simulator's CRM allows
 * 10 calls per 1-second window and answers in 30 or 300 ms. Asserted: the batches in flight it chose, no 429,
 * every lead delivered once.
 */
class AutoCrmBatchesTest {

    static final int LEADS = 1500; // 15 batches of 100

    /** The CRM batches the simulator saw in flight at once, after a delivery that must be complete. */
    static int batchesInFlight(long crmLatencyMillis, String maxConcurrency) throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = LEADS;
        try (TestWorkspace ws = new TestWorkspace().withSink(c)) {
            c.crmRateLimit = 10;
            c.crmRateWindowMillis = 1000;
            c.crmLatencyMillis = crmLatencyMillis;
            ws.startSimulator(c);
            if (maxConcurrency != null) ws.settings.put("leadpipe.sink.crm.max-concurrency", maxConcurrency);

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(ws.simulator.crm().upsertsPerId()).as("contacts in the CRM").hasSize(LEADS);
            assertThat(ws.simulator.crm().upsertsPerId().values()).as("upserts per contact").allMatch(n -> n == 1);
            assertThat(ws.simulator.crm().crmOverLimit()).as("CRM calls refused for going past its limit (429)").isZero();
            return ws.simulator.crm().crmMaxInFlight();
        }
    }

    @Test
    void autoSendsMoreBatchesAtOnceAtThreeHundredMillisecondsThanAtThirty() throws Exception {
        int fast = batchesInFlight(30, null);
        int slow = batchesInFlight(300, null);
        // 10/s × 0.03 s × 1.5 = 0.45 → 1 batch; 10/s × 0.3 s × 1.5 = 4.5 → 5 (a slower machine only measures longer answers)
        assertThat(fast).as("batches in flight at 30 ms").isLessThan(slow);
        assertThat(slow).as("batches in flight at 300 ms: more than one, at most max-concurrency (8)").isBetween(2, 8);
    }

    @Test
    void maxConcurrencyBoundsTheBatchesInFlight() throws Exception {
        assertThat(batchesInFlight(300, "2")).as("the quota needs 5 at once; max-concurrency allows 2").isEqualTo(2);
    }
}
