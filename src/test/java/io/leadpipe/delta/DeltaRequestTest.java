package io.leadpipe.delta;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static io.leadpipe.delta.DeltaSpecTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

/** A delta applied to a request in each vendor's dialect: where it goes, how it is written and encoded; a full pull sends none. */
class DeltaRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-12-05T14:33:34.250Z");

    @Test
    void aQueryParameterIsAddedAsTemplated() {
        DeltaSpec outreach = spec("delta.in", "query", "delta.param", "filter[updatedAt]", "delta.template", "{since}..inf");
        DeltaRequest r = new DeltaRequest("https://api.outreach.io/api/v2/prospects", Map.of("page[size]", "100"), Map.of(), null);
        assertThat(r.since(outreach, T).params()).containsExactly(Map.entry("page[size]", "100"), Map.entry("filter[updatedAt]", "2026-12-05T14:33:34Z..inf"));
        assertThat(r.since(outreach, null).params()).as("a full pull: no filter").containsOnlyKeys("page[size]");
        assertThat(r.params()).as("the request itself is not changed").containsOnlyKeys("page[size]");
        DeltaSpec stripe = spec("delta.in", "query", "delta.param", "created[gte]", "delta.format", "epoch-seconds");
        assertThat(DeltaRequest.get("https://api.stripe.com/v1/customers").since(stripe, T).params()).containsEntry("created[gte]", "1796481214");
    }

    @Test
    void aHeader() {
        DeltaSpec zoho = spec("delta.in", "header", "delta.header", "If-Modified-Since", "delta.format", "iso-8601-offset");
        assertThat(DeltaRequest.get("https://www.zohoapis.com/crm/v7/Leads").since(zoho, T).headers())
                .containsExactly(Map.entry("If-Modified-Since", "2026-12-05T14:33:34+00:00"));
        assertThat(DeltaRequest.get("https://www.zohoapis.com/crm/v7/Leads").since(zoho, null).headers()).isEmpty();
        DeltaSpec http = spec("delta.in", "header", "delta.header", "If-Modified-Since", "delta.format", "http-date");
        assertThat(DeltaRequest.get("https://x").since(http, T).headers()).containsEntry("If-Modified-Since", "Sat, 05 Dec 2026 14:33:34 GMT");
    }

    @Test
    void aHubSpotFilterIsAppendedToTheUsersFilterGroup() throws Exception {
        DeltaSpec hubspot = spec("method", "POST", "delta.in", "body", "delta.body-pointer", "/filterGroups/0/filters/-", "delta.format", "epoch-millis",
                "delta.template", "{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"{since}\"}");
        ObjectNode users = (ObjectNode) JSON.readTree("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"lead\"}]}],"
                + "\"sorts\":[{\"propertyName\":\"hs_object_id\",\"direction\":\"ASCENDING\"}]}");
        DeltaRequest r = new DeltaRequest("https://api.hubapi.com/crm/v3/objects/contacts/search", Map.of(), Map.of(), users);
        assertThat(r.since(hubspot, T).body().toString()).isEqualTo("{\"filterGroups\":[{\"filters\":["
                + "{\"propertyName\":\"lifecyclestage\",\"operator\":\"EQ\",\"value\":\"lead\"},"
                + "{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"1796481214250\"}]}],"
                + "\"sorts\":[{\"propertyName\":\"hs_object_id\",\"direction\":\"ASCENDING\"}]}");
        assertThat(r.since(hubspot, null).body()).as("a full pull: the user's body as is").isEqualTo(users);
        // no body at all: the path is made
        ObjectNode made = DeltaRequest.get("https://x").since(hubspot, T).body();
        assertThat(made.at("/filterGroups/0/filters/0/propertyName").asText()).isEqualTo("lastmodifieddate");
        assertThat(users.at("/filterGroups/0/filters").size()).as("the source's body is never changed").isEqualTo(1);
    }

    @Test
    void aBodyScalarIsANumberForEpochFormatsElseText() throws Exception {
        DeltaSpec millis = spec("method", "POST", "delta.in", "body", "delta.body-pointer", "/filterGroups/0/filters/0/value", "delta.format", "epoch-millis");
        ObjectNode body = (ObjectNode) JSON.readTree("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":0}]}]}");
        assertThat(new DeltaRequest("https://x", Map.of(), Map.of(), body).since(millis, T).body().at("/filterGroups/0/filters/0/value").isNumber()).isTrue();
        DeltaSpec iso = spec("method", "POST", "delta.in", "body", "delta.body-pointer", "/updated_after~1since", "delta.template", ">= {since}");
        assertThat(DeltaRequest.get("https://x").since(iso, T).body().toString()).isEqualTo("{\"updated_after/since\":\">= 2026-12-05T14:33:34Z\"}");
    }

    @Test
    void aSoqlWhereIsFilledInTheUrlsOwnQueryEncodedOnce() {
        String url = "https://x.my.salesforce.com/services/data/v60.0/queryAll?q=SELECT+Id,Name,IsDeleted+FROM+Contact+WHERE+SystemModstamp+%3E+{since}+ORDER+BY+SystemModstamp";
        DeltaSpec sf = spec("url", url, "delta.in", "url");
        String sent = DeltaRequest.get(url).since(sf, T).url();
        assertThat(sent).isEqualTo("https://x.my.salesforce.com/services/data/v60.0/queryAll?q=SELECT+Id,Name,IsDeleted+FROM+Contact+WHERE+SystemModstamp+%3E+"
                + "2026-12-05T14%3A33%3A34Z+ORDER+BY+SystemModstamp");
        // what the server reads
        String q = URLDecoder.decode(URI.create(sent).getRawQuery().substring(2), StandardCharsets.UTF_8);
        assertThat(q).isEqualTo("SELECT Id,Name,IsDeleted FROM Contact WHERE SystemModstamp > 2026-12-05T14:33:34Z ORDER BY SystemModstamp");
        // a full pull: from the start of time, so the query is the same query
        assertThat(DeltaRequest.get(url).since(sf, null).url()).contains("SystemModstamp+%3E+1970-01-01T00%3A00%3A00Z");
        // a user who encoded the braces too
        String encoded = url.replace("{since}", "%7Bsince%7D");
        assertThat(DeltaRequest.get(encoded).since(spec("url", encoded, "delta.in", "url"), T).url()).isEqualTo(sent);
    }

    @Test
    void noneAndUndeclaredChangeNothing() {
        DeltaRequest r = new DeltaRequest("https://api.apollo.io/api/v1/mixed_people/api_search", Map.of("page", "1"), Map.of("x", "y"), null);
        for (DeltaSpec d : new DeltaSpec[]{spec("delta.in", "none"), spec()}) {
            DeltaRequest after = r.since(d, T);
            assertThat(after.url()).isEqualTo(r.url());
            assertThat(after.params()).isEqualTo(r.params());
            assertThat(after.headers()).isEqualTo(r.headers());
            assertThat(after.body()).isNull();
        }
    }
}
