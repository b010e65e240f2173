package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CrmMappingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private CrmMapping mapping(String yaml) throws IOException {
        return CrmMapping.load(Files.writeString(dir.resolve("crm.yaml"), yaml));
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void leadpipeSourceNamesTheApiTheLeadCameFrom() throws IOException {
        CrmMapping m = mapping("idProperty: email\nproperties:\n  email: { from: email }\n  leadpipe_source: { from: leadpipe.source }\n  source_id: { from: leadpipe.lead_id }\n");
        CrmMapping.Result r = m.map(json("{'email':'a@x.io','source':'from the record'}"), null, json("{'source':'api-b','lead_id':'17'}"));
        assertThat(r.properties()).containsEntry("leadpipe_source", "api-b").containsEntry("source_id", "17");
        assertThat(m.map(json("{'email':'a@x.io'}"), null).properties()).as("without what leadpipe knows").doesNotContainKey("leadpipe_source");
    }

    @Test
    void fromCopiesAFieldAndAppliesItsTransformsInOrder() throws IOException {
        CrmMapping m = mapping("properties:\n  email: { from: email, transform: [trim, lower] }\n  country: { from: country, transform: upper }\n");
        CrmMapping.Result r = m.map(json("{'email':'  Ann@Example.COM ','country':'de'}"), null);
        assertThat(r.invalidReason()).isNull();
        assertThat(r.id()).isEqualTo("ann@example.com");
        assertThat(r.properties()).containsEntry("email", "ann@example.com").containsEntry("country", "DE");
    }

    @Test
    void aListOfFieldsTakesTheFirstThatIsNotEmptyIncludingTheEnrichment() throws IOException {
        CrmMapping m = mapping("properties:\n  email: { from: email }\n  industry: { from: [enrichment.sector, industry] }\n");
        assertThat(m.map(json("{'email':'a@x.io','industry':'Retail'}"), json("{'sector':'Software'}")).properties()).containsEntry("industry", "Software");
        assertThat(m.map(json("{'email':'a@x.io','industry':'Retail'}"), json("{'sector':''}")).properties()).containsEntry("industry", "Retail");
        assertThat(m.map(json("{'email':'a@x.io','industry':'Retail'}"), null).properties()).containsEntry("industry", "Retail");
    }

    @Test
    void dottedPathsReachNestedFieldsAndNumbersStayNumbers() throws IOException {
        CrmMapping m = mapping("properties:\n  email: { from: email }\n  city: { from: address.city }\n  employees: { from: enrichment.employees }\n");
        CrmMapping.Result r = m.map(json("{'email':'a@x.io','address':{'city':'Berlin'}}"), json("{'employees':250}"));
        assertThat(r.properties()).containsEntry("city", "Berlin").containsEntry("employees", 250);
    }

    @Test
    void joinSkipsEmptyPartsWithItsSeparator() throws IOException {
        CrmMapping m = mapping("properties:\n  email: { from: email }\n  fullname: { join: [first, middle, last] }\n  code: { join: [a, b], separator: '-' }\n");
        CrmMapping.Result r = m.map(json("{'email':'a@x.io','first':'Ann ','middle':'','last':'Lee','a':'X','b':'Y'}"), null);
        assertThat(r.properties()).containsEntry("fullname", "Ann Lee").containsEntry("code", "X-Y");
    }

    @Test
    void splitTakesOnePartAndAMissingPartIsLeftOut() throws IOException {
        CrmMapping m = mapping("properties:\n  email: { from: email }\n  domain: { split: { from: email, on: '@', part: 1 } }\n  third: { split: { from: email, on: '@', part: 2 } }\n");
        CrmMapping.Result r = m.map(json("{'email':'ann@example.com'}"), null);
        assertThat(r.properties()).containsEntry("domain", "example.com").doesNotContainKey("third");
    }

    @Test
    void constantsAndDefaultsFillInAndEmptyOptionalPropertiesAreLeftOut() throws IOException {
        CrmMapping m = mapping("properties:\n  email: { from: email }\n  source: { constant: leadpipe }\n  company: { from: company, default: Unknown }\n  title: { from: title }\n");
        CrmMapping.Result r = m.map(json("{'email':'a@x.io','company':'','title':null}"), null);
        assertThat(r.properties()).containsEntry("source", "leadpipe").containsEntry("company", "Unknown").doesNotContainKey("title");
    }

    @Test
    void anEmptyRequiredPropertyMakesTheLeadInvalidWithTheReason() throws IOException {
        CrmMapping m = mapping("properties:\n  email: { from: email, required: true }\n  lastname: { from: last_name, transform: [trim], required: true }\n");
        CrmMapping.Result r = m.map(json("{'email':'a@x.io','last_name':'   '}"), null);
        assertThat(r.invalidReason()).isEqualTo("required property 'lastname' is empty (mapping crm.yaml line 3)");
        assertThat(r.properties()).isNull();
    }

    @Test
    void theIdPropertyIsConfigurable() throws IOException {
        CrmMapping m = mapping("idProperty: external_id\nproperties:\n  external_id: { from: id }\n");
        assertThat(m.idProperty()).isEqualTo("external_id");
        assertThat(m.map(json("{'id':'L7'}"), null).id()).isEqualTo("L7");
    }

    @Test
    void mistakesInTheMappingFileAreConfigurationErrors() {
        assertThatThrownBy(() -> mapping("properties:\n  email: { from: email, transform: [shout] }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown transform 'shout'");
        assertThatThrownBy(() -> mapping("properties:\n  email: { from: email, constant: x }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs exactly one of from, join, split, constant");
        assertThatThrownBy(() -> mapping("properties:\n  name: { from: name }\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("the id property 'email' is not mapped");
        assertThatThrownBy(() -> mapping("idProperty: email\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs a 'properties:' map");
        assertThatThrownBy(() -> mapping("properties: [ {\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not valid YAML");
    }

    @Test
    void theShippedMappingMapsATypicalLead() throws IOException {
        CrmMapping m = CrmMapping.load(Path.of("routes/mapping/crm.yaml"));
        CrmMapping.Result r = m.map(json("{'email':' Ann.Lee@Example.com','first_name':'Ann','last_name':'Lee','title':'CTO','company':'Acme',"
                + "'domain':'Example.com','country':'de','industry':'Retail'}"), json("{'hq_country':'fr','sector':'Software','employees':40}"));
        assertThat(r.invalidReason()).isNull();
        assertThat(r.id()).isEqualTo("ann.lee@example.com");
        assertThat(r.properties()).containsEntry("fullname", "Ann Lee").containsEntry("website", "example.com")
                .containsEntry("country", "FR").containsEntry("industry", "Software").containsEntry("numberofemployees", 40)
                .containsEntry("lifecyclestage", "lead");
    }
}
