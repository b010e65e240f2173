package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One lead as one message: its body, its headers, and an idempotency key that changes only with the lead. */
class LeadMessageTest {

    private static final String RECORD = "{\"id\":\"L-7\",\"email\":\"a@b.example\"}";

    private static Exchange built(String endpoint, String keyHeader, String payload) throws Exception {
        LeadMessage message = new LeadMessage();
        message.setEndpoint(endpoint);
        message.setKeyHeader(keyHeader);
        Exchange e = new DefaultExchange(new DefaultCamelContext());
        e.getMessage().setHeader("CamelSqlUpdateCount", 1);
        e.setVariable("lead", Map.of("source", "crm-a", "lead_key", "L-7", "job_id", "all", "payload", payload, "attempts", 0));
        message.build(e);
        return e;
    }

    @Test
    void theKeyIsTheSameForTheSameLeadAndNewWhenItsSourceIdOrRecordChanges() {
        String key = LeadMessage.idempotencyKey("crm-a", "L-7", RECORD);
        assertThat(LeadMessage.idempotencyKey("crm-a", "L-7", RECORD)).isEqualTo(key).hasSize(64);
        assertThat(LeadMessage.idempotencyKey("crm-b", "L-7", RECORD)).as("another source").isNotEqualTo(key);
        assertThat(LeadMessage.idempotencyKey("crm-a", "L-8", RECORD)).as("another id").isNotEqualTo(key);
        assertThat(LeadMessage.idempotencyKey("crm-a", "L-7", RECORD.replace("a@b", "c@b"))).as("a changed record").isNotEqualTo(key);
        assertThat(LeadMessage.idempotencyKey("crm-a\nL", "7", RECORD)).as("fields do not run into each other").isNotEqualTo(LeadMessage.idempotencyKey("crm-a", "L\n7", RECORD));
    }

    @Test
    void theMessageIsTheRecordWithALeadpipeObjectAndOnlyLeadpipesHeaders() throws Exception {
        Exchange e = built("jms:queue:leads", "_AMQ_DUPL_ID", RECORD);
        String key = LeadMessage.idempotencyKey("crm-a", "L-7", RECORD);

        JsonNode body = new ObjectMapper().readTree(e.getMessage().getBody(String.class));
        assertThat(body.path("email").asText()).isEqualTo("a@b.example");
        assertThat(body.path("leadpipe").path("idempotency_key").asText()).isEqualTo(key);
        assertThat(body.path("leadpipe").path("lead_id").asText()).isEqualTo("L-7");
        assertThat(e.getMessage().getHeaders()).containsOnly(Map.entry("LeadpipeSource", "crm-a"), Map.entry("LeadpipeLeadId", "L-7"),
                Map.entry("LeadpipeJobId", "all"), Map.entry("LeadpipeIdempotencyKey", key), Map.entry("_AMQ_DUPL_ID", key),
                Map.entry("LeadpipeOperation", "upsert"));
        assertThat(body.path("leadpipe").path("operation").asText()).as("an upsert is not told as a deletion").isEqualTo("upsert");
    }

    @Test
    void aWebhookGetsJsonAndIdempotencyKeyAndAKafkaRecordTheLeadAsItsKey() throws Exception {
        Exchange hook = built("https://hooks.example/leads", "", RECORD);
        assertThat(hook.getMessage().getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(hook.getMessage().getHeader("Idempotency-Key")).isEqualTo(hook.getMessage().getHeader("LeadpipeIdempotencyKey"));

        Exchange kafka = built("kafka:leads?brokers=k:9092", "", RECORD);
        assertThat(kafka.getMessage().getHeader("kafka.KEY")).isEqualTo("crm-a:L-7");
        assertThat(kafka.getMessage().getHeader("Idempotency-Key")).isNull();
    }

    @Test
    void theSchemeOfAnEndpointUri() {
        assertThat(SinkEndpoint.scheme("kafka:leads?brokers=k:9092")).isEqualTo("kafka");
        assertThat(SinkEndpoint.scheme("HTTPS://hooks.example/x")).isEqualTo("https");
        assertThat(SinkEndpoint.scheme("leads")).isNull();
        assertThat(SinkEndpoint.scheme(":leads")).isNull();
    }
}
