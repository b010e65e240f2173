package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.sink.fake.DataverseFake;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The dataverse sink profile (upsert by alternate key, OAuth2 client credentials) against a fake of the documented Web API. */
class DataverseSinkTest {

    private static final int LEADS = 300;

    /** The profile's OAuth2 settings a user gives: token URL, client id, scope and the secret (a file here). */
    static TestWorkspace dataverse(DataverseFake fake, int leads) throws Exception {
        TestWorkspace ws = CrmWorkspace.start(leads, "dataverse", fake.url());
        ws.settings.put("leadpipe.sink.crm.auth.token-url", fake.tokenUrl());
        ws.settings.put("leadpipe.sink.crm.auth.client-id", DataverseFake.CLIENT_ID);
        ws.settings.put("leadpipe.sink.crm.auth.scope", "https://contoso.crm.dynamics.com/.default");
        Path secret = ws.dir.resolve("client-secret");
        Files.writeString(secret, DataverseFake.CLIENT_SECRET);
        ws.settings.put("leadpipe.sink.crm.auth.client-secret-file", secret.toString());
        return ws;
    }

    @Test
    void everyLeadIsOneContactThroughAnEntraTokenAndA429IsWaitedOutAsItsRetryAfterSays() throws Exception {
        try (DataverseFake dataverse = new DataverseFake(CrmWorkspace.TOKEN); TestWorkspace ws = dataverse(dataverse, LEADS)) {
            dataverse.spentFor.set(2); // service protection: the first two calls hear 429 with Retry-After: 1

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(dataverse.tokensIssued.get()).as("tokens from the client credentials grant").isPositive();
            assertThat(dataverse.overLimit()).isEqualTo(2);
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(dataverse.writesPerKey()).hasSize(LEADS);
            assertThat(dataverse.writesPerKey().values()).as("writes per contact").allMatch(n -> n == 1);
            assertThat(dataverse.records().get("chloe.murphy0@north-systems0.example")).containsEntry("firstname", "Chloe").containsEntry("lastname", "Murphy");
            CrmWorkspace.report("dataverse", dataverse);
        }
    }

    @Test
    void theDocumentedLimitKeepsEveryCallInsideTheWindowThatOnlyTellsWhatIsLeft() throws Exception {
        try (DataverseFake dataverse = new DataverseFake(CrmWorkspace.TOKEN); TestWorkspace ws = dataverse(dataverse, 100)) {
            dataverse.windowLimit = 20;    // 20 a second, rolling: answers carry what is left, never the limit
            dataverse.windowMillis = 1000;
            ws.settings.put("leadpipe.sink.crm.quota.window.interval", "1s"); // the profile's 5 minutes and 6,000, scaled
            ws.settings.put("leadpipe.sink.crm.quota.window.limit", "20");
            ws.settings.put("leadpipe.ratelimit.floor", "10");                 // the default: a tenth of the limit is kept

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(dataverse.writesPerKey()).hasSize(100);
            assertThat(dataverse.writesPerKey().values()).as("writes per contact").allMatch(n -> n == 1);
            // with the limit the floor is a tenth of it (without, 0: bench/run sink heard 2 × 429 in 403 calls; this
            // smaller run did not reproduce them, so it checks the declared limit's path, not the old failure)
            assertThat(dataverse.overLimit()).as("calls into a spent window (429)").isZero();
            CrmWorkspace.report("dataverse (documented limit)", dataverse);
        }
    }

    @Test
    void aColumnTheTableLacksIsDeadLetteredWithDataversesWordsTheFieldAndTheLineAndReplayedAfterTheFix() throws Exception {
        try (DataverseFake dataverse = new DataverseFake(CrmWorkspace.TOKEN); TestWorkspace ws = dataverse(dataverse, LEADS)) {
            Path mapping = ws.dir.resolve("dataverse.yaml");
            String shipped = Files.readString(Path.of("routes/mapping/dataverse.yaml"));
            Files.writeString(mapping, shipped + "  numberofemployees: { from: enrichment.employees }\n"); // an account column, not a contact's
            int line = (int) shipped.lines().count() + 1;
            ws.settings.put("leadpipe.sink.mapping", mapping.toString());

            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();

            Map<String, Long> dead = CrmWorkspace.deadLetters(ws, "crm");
            assertThat(dead).containsOnlyKeys("Dataverse refused the record: 0x80060888: The property 'numberofemployees' does not exist on type "
                    + "'Microsoft.Dynamics.CRM.contact'. Make sure to only use property names that are defined by the type. (field numberofemployees: dataverse.yaml line "
                    + line + ": numberofemployees: { from: enrichment.employees })");
            long refused = dead.values().iterator().next();
            assertThat(refused).isPositive().isLessThan(LEADS);
            Map<String, Integer> before = new HashMap<>(dataverse.writesPerKey());

            Files.writeString(mapping, shipped);
            assertThat(ws.cli(Map.of(), "replay", "--stage", "crm").out()).contains(refused + " dead-lettered leads re-queued (stage crm)");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "deliver").exitCode()).isZero();

            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(dataverse.writesPerKey().values()).allMatch(n -> n == 1);
            assertThat(dataverse.writesPerKey().keySet().stream().filter(k -> !before.containsKey(k)).count()).isEqualTo(refused);
        }
    }
}
