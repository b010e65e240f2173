package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.sink.fake.SalesforceFake;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The salesforce sink profile against a fake of Salesforce's documented REST API (sink.fake.SalesforceFake). */
class SalesforceSinkTest {

    private static final int LEADS = 1000;

    @Test
    void withTheProfileAUrlAndATokenEveryLeadIsOneLeadRecordInBatchesOf200() throws Exception {
        try (SalesforceFake salesforce = new SalesforceFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "salesforce", "")) {
            ws.settings.put("leadpipe.sink.crm.url", salesforce.url());
            salesforce.windowLimit = 15_000;

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(salesforce.writesPerKey()).as("Lead records written").hasSize(LEADS);
            assertThat(salesforce.writesPerKey().values()).as("writes per record").allMatch(n -> n == 1);
            assertThat(salesforce.requests()).as("one sObject Collections call per 200 leads").isEqualTo(LEADS / 200);
            assertThat(salesforce.records().get("chloe.murphy0@north-systems0.example"))
                    .containsEntry("FirstName", "Chloe").containsEntry("LastName", "Murphy").containsEntry("LeadSource", "leadpipe");
            CrmWorkspace.report("salesforce", salesforce);
        }
    }

    @Test
    void aRecordSalesforceRefusesIsDeadLetteredWithItsStatusCodeTheFieldAndTheLineAndReplayedAfterTheFix() throws Exception {
        io.leadpipe.simulator.SimulatorConfig c = new io.leadpipe.simulator.SimulatorConfig();
        c.leads = LEADS;
        c.missingLastNameEvery = 10; // 100 leads without a last name
        try (SalesforceFake salesforce = new SalesforceFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(c, "salesforce", "")) {
            ws.settings.put("leadpipe.sink.crm.url", salesforce.url());
            // a mapping edited to let leads without a last name through: Salesforce refuses them
            String lastName = "  LastName:          { from: last_name, transform: [trim], required: true }";
            int line = CrmWorkspace.mapping(ws, "salesforce.yaml", lastName, "  LastName:          { from: last_name, transform: [trim] }");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out()).isZero();

            assertThat(CrmWorkspace.deadLetters(ws, "crm")).isEqualTo(Map.of(
                    "Salesforce refused the record: REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] (field LastName: salesforce.yaml line "
                            + line + ": LastName:          { from: last_name, transform: [trim] })", 100L));
            assertThat(salesforce.refusedRecords()).isEqualTo(100);
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DEAD", 100L, "DELIVERED", (long) LEADS - 100));
            Map<String, Integer> before = new HashMap<>(salesforce.writesPerKey());
            long requestsBefore = salesforce.requests();

            CrmWorkspace.mapping(ws, "salesforce.yaml", lastName, "  LastName:          { from: last_name, transform: [trim], default: Unknown, required: true }");
            CrmWorkspace.replayAndDeliver(ws, 100);

            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(salesforce.writesPerKey()).hasSize(LEADS);
            assertThat(salesforce.writesPerKey().values()).as("writes per record").allMatch(n -> n == 1);
            assertThat(salesforce.writesPerKey().keySet().stream().filter(k -> !before.containsKey(k)).count()).isEqualTo(100);
            assertThat(salesforce.requests() - requestsBefore).as("the replay: one call for the 100 leads").isEqualTo(1);
            assertThat(salesforce.records().values().stream().filter(r -> "Unknown".equals(r.get("LastName"))).count()).isEqualTo(100);
            CrmWorkspace.report("salesforce (replay)", salesforce);
        }
    }

    @Test
    void aSpentDailyAllowanceStopsDeliveryWithTheReasonAndLeavesEveryLeadToSend() throws Exception {
        try (SalesforceFake salesforce = new SalesforceFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(200, "salesforce", "")) {
            ws.settings.put("leadpipe.sink.crm.url", salesforce.url());
            salesforce.spentFor.set(1); // REQUEST_LIMIT_EXCEEDED: the org's 24 h allowance is spent

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isNotZero();
            assertThat(run.out()).contains("REQUEST_LIMIT_EXCEEDED");
            assertThat(salesforce.requests()).as("no call after the 403: it would only be refused too").isEqualTo(1);
            assertThat(salesforce.records()).isEmpty();
            assertThat(CrmWorkspace.deadLetters(ws, "crm")).isEmpty();

            TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver"); // the allowance is back
            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(salesforce.writesPerKey().values()).hasSize(200).allMatch(n -> n == 1);
        }
    }
}
