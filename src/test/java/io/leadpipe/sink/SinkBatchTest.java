package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The batch's bookkeeping on a bare exchange (no routes, no context started). */
class SinkBatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private SinkBatch batch() throws IOException {
        Path file = Files.writeString(dir.resolve("crm.yaml"),
                "properties:\n  email: { from: email, transform: [trim, lower], required: true }\n  lastname: { from: last_name, required: true }\n");
        CrmMapping m = CrmMapping.load(file);
        return new SinkBatch(m, new HubSpotDialect(m.idProperty(), m.properties()));
    }

    private static Exchange exchange() {
        return new DefaultExchange(new DefaultCamelContext());
    }

    private static Map<String, Object> row(String key, String payload) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("LEAD_KEY", key); // as the database returns them: upper case
        r.put("JOB_ID", "all-leads");
        r.put("PAYLOAD", payload.replace('\'', '"'));
        r.put("ENRICHMENT", null);
        r.put("ATTEMPTS", 0);
        return r;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Exchange e, String variable) {
        return e.getVariable(variable, List.class);
    }

    @Test
    void beginCopiesTheRowsColumnsWhateverTheirCaseAndSaysWhetherThereIsMore() throws IOException {
        Exchange e = exchange();
        batch().begin(List.of(row("L1", "{'email':'a@x.io','last_name':'A'}")), e);
        assertThat(list(e, "batch")).hasSize(1).first().satisfies(r -> assertThat(r).containsEntry("lead_key", "L1").containsEntry("job_id", "all-leads"));
        assertThat(e.getVariable("more", Boolean.class)).isTrue();
        batch().begin(List.of(), e);
        assertThat(e.getVariable("more", Boolean.class)).isFalse();
    }

    @Test
    void mapSeparatesValidLeadsFromDeadLettersAndBuildsTheUpsert() throws Exception {
        Exchange e = exchange();
        SinkBatch b = batch();
        b.begin(List.of(row("L1", "{'email':' Ann@X.io','last_name':'Lee'}"), row("L2", "{'email':'bo@x.io'}")), e);
        b.map(e);

        assertThat(list(e, "valid")).singleElement().satisfies(v -> assertThat(v).containsEntry("lead_key", "L1").containsEntry("crm_id", "ann@x.io"));
        assertThat(list(e, "invalid")).singleElement().satisfies(d -> assertThat(d)
                .containsEntry("lead_key", "L2").containsEntry("stage", "mapping").containsEntry("attempts", 1)
                .containsEntry("reason", "required property 'lastname' is empty (mapping crm.yaml line 3)"));
        assertThat(list(e, "delivered")).as("nothing delivered before the CRM answers").isEmpty();
        assertThat(b.hasNextCall(e)).isTrue();
        b.prepareCall(e);
        assertThat(e.getVariable("crmOperation", String.class)).isEqualTo("/batch/upsert");
        assertThat(e.getVariable("crmMethod", String.class)).isEqualTo("POST");
        JsonNode request = JSON.readTree(e.getVariable("crmRequest", String.class));
        assertThat(request.at("/inputs/0/id").asText()).isEqualTo("ann@x.io");
        assertThat(request.at("/inputs/0/idProperty").asText()).isEqualTo("email");
        assertThat(request.at("/inputs/0/properties/lastname").asText()).isEqualTo("Lee");
        assertThat(request.path("inputs")).hasSize(1);
    }

    @Test
    void twoLeadsWithOneCrmIdInABatchSendTheFirstAndDeadLetterTheSecondWithTheEmailMasked() throws Exception {
        Exchange e = exchange();
        SinkBatch b = batch();
        b.begin(List.of(row("L1", "{'email':'ann@x.io','last_name':'Lee'}"), row("L2", "{'email':'ANN@x.io ','last_name':'Lee'}")), e);
        b.map(e);
        assertThat(list(e, "valid")).extracting(v -> v.get("lead_key")).containsExactly("L1");
        assertThat(list(e, "invalid")).singleElement().satisfies(d -> assertThat((String) d.get("reason"))
                .startsWith("another lead in the same batch has the CRM id").doesNotContain("ann@x.io"));
    }

    @Test
    void resultsDeadLetterWhatTheCrmRefusedAndTheRestIsDelivered() throws Exception {
        Exchange e = exchange();
        SinkBatch b = batch();
        b.begin(List.of(row("L1", "{'email':'ann@x.io','last_name':'Lee'}"), row("L2", "{'email':'bo@x.io','last_name':'Bo'}")), e);
        b.map(e);
        b.prepareCall(e);
        b.answered(("{\"errors\":[{\"category\":\"VALIDATION_ERROR\",\"message\":\"bad\",\"context\":{\"objectWriteTraceId\":[\"1\"]},"
                + "\"errors\":[{\"message\":\"bad\",\"in\":\"lastname\"}]}]}"), e);
        assertThat(b.hasNextCall(e)).as("one call writes the batch").isFalse();
        b.results(e);
        assertThat(list(e, "delivered")).extracting(v -> v.get("lead_key")).containsExactly("L1");
        assertThat(list(e, "rejected")).singleElement().satisfies(d -> assertThat(d)
                .containsEntry("lead_key", "L2").containsEntry("stage", "crm")
                .containsEntry("reason", "HubSpot refused the record: VALIDATION_ERROR: bad (field lastname: crm.yaml line 3: lastname: { from: last_name, required: true })"));
    }

    @Test
    void anErrorNamingNoInputIsNotPutOnAnyLeadItFailsTheBatch() throws Exception {
        Exchange e = exchange();
        SinkBatch b = batch();
        b.begin(List.of(row("L1", "{'email':'ann@x.io','last_name':'Lee'}")), e);
        b.map(e);
        b.prepareCall(e);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.answered("{\"errors\":[{\"category\":\"RATE_LIMITS\",\"message\":\"try later\",\"context\":{}}]}", e))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("naming no input").hasMessageContaining("RATE_LIMITS: try later");
    }

    @Test
    void confirmKeepsWhatTheCrmHoldsWithTheSamePropertiesAndSendsTheRestAgain() throws Exception {
        Exchange e = exchange();
        SinkBatch b = batch();
        JsonNode sent = JSON.readTree("{\"email\":\"ann@x.io\",\"lastname\":\"Lee\"}");
        List<Map<String, Object>> inDoubt = new ArrayList<>();
        inDoubt.add(Map.of("LEAD_KEY", "L1", "CRM_ID", "ann@x.io", "CRM_VERSION", SinkBatch.version(sent)));
        inDoubt.add(Map.of("LEAD_KEY", "L2", "CRM_ID", "bo@x.io", "CRM_VERSION", "old"));
        inDoubt.add(Map.of("LEAD_KEY", "L3", "CRM_ID", "cy@x.io", "CRM_VERSION", "v"));
        b.readRequest(inDoubt, e);
        b.prepareCall(e);
        assertThat(e.getVariable("crmOperation", String.class)).isEqualTo("/batch/read");
        assertThat(JSON.readTree(e.getVariable("crmRequest", String.class)).path("inputs")).hasSize(3);

        b.answered(("{\"results\":[{\"id\":\"ann@x.io\",\"properties\":{\"lastname\":\"Lee\",\"email\":\"ann@x.io\"}},"
                + "{\"id\":\"bo@x.io\",\"properties\":{\"email\":\"bo@x.io\",\"lastname\":\"Changed\"}}]}"), e);
        b.confirm(e);
        assertThat(list(e, "confirmed")).extracting(r -> r.get("lead_key")).containsExactly("L1");
        assertThat(list(e, "sendAgain")).extracting(r -> r.get("lead_key")).containsExactly("L2", "L3");
    }

    @Test
    void versionIgnoresPropertyOrder() throws Exception {
        assertThat(SinkBatch.version(JSON.readTree("{\"a\":1,\"b\":\"x\"}"))).isEqualTo(SinkBatch.version(JSON.readTree("{\"b\":\"x\",\"a\":1}")))
                .isNotEqualTo(SinkBatch.version(JSON.readTree("{\"a\":2,\"b\":\"x\"}")));
        assertThat(SinkBatch.version(JSON.readTree("{\"a\":250,\"b\":1.0E7,\"c\":null}"))).as("as a CRM spells values back")
                .isEqualTo(SinkBatch.version(JSON.readTree("{\"a\":\"250\",\"b\":10000000}")));
    }
}
