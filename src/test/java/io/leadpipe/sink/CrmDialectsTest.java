package io.leadpipe.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CRM dialects' reading of answers, without a server: what an answer proves, and what it does not. */
class CrmDialectsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Map<String, Object>> leads(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> Map.<String, Object>of("crm_id", id, "properties", Map.of("Leadpipe_Email__c", id))).toList();
    }

    @Test
    void aSalesforceAnswerWithFewerResultsThanRecordsProvesNothing() throws Exception {
        CrmConversation c = new SalesforceDialect("Lead", "Leadpipe_Email__c", "60.0", List.of("LastName")).write(leads("a@x.example", "b@x.example"));
        assertThat(c.next().method()).isEqualTo("PATCH");
        assertThatThrownBy(() -> c.answered(200, JSON.readTree("[{\"success\":true,\"created\":true}]")))
                .hasMessageContaining("1 results for 2 records");
    }

    @Test
    void aSalesforceAnswerNamesEachRefusedRecordInTheOrderSent() throws Exception {
        CrmConversation c = new SalesforceDialect("Lead", "Leadpipe_Email__c", "60.0", List.of("LastName")).write(leads("a@x.example", "b@x.example"));
        c.answered(200, JSON.readTree("[{\"success\":true},{\"success\":false,\"errors\":[{\"statusCode\":\"REQUIRED_FIELD_MISSING\","
                + "\"message\":\"Required fields are missing: [LastName]\",\"fields\":[\"LastName\"]}]}]"));
        assertThat(c.refused()).containsOnlyKeys("b@x.example");
        assertThat(c.refused().get("b@x.example").fields()).containsExactly("LastName");
    }

    @Test
    void aDataverseKeyWithAQuoteOrASpaceStaysOneODataLiteralInOnePathSegment() {
        CrmConversation c = new DataverseDialect("contacts", "emailaddress1", "9.2", List.of("lastname")).write(leads("o'brien smith@x.example"));
        assertThat(c.next().path()).isEqualTo("/api/data/v9.2/contacts(emailaddress1='o%27%27brien%20smith%40x.example')");
    }
}
