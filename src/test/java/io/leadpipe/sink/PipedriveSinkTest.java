package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.sink.fake.PipedriveFake;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pipedrive sink profile (search, then create or update) against a fake of Pipedrive's documented API v2 (sink.fake.PipedriveFake). */
class PipedriveSinkTest {

    private static final int LEADS = 160;

    @Test
    void everyLeadIsOnePersonAndADeliveryAgainUpdatesInsteadOfCreating() throws Exception {
        try (PipedriveFake pipedrive = new PipedriveFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "pipedrive", "")) {
            ws.settings.put("leadpipe.sink.crm.url", pipedrive.url());
            pipedrive.windowLimit = 80;
            // calls in flight (4 batches) and a reset told in whole seconds: the floor keeps room for them (at the
            // default floor this fake's 2-second windows cost 15 × 429 per 800 calls — see issue #21's note)
            ws.settings.put("leadpipe.ratelimit.floor", "8");
            ws.settings.put("leadpipe.sink.retry.max-retries", "12");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(pipedrive.persons()).as("persons created").isEqualTo(LEADS);
            assertThat(pipedrive.duplicates()).isZero();
            // a search and a create per lead; a create that heard a 429 searches again before it is sent again (it cannot
            // know the 429 kept it from taking effect), and the 429s are a window's edge met by batches in flight
            assertThat(pipedrive.overLimit()).as("429s with the floor above the calls in flight").isLessThanOrEqualTo(4);
            assertThat(pipedrive.requests() - pipedrive.overLimit()).as("requests served").isBetween(2L * LEADS, 2L * LEADS + pipedrive.overLimit());
            assertThat(pipedrive.records().get("chloe.murphy0@north-systems0.example")).containsEntry("name", "Chloe Murphy");
            CrmWorkspace.report("pipedrive", pipedrive);

            // the same leads again (re-queued as a replay would): found by e-mail, updated, no second person;
            // the pacing is proved above, so the window no longer holds this part back
            pipedrive.windowLimit = 10_000;
            try (var c = ws.db(); var st = c.createStatement()) {
                st.executeUpdate("UPDATE leads SET sink_status = 'ENRICHED'");
            }
            assertThat(ws.cli(TestWorkspace.envWithKey(), "deliver").exitCode()).isZero();
            assertThat(pipedrive.persons()).isEqualTo(LEADS);
            assertThat(pipedrive.duplicates()).isZero();
        }
    }

    @Test
    void aCreateWhoseAnswerWasLostIsSearchedAgainNotRepeated() throws Exception {
        try (PipedriveFake pipedrive = new PipedriveFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(100, "pipedrive", "")) {
            ws.settings.put("leadpipe.sink.crm.url", pipedrive.url());
            pipedrive.loseCreateAnswers.set(3); // three persons are made, and their answers never arrive

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(pipedrive.lostAnswers()).isEqualTo(3);
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 100L));
            assertThat(pipedrive.persons()).as("persons: one per lead").isEqualTo(100);
            assertThat(pipedrive.duplicates()).as("second persons made by a repeated create").isZero();
            CrmWorkspace.report("pipedrive (lost answers)", pipedrive);
        }
    }

    @Test
    void aPersonPipedriveRefusesIsDeadLetteredWithItsWordsTheFieldAndTheLineAndReplayedAfterTheFix() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = LEADS;
        c.missingLastNameEvery = 10;
        try (PipedriveFake pipedrive = new PipedriveFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(c, "pipedrive", "")) {
            ws.settings.put("leadpipe.sink.crm.url", pipedrive.url());
            String name = "  name:  { join: [first_name, last_name], required: true }";
            int line = CrmWorkspace.mapping(ws, "pipedrive.yaml", name, "  name:  { from: last_name }"); // a name from the last name only

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out()).isZero();

            assertThat(CrmWorkspace.deadLetters(ws, "crm")).isEqualTo(Map.of(
                    "Pipedrive refused the record: ERR_SCHEMA_VALIDATION_FAILED: Validation failed: name: Required (field name: pipedrive.yaml line "
                            + line + ": name:  { from: last_name })", (long) LEADS / 10));
            Map<String, Integer> before = new HashMap<>(pipedrive.writesPerKey());

            CrmWorkspace.mapping(ws, "pipedrive.yaml", name, null); // fixed: as shipped
            CrmWorkspace.replayAndDeliver(ws, LEADS / 10);

            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
            assertThat(pipedrive.persons()).isEqualTo(LEADS);
            assertThat(pipedrive.duplicates()).isZero();
            assertThat(pipedrive.writesPerKey().keySet().stream().filter(k -> !before.containsKey(k)).count()).as("persons made by the replay").isEqualTo(LEADS / 10);
            assertThat(pipedrive.writesPerKey().values()).allMatch(n -> n == 1);
        }
    }
}
