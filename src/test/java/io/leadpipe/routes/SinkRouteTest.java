package io.leadpipe.routes;

import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/sink.yaml: records the CRM rejects become dead letters (stage crm) and DEAD leads; the rest are
 * DELIVERED. The leads are staged by a real pull first; the dead-letter step is observed with a mock.
 */
class SinkRouteTest extends RouteTestSupport {

    @Test
    void aRecordTheCrmRejectsIsDeadLetteredAndTheRestDelivered() throws Exception {
        simulator(200);
        ws.withSink(simulator);
        ws.settings.put("leadpipe.sink.enrichment.enabled", "false"); // this test is about the CRM's answer
        simulator.crmRejectEvery = 7;
        String[] routes = {PULL[0], PULL[1], PULL[2], PULL[3], "routes/sink.yaml"};
        start(allLeadsJob(), routes);
        advise("dead-letter", a -> a.weaveAddFirst().to("mock:dead-letter"));
        MockEndpoint deadLetters = mock("dead-letter");
        assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");

        Exchange drain = app.deliver();

        assertThat(drain.getException()).isNull();
        long dead = count("SELECT COUNT(*) FROM leads WHERE sink_status = 'DEAD'");
        long delivered = count("SELECT COUNT(*) FROM leads WHERE sink_status = 'DELIVERED'");
        assertThat(dead).as("leads the CRM rejected").isPositive();
        assertThat(dead + delivered).as("every staged lead is DELIVERED or DEAD").isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM dead_letter WHERE stage = 'crm'")).as("a dead letter per rejected lead").isEqualTo(dead);
        assertThat(ws.simulator.crm().contacts()).as("contacts the CRM holds").hasSize((int) delivered);
        long crmDeadLettersRouted = deadLetters.getExchanges().stream()
                .map(e -> e.getMessage().getBody(List.class))
                .flatMap(List::stream)
                .filter(d -> "crm".equals(((Map<?, ?>) d).get("stage")))
                .count();
        assertThat(crmDeadLettersRouted).as("rejected records that went through direct:dead-letter").isEqualTo(dead);
    }
}
