package io.leadpipe.paging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A query cut at the API's max-results: its settings, each bad one a clear error, and the window a position names. */
class QueryCutTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** leads-api as HubSpot search with these (more) settings. */
    static PagingSpec paging(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("leadpipe.source.leads-api.url", "https://api.example.com/search");
        m.put("leadpipe.source.leads-api.method", "POST");
        m.put("leadpipe.source.leads-api.max-results", "10000");
        m.put("leadpipe.source.leads-api.cut.pointer", "/id");
        m.put("leadpipe.source.leads-api.cut.body-pointer", "/filterGroups/0/filters/-");
        m.put("leadpipe.source.leads-api.cut.template", "{\"propertyName\":\"hs_object_id\",\"operator\":\"GT\",\"value\":\"{last}\"}");
        for (int i = 0; i < kv.length; i += 2) m.put("leadpipe.source.leads-api." + kv[i], kv[i + 1]);
        m.values().removeIf(String::isEmpty);
        Settings s = Settings.load(Path.of("application.properties"), null, m, Map.of(), new Properties());
        return PagingSpec.read("leads-api", ApiKeys.source(s, "leads-api"));
    }

    private static void refused(String message, String... kv) {
        assertThatThrownBy(() -> paging(kv)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void aHubSpotCutAddsItsFilterBesideTheOthersInTheFirstGroup() throws Exception {
        QueryCut cut = paging().cut();
        ObjectNode base = (ObjectNode) JSON.readTree("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"1\"}]}]}");
        ObjectNode body = cut.body(base, "5123");
        assertThat(body.toString()).isEqualTo("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"1\"},"
                + "{\"propertyName\":\"hs_object_id\",\"operator\":\"GT\",\"value\":\"5123\"}]}]}");
        assertThat(base.path("filterGroups").path(0).path("filters").size()).as("the source's body is not changed").isEqualTo(1);
        assertThat(cut.lastValue(JSON.readTree("[{\"id\":\"7\"},{\"id\":\"9\"}]"))).isEqualTo("9");
        // a value that needs escaping stays one JSON string
        assertThat(cut.body(JSON.createObjectNode(), "a\"b").at("/filterGroups/0/filters/0/value").asText()).isEqualTo("a\"b");
    }

    @Test
    void aGetSourceCutsWithAParameter() {
        QueryCut cut = paging("method", "GET", "cut.body-pointer", "", "cut.param", "id_gt", "cut.template", "{last}").cut();
        Map<String, String> params = new LinkedHashMap<>();
        cut.params(params, "42");
        assertThat(params).containsEntry("id_gt", "42");
    }

    @Test
    void noCutPointerNoCut() {
        assertThat(paging("cut.pointer", "", "cut.body-pointer", "", "cut.template", "").cut()).isNull();
    }

    @Test
    void eachBadKeyIsOneClearError() {
        refused("max-results is not set", "max-results", "0");
        refused("(paging = cursor or cursor-header), not offset", "paging", "offset");
        refused("cut.template", "cut.template", "{\"value\":\"x\"}");
        refused("must contain {last}", "cut.template", "{\"value\":\"x\"}");
        refused("not valid JSON", "cut.template", "{\"value\":{last}");
        refused("missing setting leadpipe.source.leads-api.cut.body-pointer", "cut.body-pointer", "");
        refused("cut.param", "cut.param", "id_gt");
        refused("JSON pointer", "cut.pointer", "id");
    }

    @Test
    void aWindowsPositionRoundTripsWhateverItsValuesHold() {
        QueryCut.Window w = new QueryCut.Window("a;b c%", 3, "cur;sor");
        assertThat(QueryCut.window(w.position())).isEqualTo(w);
        QueryCut.Window start = new QueryCut.Window("5123", 0, null);
        assertThat(QueryCut.window(start.position())).isEqualTo(start);
        assertThat(start.start()).isTrue();
        assertThat(QueryCut.window("100")).as("a plain cursor is not a window").isNull();
        assertThat(QueryCut.window(null)).isNull();
    }

    /** probe and status say a cut in words: what a query past max-results is sent again with, and where a position is. */
    @Test
    void aCutAndAPositionInsideAWindowAreSaidInWords() {
        assertThat(paging().cut().describe(10000)).isEqualTo("a query past max-results (10000 records) is cut: sent again from its first page with "
                + "{\"propertyName\":\"hs_object_id\",\"operator\":\"GT\",\"value\":\"{last}\"} added at /filterGroups/0/filters/- in the body, "
                + "{last} being the last record's /id (the field the query is sorted by)");
        assertThat(paging("method", "GET", "cut.body-pointer", "", "cut.param", "id_gt", "cut.template", "{last}").cut().describe(500))
                .contains("sent again from its first page with id_gt={last}");
        assertThat(QueryCut.describePosition(new QueryCut.Window("5049", 2, "NTA=").position()))
                .isEqualTo("inside a cut window — the query sent again for the records after 5049 (the sort field's last value before the cut), "
                        + "2 pages of it read, the API's cursor in it NTA=");
        assertThat(QueryCut.describePosition(new QueryCut.Window("5049", 0, null).position())).endsWith("after 5049 (the sort field's last value before the cut), at its first page");
        assertThat(QueryCut.describePosition("NTA=")).as("a plain cursor: nothing to say").isNull();
    }
}
