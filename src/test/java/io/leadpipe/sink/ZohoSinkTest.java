package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.sink.fake.ZohoFake;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The zoho sink profile against a fake of Zoho CRM's documented API v7 (sink.fake.ZohoFake). */
class ZohoSinkTest {

    private static final int LEADS = 400;

    @Test
    void everyLeadIsOneZohoLeadAndARefusedOneIsDeadLetteredWithItsCodeTheFieldAndTheLineAndReplayedAfterTheFix() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = LEADS;
        c.missingLastNameEvery = 10;
        try (ZohoFake zoho = new ZohoFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(c, "zoho", "")) {
            ws.settings.put("leadpipe.sink.crm.url", zoho.url());
            String lastName = "  Last_Name:       { from: last_name, transform: [trim], required: true }";
            int line = CrmWorkspace.mapping(ws, "zoho.yaml", lastName, "  Last_Name:       { from: last_name, transform: [trim] }");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out()).isZero();

            assertThat(CrmWorkspace.deadLetters(ws, "crm")).isEqualTo(Map.of(
                    "Zoho CRM refused the record: MANDATORY_NOT_FOUND: required field not found (field Last_Name: zoho.yaml line "
                            + line + ": Last_Name:       { from: last_name, transform: [trim] })", (long) LEADS / 10));
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DEAD", (long) LEADS / 10, "DELIVERED", LEADS - LEADS / 10L));
            assertThat(zoho.requests()).as("one upsert per 100 leads").isEqualTo(LEADS / 100);
            Map<String, Integer> before = new HashMap<>(zoho.writesPerKey());

            CrmWorkspace.mapping(ws, "zoho.yaml", lastName, "  Last_Name:       { from: last_name, transform: [trim], default: Unknown, required: true }");
            CrmWorkspace.replayAndDeliver(ws, LEADS / 10);

            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(zoho.writesPerKey()).hasSize(LEADS);
            assertThat(zoho.writesPerKey().values()).as("writes per lead").allMatch(n -> n == 1);
            assertThat(zoho.writesPerKey().keySet().stream().filter(k -> !before.containsKey(k)).count()).isEqualTo(LEADS / 10);
            CrmWorkspace.report("zoho (replay)", zoho);
        }
    }
    @Test
    void theCreditsOfARollingDayArePacedWithoutA429() throws Exception {
        // Zoho counts credits over a rolling 24 h and sends no header saying what is left: the profile's declared
        // crm.quota.day.limit is counted by leadpipe itself. Here the day is 1 s of 10 credits (the bench's scale)
        int leads = 200;
        try (ZohoFake zoho = new ZohoFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(leads, "zoho", "")) {
            zoho.windowLimit = 10;
            zoho.windowMillis = 1000;
            ws.settings.put("leadpipe.sink.crm.url", zoho.url());
            ws.settings.put("leadpipe.sink.crm.quota.day.interval", "1s");
            ws.settings.put("leadpipe.sink.crm.quota.day.limit", "10");
            ws.settings.put("leadpipe.sink.batch-size", "10");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out()).isZero();

            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) leads));
            assertThat(zoho.writesPerKey().values()).as("writes per lead").hasSize(leads).allMatch(n -> n == 1);
            assertThat(zoho.overLimit()).as("429s for spent credits").isZero();
            assertThat(zoho.overConcurrency()).as("429s over the Free edition's 5 calls at once").isZero();
            java.util.List<Long> served = zoho.servedAt();
            assertThat(served.get(served.size() - 1) - served.get(0)).as("20 upserts at 9 a second (10 less the floor's 1)").isGreaterThanOrEqualTo(1000);
            CrmWorkspace.report("zoho (credits)", zoho);
        }
    }
}
