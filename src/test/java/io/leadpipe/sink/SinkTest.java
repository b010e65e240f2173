package io.leadpipe.sink;

import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Pull + delivery into the simulated CRM: mapped, enriched, delivered exactly once; dead letters replayable. */
class SinkTest {

    private static TestWorkspace sinkWorkspace(SimulatorConfig c) throws Exception {
        TestWorkspace ws = new TestWorkspace().withSink(c);
        ws.startSimulator(c);
        ws.settings.put("leadpipe.sink.retry.base-delay-ms", "100");
        ws.settings.put("leadpipe.sink.retry.max-retries", "12");
        return ws;
    }

    @Test
    void aFullPullAndDeliveryLandsEveryLeadInTheCrmExactlyOnce() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 1000;
        try (TestWorkspace ws = sinkWorkspace(c)) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 1000L));
            Map<String, Integer> upserts = ws.simulator.crm().upsertsPerId();
            assertThat(upserts).hasSize(1000);
            assertThat(upserts.values()).as("upserts per contact").allMatch(n -> n == 1);
            Map<String, Object> contact = ws.simulator.crm().contacts().get("chloe.murphy0@north-systems0.example");
            assertThat(contact).containsEntry("firstname", "Chloe").containsEntry("lastname", "Murphy").containsEntry("fullname", "Chloe Murphy")
                    .containsEntry("lifecyclestage", "lead").containsEntry("company", "North Systems");
            long enriched = ws.simulator.crm().contacts().values().stream().filter(p -> p.containsKey("numberofemployees")).count();
            assertThat(enriched).as("contacts with firmographics").isBetween(500L, 999L); // some domains are unknown (404)
            assertThat(ws.simulator.crm().enrichRequests()).as("one enrichment call per domain, not per lead").isLessThan(500);
            assertThat(run.out()).contains("1000 delivered, 0 dead-lettered");
        }
    }

    @Test
    void aLeadDeletedAtTheSourceIsKeptAndNotDelivered() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 200;
        try (TestWorkspace ws = sinkWorkspace(c)) {
            ws.settings.put("leadpipe.sink.enabled", "false");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            // what a recurring sync does with a record the vendor flags deleted (store.DeltaWatermarks#markDeleted)
            int deleted;
            try (Connection db = ws.db(); Statement st = db.createStatement()) {
                deleted = st.executeUpdate("UPDATE leads SET deleted_at_source = CURRENT_TIMESTAMP WHERE lead_key IN "
                        + "(SELECT lead_key FROM leads ORDER BY lead_key FETCH FIRST 10 ROWS ONLY)");
            }
            assertThat(deleted).isEqualTo(10);
            ws.settings.put("leadpipe.sink.enabled", "true");

            assertThat(ws.cli(TestWorkspace.envWithKey(), "deliver").exitCode()).isZero();

            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 190L, "NEW", 10L));
            assertThat(ws.simulator.crm().upsertsPerId()).as("contacts written").hasSize(190);
            assertThat(ws.storedLeadKeys()).as("kept").hasSize(200);
        }
    }

    @Test
    void severalBatchesInFlightDeliverEveryLeadExactlyOnceAndNeverPastTheCrmLimit() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 3000;
        try (TestWorkspace ws = new TestWorkspace().withSink(c)) {
            c.crmRateLimit = 10;          // 10 batches per second: the CRM's quota, not leadpipe, sets the pace
            c.crmRateWindowMillis = 1000;
            c.crmLatencyMillis = 40;      // a batch is still in flight when the next ones start
            ws.startSimulator(c);
            ws.settings.put("leadpipe.sink.crm.concurrency", "4");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 3000L));
            Map<String, Integer> upserts = ws.simulator.crm().upsertsPerId();
            assertThat(upserts).as("contacts in the CRM").hasSize(3000);
            assertThat(upserts.values()).as("upserts per contact").allMatch(n -> n == 1);
            assertThat(run.out()).contains("3000 delivered, 0 dead-lettered");
            assertThat(ws.simulator.crm().crmOverLimit()).as("CRM requests refused for going past its limit (429)").isZero();
            assertThat(ws.simulator.crm().crmMaxInFlight()).as("CRM batches in flight at once").isBetween(2, 4);
        }
    }

    @Test
    void whileTheCrmIsDownDeliveryRetriesAndCompletesWhenItReturns() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 500;
        c.crmDown = true;
        try (TestWorkspace ws = sinkWorkspace(c)) {
            Thread revive = new Thread(() -> {
                // the CRM comes back after its fourth 503 (a timeout here leaves it down: the run then fails)
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20)).until(() -> ws.simulator.crm().crmUnavailable() >= 4);
                c.crmDown = false;
            });
            revive.start();
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            revive.join(5000);

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(ws.simulator.crm().crmUnavailable()).as("503s while down").isGreaterThanOrEqualTo(4);
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 500L));
            assertThat(ws.simulator.crm().upsertsPerId().values()).hasSize(500).allMatch(n -> n == 1);
        }
    }

    @Test
    void aCrmThatStaysDownFailsTheDeliveryAndLeavesEveryLeadStaged() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 300;
        c.crmDown = true;
        try (TestWorkspace ws = sinkWorkspace(c)) {
            ws.settings.put("leadpipe.sink.retry.max-retries", "2");
            ws.settings.put("leadpipe.sink.crm.concurrency", "4");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).contains("FAILED — HTTP 503 for POST " + ws.simulator.crmUrl() + "/batch/upsert");
            assertThat(ws.simulator.crm().crmUnavailable()).as("the round's 3 batches, 1 + 2 tries each (a failed batch is not retried again as a whole)").isEqualTo(9);
            assertThat(ws.sinkStatuses().getOrDefault("DELIVERED", 0L)).isZero();

            c.crmDown = false;
            TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 300L));
            assertThat(ws.simulator.crm().upsertsPerId().values()).allMatch(n -> n == 1);
        }
    }

    /**
     * One deliverer per sink (store.SinkLease): while one delivery holds leads in flight (the CRM answers 503, it retries),
     * a second `deliver` on the same database — whose recovery would otherwise read back, and send again, what the first
     * has in flight — is refused at once with who delivers (exit 4), and sends nothing; the lease is released at the end.
     * H2 file here, PostgreSQL in the postgres execution.
     */
    @Test
    void aSecondDeliveryWhileOneRunsIsRefusedAndSendsNothing() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 300;
        try (TestWorkspace ws = sinkWorkspace(c)) {
            ws.settings.put("leadpipe.sink.enabled", "false");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            ws.settings.put("leadpipe.sink.enabled", "true");
            ws.settings.put("leadpipe.sink.retry.max-retries", "1000"); // the first delivery keeps retrying until the CRM is back
            ws.settings.put("leadpipe.sink.retry.max-delay-ms", "100");
            ws.settings.put("leadpipe.sink.crm.concurrency", "1"); // one batch in flight: its SENDING leads stay as they are while it retries
            c.crmDown = true;
            try (LeadpipeWiring first = ws.app()) {
                java.util.concurrent.CompletableFuture<org.apache.camel.Exchange> delivering = java.util.concurrent.CompletableFuture.supplyAsync(first::deliver);
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(ws::sinkStatuses, m -> m.getOrDefault("SENDING", 0L) > 0);
                Map<String, Long> inFlight = ws.sinkStatuses();

                TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "deliver");

                assertThat(second.exitCode()).as(second.out() + second.err()).isEqualTo(io.leadpipe.cli.LeadpipeCli.JOB_BUSY);
                assertThat(second.err().strip()).containsPattern("^leadpipe: delivery is running in process " + ProcessHandle.current().pid() + " on host \\S+, since 20\\d\\d-")
                        .endsWith("this delivery sent nothing — one deliverer per database: run `leadpipe deliver` again once it has finished");
                assertThat(ws.sinkStatuses()).as("the first delivery's leads in flight, untouched").isEqualTo(inFlight);
                c.crmDown = false;
                org.apache.camel.Exchange done = delivering.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(done.getException()).isNull();
            }
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 300L));
            assertThat(ws.simulator.crm().upsertsPerId().values()).hasSize(300).allMatch(n -> n == 1);
            // released at the end: the next delivery is not refused
            TestWorkspace.CliResult next = ws.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(next.exitCode()).as(next.out() + next.err()).isZero();
        }
    }

    @Test
    void invalidRecordsAreDeadLetteredWithReasonsAndReplayedAfterTheMappingIsFixed() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 1000;
        c.missingLastNameEvery = 10;   // 100 leads the mapping refuses
        c.crmRejectEvery = 97;         // about 1 in 97 e-mail addresses the CRM refuses
        try (TestWorkspace ws = sinkWorkspace(c)) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out()).isZero();

            Map<String, Long> byStage = new TreeMap<>();
            try (Connection conn = ws.db(); Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT stage, reason, COUNT(*) FROM dead_letter GROUP BY stage, reason")) {
                while (rs.next()) {
                    byStage.merge(rs.getString(1), rs.getLong(3), Long::sum);
                    if (rs.getString(1).equals("mapping")) assertThat(rs.getString(2)).isEqualTo("required property 'lastname' is empty (mapping crm.yaml line 15)");
                    else assertThat(rs.getString(2)).startsWith("HubSpot refused the record: VALIDATION_ERROR");
                }
            }
            assertThat(byStage.get("mapping")).isEqualTo(100L);
            long rejectedByCrm = byStage.getOrDefault("crm", 0L);
            assertThat(rejectedByCrm).isPositive();
            assertThat(ws.sinkStatuses()).containsEntry("DEAD", 100L + rejectedByCrm).containsEntry("DELIVERED", 900L - rejectedByCrm);
            assertThat(ws.cli(Map.of(), "status").out()).contains("DEAD " + (100 + rejectedByCrm)).contains("mapping 100");

            // the mapping is fixed: a missing last name becomes "Unknown"
            Path fixed = ws.dir.resolve("crm-fixed.yaml");
            Files.writeString(fixed, Files.readString(Path.of("routes/mapping/crm.yaml"))
                    .replace("lastname:          { from: last_name, transform: [trim], required: true }",
                            "lastname:          { from: last_name, transform: [trim], default: Unknown, required: true }"));
            ws.settings.put("leadpipe.sink.mapping", fixed.toString());
            assertThat(ws.cli(Map.of(), "replay", "--stage", "mapping").out()).contains("100 dead-lettered leads re-queued (stage mapping)");
            TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");

            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(ws.sinkStatuses()).containsEntry("DELIVERED", 1000L - rejectedByCrm).containsEntry("DEAD", rejectedByCrm);
            assertThat(ws.simulator.crm().upsertsPerId().values()).allMatch(n -> n == 1);
            long unknown = ws.simulator.crm().contacts().values().stream().filter(p -> "Unknown".equals(p.get("lastname"))).count();
            assertThat(unknown).isBetween(90L, 100L);
        }
    }

    @Test
    void exportShowsDeliveryStatusAndEnrichmentAsCsvAndJsonLines() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 200;
        try (TestWorkspace ws = sinkWorkspace(c)) {
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            Path csv = ws.dir.resolve("leads.csv");
            assertThat(ws.cli(Map.of(), "export", "--format", "csv", "--out", csv.toString()).exitCode()).isZero();
            var lines = Files.readAllLines(csv);
            assertThat(lines).hasSize(201);
            assertThat(lines.get(0)).contains("email", "leadpipe_sink_status", "enrichment_employees");
            assertThat(lines.subList(1, 201)).allMatch(l -> l.contains(",DELIVERED,"));
            TestWorkspace.CliResult jsonl = ws.cli(Map.of(), "export", "--format", "jsonl");
            assertThat(jsonl.out().lines()).hasSize(200).allMatch(l -> l.contains("\"sink_status\":\"DELIVERED\""));
        }
    }
}
