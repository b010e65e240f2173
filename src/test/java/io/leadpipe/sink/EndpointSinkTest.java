package io.leadpipe.sink;

import io.leadpipe.testing.EmbeddedBroker;
import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.sink.LeadMessage;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.net.InetSocketAddress;
import com.sun.net.httpserver.HttpServer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delivery to a Camel endpoint (routes/deliver-endpoint.yaml) instead of the CRM, against a real JMS broker in this JVM
 * (EmbeddedBroker: ActiveMQ Artemis on loopback, through camel-jms): every lead arrives, at least once, and any lead
 * that arrives twice arrives with the same idempotency key and the same body.
 */
class EndpointSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A workspace whose leads come from the simulator. */
    private static TestWorkspace workspace(int leads) throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = leads;
        TestWorkspace ws = new TestWorkspace().withSink(c);
        ws.startSimulator(c);
        ws.settings.put("leadpipe.sink.retry.base-delay-ms", "20");
        ws.settings.put("leadpipe.sink.retry.max-retries", "2");
        return ws;
    }

    /** A broker (not started yet) on a free port, whose queue "leads" is the workspace's sink. */
    private static EmbeddedBroker broker(TestWorkspace ws) throws Exception {
        EmbeddedBroker broker = new EmbeddedBroker(TestWorkspace.freePort(), ws.dir.resolve("broker"));
        ws.settings.putAll(broker.settings("leads"));
        return broker;
    }

    /** source:id → the idempotency key leadpipe must have sent for the lead as stored. */
    private static Map<String, String> expectedKeys(TestWorkspace ws) throws Exception {
        Map<String, String> keys = new HashMap<>();
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT source, lead_key, payload FROM leads")) {
            while (rs.next()) keys.put(rs.getString(1) + ":" + rs.getString(2), LeadMessage.idempotencyKey(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
        return keys;
    }

    private static Map<String, List<EmbeddedBroker.Received>> byKey(List<EmbeddedBroker.Received> received) {
        return received.stream().collect(Collectors.groupingBy(EmbeddedBroker.Received::key));
    }

    @Test
    void everyLeadArrivesOnceWithItsSourceIdAndIdempotencyKey() throws Exception {
        try (TestWorkspace w = workspace(400); EmbeddedBroker broker = broker(w).start()) {
            TestWorkspace.CliResult run = w.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains("400 delivered, 0 dead-lettered");
            assertThat(w.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 400L));
            List<EmbeddedBroker.Received> received = broker.drain("leads");
            Map<String, String> expected = expectedKeys(w);
            assertThat(received).as("messages on the queue").hasSize(400);
            assertThat(byKey(received)).as("distinct idempotency keys").hasSize(400);
            for (EmbeddedBroker.Received m : received) {
                String lead = m.headers().get("LeadpipeSource") + ":" + m.headers().get("LeadpipeLeadId");
                assertThat(m.key()).as("the key of " + lead).isEqualTo(expected.get(lead));
                assertThat(m.headers()).containsEntry("LeadpipeSource", "leads-api").containsKey("LeadpipeJobId").containsEntry("LeadpipeOperation", "upsert");
                JsonNode body = JSON.readTree(m.body());
                assertThat(body.path("id").asText()).isEqualTo(m.headers().get("LeadpipeLeadId"));
                assertThat(body.path("leadpipe").path("idempotency_key").asText()).isEqualTo(m.key());
                assertThat(body.path("leadpipe").path("source").asText()).isEqualTo("leads-api");
            }
            assertThat(w.simulator.crm().upsertsPerId()).as("nothing went to the CRM").isEmpty();

            TestWorkspace.CliResult again = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(again.exitCode()).as(again.out()).isZero();
            assertThat(again.out()).contains("0 delivered");
            assertThat(broker.depth("leads")).as("messages after a second deliver with nothing staged").isZero();
        }
    }

    /**
     * leadpipe.sink.endpoint.on-deleted = send: each lead delivered before and deleted at the source since goes once more,
     * as a deletion — LeadpipeOperation: delete, its own stable key (never its upsert's, which a consumer has seen) — and
     * is REMOVED. A stop that left some REMOVING sends those again with the same key. The default, ignore, sends nothing.
     */
    @Test
    void leadsDeletedAtTheSourceGoAsOneDeleteMessageEachWithTheirOwnStableKey() throws Exception {
        try (TestWorkspace w = workspace(100); EmbeddedBroker broker = broker(w).start()) {
            TestWorkspace.CliResult run = w.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(broker.drain("leads")).hasSize(100);
            Map<String, String> upsertKeys = expectedKeys(w);
            // a sync found 10 of them deleted at the source (store.DeltaWatermarks / DeletionReconciliation mark them so)
            Map<String, String> deletionKeys = new HashMap<>();
            try (Connection c = w.db(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE leads SET deleted_at_source = CURRENT_TIMESTAMP WHERE lead_key IN (SELECT lead_key FROM leads ORDER BY lead_key FETCH FIRST 10 ROWS ONLY)");
                try (ResultSet rs = st.executeQuery("SELECT source, lead_key, payload FROM leads WHERE deleted_at_source IS NOT NULL")) {
                    while (rs.next()) deletionKeys.put(rs.getString(1) + ":" + rs.getString(2), LeadMessage.deletionKey(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            assertThat(deletionKeys).hasSize(10);

            TestWorkspace.CliResult ignored = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(ignored.exitCode()).as(ignored.out()).isZero();
            assertThat(broker.depth("leads")).as("on-deleted = ignore (the default): no message").isZero();

            w.settings.put("leadpipe.sink.endpoint.on-deleted", "send");
            TestWorkspace.CliResult sent = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(sent.exitCode()).as(sent.out() + sent.err()).isZero();
            assertThat(sent.out()).contains("10 deletions sent to the endpoint this run");
            List<EmbeddedBroker.Received> deletions = broker.drain("leads");
            assertThat(deletions).as("one message per deleted lead").hasSize(10);
            for (EmbeddedBroker.Received m : deletions) {
                String lead = m.headers().get("LeadpipeSource") + ":" + m.headers().get("LeadpipeLeadId");
                assertThat(m.headers()).containsEntry("LeadpipeOperation", "delete");
                assertThat(m.key()).as("the deletion's key of " + lead).isEqualTo(deletionKeys.get(lead)).isNotEqualTo(upsertKeys.get(lead));
                assertThat(JSON.readTree(m.body()).path("leadpipe").path("operation").asText()).isEqualTo("delete");
            }
            assertThat(w.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 90L, "REMOVED", 10L));

            // a stop after three deletions were sent, before they were marked: REMOVING, sent again with the same keys
            try (Connection c = w.db(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE leads SET sink_status = 'REMOVING' WHERE lead_key IN (SELECT lead_key FROM leads WHERE sink_status = 'REMOVED' ORDER BY lead_key FETCH FIRST 3 ROWS ONLY)");
            }
            TestWorkspace.CliResult again = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(again.exitCode()).as(again.out()).isZero();
            List<EmbeddedBroker.Received> resent = broker.drain("leads");
            assertThat(resent).as("only the three in doubt").hasSize(3);
            for (EmbeddedBroker.Received m : resent) {
                assertThat(m.key()).isEqualTo(deletionKeys.get(m.headers().get("LeadpipeSource") + ":" + m.headers().get("LeadpipeLeadId")));
            }
            assertThat(w.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 90L, "REMOVED", 10L));
            TestWorkspace.CliResult nothing = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(nothing.exitCode()).as(nothing.out()).isZero();
            assertThat(broker.depth("leads")).as("nothing left to tell").isZero();
        }
    }

    @Test
    void aBrokerThatIsDownLeavesEveryLeadStagedAndTheNextDeliverSendsEachOnce() throws Exception {
        try (TestWorkspace w = workspace(250); EmbeddedBroker broker = broker(w)) {
            // the broker is not running: every send fails, is retried twice, and the delivery stops
            TestWorkspace.CliResult run = w.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out()).isEqualTo(1);
            assertThat(run.out()).contains("FAILED — ").contains("`leadpipe deliver` continues");
            assertThat(w.sinkStatuses()).doesNotContainKey("DELIVERED").doesNotContainKey("DEAD");

            broker.start();
            // one send at a time, over 25 rounds (a 20-round delivery at concurrency 1 once hung before the split was made synchronous)
            w.settings.put("leadpipe.sink.endpoint.concurrency", "1");
            w.settings.put("leadpipe.sink.batch-size", "10");
            TestWorkspace.CliResult deliver = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(w.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 250L));
            List<EmbeddedBroker.Received> received = broker.drain("leads");
            assertThat(received).hasSize(250);
            assertThat(byKey(received)).hasSize(250);
        }
    }

    @Test
    void aStopBetweenTheSendAndItsCommitSendsOnlyThoseLeadsAgainWithTheSameKey() throws Exception {
        try (TestWorkspace w = workspace(300); EmbeddedBroker broker = broker(w).start()) {
            w.settings.put("leadpipe.sink.enabled", "false");
            assertThat(w.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            w.settings.put("leadpipe.sink.enabled", "true");
            w.settings.put("leadpipe.sink.retry.max-retries", "0");

            // the process "dies" after the 120th acknowledged send: from then on no DELIVERED is written
            AtomicInteger acknowledged = new AtomicInteger();
            try (LeadpipeWiring app = w.app()) {
                AdviceWith.adviceWith(app.context(), "send-lead", a -> a.weaveById("mark-delivered").before().process(e -> {
                    if (acknowledged.incrementAndGet() > 120) throw new IllegalStateException("simulated kill -9 between the send and its commit");
                }));
                Exchange drain = app.deliver();
                assertThat(drain.getException()).hasMessageContaining("simulated kill -9");
            }
            Map<String, Long> afterCrash = w.sinkStatuses();
            assertThat(afterCrash.get("DELIVERED")).as("leads committed before the stop").isEqualTo(120L);
            long sentUncommitted = broker.depth("leads") - 120;
            assertThat(sentUncommitted).as("leads the broker took whose commit never came").isBetween(1L, 4L);
            TestWorkspace.CliResult deliver = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(w.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 300L));

            List<EmbeddedBroker.Received> received = broker.drain("leads");
            Map<String, List<EmbeddedBroker.Received>> byKey = byKey(received);
            assertThat(byKey).as("distinct idempotency keys: every lead arrived").hasSize(300);
            assertThat(byKey.keySet()).isEqualTo(new java.util.HashSet<>(expectedKeys(w).values()));
            List<List<EmbeddedBroker.Received>> twice = byKey.values().stream().filter(l -> l.size() > 1).toList();
            assertThat(received).as("messages: one per lead plus the resent ones").hasSize(300 + (int) sentUncommitted);
            assertThat(twice).as("leads that arrived twice: exactly those sent but not committed").hasSize((int) sentUncommitted);
            for (List<EmbeddedBroker.Received> copies : twice) {
                assertThat(copies).as("copies of one lead").hasSize(2);
                assertThat(copies.get(1).body()).as("a resend is the same message").isEqualTo(copies.get(0).body());
            }
        }
    }

    @Test
    void anEndpointWhoseComponentIsMissingIsOneLineAndNothingIsOpened() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // the check below is that leadpipe itself creates no database
            ws.settings.put("leadpipe.sink.enabled", "true");
            ws.settings.put("leadpipe.sink.endpoint", "kafka:leads?brokers=127.0.0.1:9092");
            TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");

            assertThat(deliver.exitCode()).isEqualTo(2);
            assertThat(deliver.err().strip()).as("one line").doesNotContain("\n")
                    .contains("leadpipe.sink.endpoint", "'kafka' component is not on the classpath", "org.apache.camel:camel-kafka");
            assertThat(ws.dir.resolve("db")).as("the database directory").doesNotExist();

            // with delivery off, the endpoint's route is not even made: extraction runs without the component
            ws.settings.put("leadpipe.sink.enabled", "false");
            try (LeadpipeWiring app = ws.app()) {
                assertThat(app.context().getRoute("deliver-endpoint")).isNull();
                assertThat(app.context().getRoute("sink")).isNotNull();
            }
        }
    }

    @Test
    void aFileEndpointWritesOneFilePerLeadNamedByItsKey() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 120;
            ws.withSink(c).startSimulator(c);
            Path out = ws.dir.resolve("outbox");
            ws.settings.put("leadpipe.sink.endpoint", "file:" + out + "?fileName=${header.LeadpipeIdempotencyKey}.json");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 120L));
            try (var files = Files.list(out)) {
                assertThat(files.map(f -> f.getFileName().toString().replace(".json", "")).collect(Collectors.toSet()))
                        .isEqualTo(new java.util.HashSet<>(expectedKeys(ws).values()));
            }
        }
    }

    @Test
    void aWebhookThatRefusesSomeLeadsDeadLettersThemRetriesItsOutagesAndDeliversTheRest() throws Exception {
        Set<String> refuse = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Map<String, Integer> taken = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger unavailable = new AtomicInteger();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        hook.createContext("/hook", ex -> {
            try (ex) {
                JsonNode lead = JSON.readTree(ex.getRequestBody());
                String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
                int status;
                byte[] answer = new byte[0];
                if (unavailable.get() < 3) {                         // a short outage: retried by Camel's redelivery
                    unavailable.incrementAndGet();
                    status = 503;
                } else if (!lead.path("leadpipe").path("idempotency_key").asText().equals(key)
                        || !"application/json".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                    status = 400;
                    answer = "headers missing".getBytes();
                } else if (refuse.contains(lead.path("id").asText())) { // this message will never be taken
                    status = 422;
                    answer = "{\"error\":\"invalid phone number\"}".getBytes();
                } else {
                    taken.merge(key, 1, Integer::sum);
                    status = 202;
                }
                ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) ex.getResponseBody().write(answer);
            }
        });
        hook.start();
        try (TestWorkspace w = workspace(200)) {
            w.settings.put("leadpipe.sink.endpoint", "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook");
            w.settings.put("leadpipe.sink.retry.max-retries", "4");
            TestWorkspace.idsOf(0, 200).stream().filter(id -> id.hashCode() % 10 == 0).forEach(refuse::add);
            assertThat(refuse).as("leads the webhook refuses").isNotEmpty();

            TestWorkspace.CliResult run = w.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(unavailable.get()).as("503s retried").isEqualTo(3);
            assertThat(w.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 200L - refuse.size(), "DEAD", (long) refuse.size()));
            assertThat(taken).as("leads the webhook took").hasSize(200 - refuse.size());
            assertThat(taken.values()).as("takes per lead").allMatch(n -> n == 1);
            try (Connection c = w.db(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT stage, reason, COUNT(*) FROM dead_letter GROUP BY stage, reason")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("endpoint");
                assertThat(rs.getString(2)).isEqualTo("the endpoint refused the message: HTTP 422: {\"error\":\"invalid phone number\"}");
                assertThat(rs.getLong(3)).isEqualTo(refuse.size());
                assertThat(rs.next()).as("one kind of dead letter").isFalse();
            }

            // the webhook is fixed: the dead letters go again, and only they
            refuse.clear();
            assertThat(w.cli(TestWorkspace.envWithKey(), "replay", "--stage", "endpoint").exitCode()).isZero();
            TestWorkspace.CliResult deliver = w.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(w.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 200L));
            assertThat(taken).hasSize(200);
            assertThat(taken.values()).as("takes per lead after the replay").allMatch(n -> n == 1);
        } finally {
            hook.stop(0);
        }
    }
}
