package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.sink.fake.HubSpotFake;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hubspot sink profile against a fake of HubSpot's documented contacts API (sink.fake.HubSpotFake). */
class HubSpotSinkTest {

    private static final int LEADS = 1000;

    @Test
    void withTheProfileAUrlAndATokenEveryLeadIsOneContactWithinTheRollingWindow() throws Exception {
        try (HubSpotFake hubspot = new HubSpotFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "hubspot", "")) {
            ws.settings.put("leadpipe.sink.crm.url", hubspot.url());
            hubspot.windowLimit = 6;          // 6 requests per second: the headers, not leadpipe's settings, set the pace
            hubspot.windowMillis = 1000;

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(hubspot.writesPerKey()).as("contacts written").hasSize(LEADS);
            assertThat(hubspot.writesPerKey().values()).as("writes per contact").allMatch(n -> n == 1);
            assertThat(hubspot.overLimit()).as("429s: the X-HubSpot-RateLimit-* headers paced delivery").isZero();
            assertThat(hubspot.records().get("chloe.murphy0@north-systems0.example"))
                    .containsEntry("firstname", "Chloe").containsEntry("lifecyclestage", "lead").containsEntry("leadpipe_source", "leads-api");
            CrmWorkspace.report("hubspot", hubspot);
        }
    }

    @Test
    void aTenSecondlyRateLimitAnswerIsWaitedOutAndNoContactIsWrittenTwice() throws Exception {
        try (HubSpotFake hubspot = new HubSpotFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(300, "hubspot", "")) {
            ws.settings.put("leadpipe.sink.crm.url", hubspot.url());
            hubspot.windowMillis = 1000;
            hubspot.spentFor.set(2);          // another app of the account spent the window: the first two calls hear the 429

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(hubspot.overLimit()).as("TEN_SECONDLY_ROLLING 429s heard").isEqualTo(2);
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 300L));
            assertThat(hubspot.writesPerKey().values()).hasSize(300).allMatch(n -> n == 1);
        }
    }

    @Test
    void aPropertyThePortalDoesNotHaveIsDeadLetteredWithHubSpotsWordsTheFieldAndTheLineAndReplayedAfterTheFix() throws Exception {
        try (HubSpotFake hubspot = new HubSpotFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "hubspot", "")) {
            ws.settings.put("leadpipe.sink.crm.url", hubspot.url());
            // a company property on a contact: HubSpot has no contact property of that name
            Path mapping = ws.dir.resolve("hubspot.yaml");
            String shipped = Files.readString(Path.of("routes/mapping/hubspot.yaml"));
            Files.writeString(mapping, shipped + "  numberofemployees: { from: enrichment.employees }\n");
            int line = (int) shipped.lines().count() + 1;
            ws.settings.put("leadpipe.sink.mapping", mapping.toString());

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out()).isZero();

            Map<String, Long> dead = CrmWorkspace.deadLetters(ws, "crm");
            assertThat(dead).as("one reason: HubSpot's words, the field, the mapping line").containsOnlyKeys(
                    "HubSpot refused the record: VALIDATION_ERROR: Property \"numberofemployees\" does not exist (field numberofemployees: hubspot.yaml line "
                            + line + ": numberofemployees: { from: enrichment.employees })");
            long refused = dead.values().iterator().next();
            assertThat(refused).as("leads whose domain is known to the enrichment API (the others have no employees)").isBetween(500L, 999L);
            assertThat(refused).isEqualTo(hubspot.refusedRecords());
            assertThat(ws.sinkStatuses()).containsEntry("DEAD", refused).containsEntry("DELIVERED", LEADS - refused);
            Map<String, Integer> before = new HashMap<>(hubspot.writesPerKey());

            Files.writeString(mapping, shipped); // fixed: the line is gone
            assertThat(ws.cli(Map.of(), "replay", "--stage", "crm").out()).contains(refused + " dead-lettered leads re-queued (stage crm)");
            TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");

            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            Map<String, Integer> after = hubspot.writesPerKey();
            assertThat(after).hasSize(LEADS);
            assertThat(after.values()).as("writes per contact").allMatch(n -> n == 1);
            assertThat(after.keySet().stream().filter(k -> !before.containsKey(k)).count()).as("contacts written by the replay: only the dead letters").isEqualTo(refused);
            CrmWorkspace.report("hubspot (replay)", hubspot);
        }
    }
}
