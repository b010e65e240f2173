package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.Settings;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One source's paging on an exchange, without a server: the request it builds, the page it reads, the pages it plans. */
class PageCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DefaultCamelContext CAMEL = new DefaultCamelContext();

    @AfterAll
    static void stop() throws Exception {
        CAMEL.close();
    }

    /** leads-api with these settings over application.properties' defaults (cursor paging, /data, /meta/total, /id). */
    private static PageCodec codec(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("leadpipe.source.leads-api.url", "https://api.example.com/v1/leads?region=emea&limit=7");
        for (int i = 0; i < kv.length; i += 2) m.put("leadpipe.source.leads-api." + kv[i], kv[i + 1]);
        Settings s = Settings.load(Path.of("application.properties"), null, m, Map.of(), new Properties());
        return new PageCodec(PagingSpec.read("leads-api", ApiKeys.source(s, "leads-api")));
    }

    /** A pull of job j1 standing after page {@code pageNo} at {@code position}. */
    private record At(String position, int pageNo, String filters, int largestPage) implements PullPosition {
        At(String position, int pageNo) {
            this(position, pageNo, "", 0);
        }
        @Override public String jobId() { return "j1"; }
        @Override public String source() { return "leads-api"; }
        @Override public String pullId() { return "pull-1"; }
        @Override public String watermarkParam() { return null; }
        @Override public String watermark() { return null; }
    }

    private static Exchange exchange() {
        return new DefaultExchange(CAMEL);
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void aGetRequestKeepsTheUrlsOwnQueryAndSendsLeadpipesParametersOnce() throws Exception {
        Exchange ex = exchange();
        codec().prepareRequest(new At("c-42", 3, "country=DE&industry=B%26B", 0), ex);
        assertThat(ex.getVariable("sourceUrl")).isEqualTo("https://api.example.com/v1/leads");
        assertThat(ex.getMessage().getHeader(Exchange.HTTP_METHOD)).isEqualTo("GET");
        String query = ex.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        assertThat(query).contains("region=emea").contains("country=DE").contains("industry=B%26B").contains("cursor=c-42");
        assertThat(query.split("limit=", -1)).as("limit sent once, leadpipe's page size over the URL's 7").hasSize(2);
        assertThat(query).contains("limit=100").doesNotContain("limit=7");
        assertThat(ex.getMessage().getBody()).isNull();
        assertThat(ex.getVariable("request", String.class)).startsWith("GET https://api.example.com/v1/leads?");
    }

    @Test
    void theFirstPageCarriesNoCursorAndAnEmptyPageSizeParameterIsNotSent() throws Exception {
        Exchange ex = exchange();
        codec("page-size-param", "").prepareRequest(new At(null, 0), ex);
        String query = ex.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        assertThat(query).doesNotContain("cursor=").contains("limit=7").contains("region=emea");
    }

    @Test
    void aPostBodyHoldsNumbersAsNumbersAndACursorAsText() throws Exception {
        Exchange ex = exchange();
        codec("url", "https://api.example.com/search", "method", "POST", "cursor-param", "after", "body", "{\"sorts\":[\"id\"]}")
                .prepareRequest(new At("100", 1), ex);
        JsonNode body = json(ex.getMessage().getBody(String.class));
        assertThat(body.get("after").isTextual()).as("a cursor that looks like a number stays text (HubSpot's \"after\")").isTrue();
        assertThat(body.get("limit").isNumber()).isTrue();
        assertThat(body.get("sorts").toString()).isEqualTo("[\"id\"]");
        assertThat(ex.getMessage().getHeader(Exchange.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(ex.getMessage().getHeader(Exchange.HTTP_QUERY)).as("nothing left for the URL's query").isNull();
    }

    @Test
    void aPageIsReadIntoIdsRecordsNextTotalAndAKeyOfItsIds() throws Exception {
        PageCodec codec = codec("fields-pointer", "/properties");
        JsonNode body = json("{\"data\":[{\"id\":\"a\",\"properties\":{\"email\":\"x\"}},{\"id\":7,\"properties\":{}}],"
                + "\"meta\":{\"total\":250,\"next_cursor\":\"c-2\"}}");
        FetchedPage page = codec.readPage(body, new At("c-1", 4), exchange());
        assertThat(page.pageNo()).isEqualTo(5);
        assertThat(page.ids()).containsExactly("a", "7");
        assertThat(page.payloads()).containsExactly("{\"email\":\"x\"}", "{}");
        assertThat(page.next()).isEqualTo("c-2");
        assertThat(page.apiTotal()).isEqualTo(250L);
        assertThat(page.pageKey()).startsWith("pull-1:").matches("pull-1:[0-9a-f]{40}");

        // the key is of the ids in order: the same ids give the same key, other ids or another order another
        FetchedPage again = codec.readPage(json("{\"data\":[{\"id\":\"a\",\"properties\":{\"email\":\"changed\"}},{\"id\":\"7\",\"properties\":{}}],\"meta\":{}}"),
                new At("c-9", 1), exchange());
        assertThat(again.pageKey()).isEqualTo(page.pageKey());
        assertThat(again.last()).as("no next cursor: the last page").isTrue();
        assertThat(again.apiTotal()).isNull();
        FetchedPage swapped = codec.readPage(json("{\"data\":[{\"id\":\"7\",\"properties\":{}},{\"id\":\"a\",\"properties\":{}}]}"), new At(null, 0), exchange());
        assertThat(swapped.pageKey()).isNotEqualTo(page.pageKey());
    }

    @Test
    void aBodyOfTheWrongShapeIsMalformedNotAnEmptyPage() throws Exception {
        PageCodec codec = codec();
        assertThatThrownBy(() -> codec.readPage(json("{\"items\":[]}"), new At(null, 0), exchange()))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("no records array at /data");
        assertThatThrownBy(() -> codec.readPage(json("[{\"id\":1}]"), new At(null, 0), exchange()))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("set leadpipe.source.leads-api.records-pointer empty");
        assertThatThrownBy(() -> codec.readPage(json("{\"data\":[{\"id\":1},{\"name\":\"no id\"}]}"), new At(null, 2), exchange()))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("a record on page 3 has no id at /id");
        assertThatThrownBy(() -> codec("fields-pointer", "/properties").readPage(json("{\"data\":[{\"id\":1}]}"), new At(null, 0), exchange()))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("no fields object at /properties");
        // GitHub's bare array: the body itself when the pointer is empty
        FetchedPage bare = codec("records-pointer", "").readPage(json("[{\"id\":1},{\"id\":2}]"), new At(null, 0), exchange());
        assertThat(bare.ids()).containsExactly("1", "2");
    }

    @Test
    void offsetPagesArePlannedAheadAsFarAsTheTotalSkippingThoseStored() {
        PageCodec codec = codec("paging", "offset", "page-size", "50");
        List<PlannedPage> plan = codec.plan(new At("100", 2), 400, Set.of(4), 8);
        assertThat(plan).extracting(PlannedPage::number).containsExactly(3, 5, 6, 7, 8);
        assertThat(plan).extracting(PlannedPage::position).containsExactly("100", "200", "250", "300", "350");
        assertThat(codec.plan(new At("100", 2), 400, Set.of(), 2)).as("no more than asked for").hasSize(2);
        // the API serves 20 per page although 50 were asked: planned by what it serves
        assertThat(codec.plan(new At("40", 2, "", 20), 100, Set.of(), 8)).extracting(PlannedPage::position).containsExactly("40", "60", "80");
    }

    @Test
    void pagesPastTheApisCapPerQueryAreNotPlannedAndNotRequested() throws Exception {
        PageCodec codec = codec("paging", "offset", "page-size", "50", "max-pages", "4");
        assertThat(codec.plan(new At("50", 1), 1000, Set.of(), 8)).extracting(PlannedPage::number).containsExactly(2, 3, 4);
        assertThatThrownBy(() -> codec.prepareRequest(new At("200", 4), exchange()))
                .isInstanceOf(PageLimitException.class).hasMessageContaining("at most 4 pages per query").hasMessageContaining("Every lead up to page 4 is stored");
        codec.prepareRequest(new At("150", 3), exchange()); // the fourth page is still asked for
    }

    @Test
    void notModifiedIsOnlyAnAnswerToAWatermarkInAHeader() {
        assertThatThrownBy(() -> codec().notModified(new At("c-1", 1), exchange()))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("304 Not Modified");
    }
}
