package io.leadpipe.source;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.QuotaWindow;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.testing.VendorFake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each ready profile (profiles/*.properties) pulls a complete, duplicate-free set from a fake of its vendor,
 * written from the vendor's documentation (/work/notes/vendors.md): the vendor's paging, page shape, auth
 * header and quota signals, with quota windows shortened to a second or a few so that the pull must wait
 * several times. A source is declared only by its URL and {@code profile}; what a test sets beside them is
 * the shortened windows (a user's own settings win over the profile's). The fakes count the requests sent
 * into a window they had announced as spent: 0.
 */
public class ReadySourcesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = TestWorkspace.API_KEY;

    /** A workspace whose only source is {@code vendor} with {@code profile = vendor}, and one job on it. */
    static TestWorkspace workspace(String vendor, String url) throws IOException {
        TestWorkspace ws = new TestWorkspace();
        ws.settings.put("leadpipe.sources", vendor);
        ws.settings.put("leadpipe.source." + vendor + ".profile", vendor);
        ws.settings.put("leadpipe.source." + vendor + ".url", url);
        ws.jobs(TestWorkspace.job(vendor + "-pull", "", "source", vendor));
        return ws;
    }

    /** Runs the job; every expected id stored once, under the source, and nothing sent into a spent window. */
    private static void pullCompletely(TestWorkspace ws, VendorFake fake, String vendor, Set<String> expected) throws Exception {
        pullCompletely(ws, fake, vendor, TestWorkspace.envWithKey(), expected);
    }

    /** The same with the environment given (another key). */
    public static void pullCompletely(TestWorkspace ws, VendorFake fake, String vendor, Map<String, String> env, Set<String> expected) throws Exception {
        TestWorkspace.CliResult run = ws.cli(env, "run");
        System.out.println("[ready-sources] " + fake.summary(vendor));
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(ws.checkpoint(vendor + "-pull").get("status")).isEqualTo("DONE");
        List<String> keys = new ArrayList<>();
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT source, lead_key FROM leads")) {
            while (rs.next()) {
                assertThat(rs.getString(1)).isEqualTo(vendor);
                keys.add(rs.getString(2));
            }
        }
        assertThat(keys).as("each lead once").hasSize(expected.size());
        assertThat(new TreeSet<>(keys)).isEqualTo(expected);
        assertThat(fake.unauthorized()).as("answers 401: the profile's auth header form").isZero();
        assertThat(fake.sentIntoAnnouncedSpent()).as("requests sent after the API announced the window spent").isZero();
    }

    private static Set<String> ids(int n, IntFunction<String> id) {
        return IntStream.range(0, n).mapToObj(id).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String payload(TestWorkspace ws, String key) throws SQLException {
        try (Connection c = ws.db(); var ps = c.prepareStatement("SELECT payload FROM leads WHERE lead_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static int intParam(HttpExchange ex, String name, int def) {
        String v = VendorFake.param(ex, name);
        return v == null || v.isEmpty() ? def : Integer.parseInt(v);
    }

    static long secondsUntil(long millis, long now) {
        return Math.max(1, (millis - now + 999) / 1000);
    }

    // ---- GitHub: bare array, Link rel="next", per_page (max 100); x-ratelimit-* with an epoch-seconds reset;
    //      primary limit spent: 403 with remaining 0; secondary limit: 403 with retry-after

    @Test
    @Timeout(120)
    void github() throws Exception {
        int n = 2000;
        QuotaWindow primary = QuotaWindow.fixed("core", 6, 2000); // "per hour": here per 2 s
        QuotaWindow secondary = QuotaWindow.hidden("secondary", 10, 4000); // not in any header
        String[] base = new String[1];
        try (VendorFake fake = new VendorFake(List.of(primary, secondary), "Authorization", "Bearer " + KEY, (h, now) -> {
            h.set("x-ratelimit-limit", "6");
            h.set("x-ratelimit-remaining", Long.toString(primary.remaining(now)));
            h.set("x-ratelimit-used", Long.toString(primary.used(now)));
            h.set("x-ratelimit-reset", Long.toString(primary.resetMillis(now) / 1000));
            h.set("x-ratelimit-resource", "core");
        }, (ex, spent, now) -> {
            if (spent == secondary) {
                ex.getResponseHeaders().set("retry-after", Long.toString(secondsUntil(spent.resetMillis(now), now)));
                FakeApi.send(ex, 403, "application/json", "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.\","
                        + "\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}");
            } else {
                FakeApi.send(ex, 403, "application/json", "{\"message\":\"API rate limit exceeded for user ID 1.\","
                        + "\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}");
            }
        }, (ex, body) -> {
            var h = ex.getRequestHeaders();
            if (h.getFirst("User-Agent") == null || !"application/vnd.github+json".equals(h.getFirst("Accept"))
                    || !"2022-11-28".equals(h.getFirst("X-GitHub-Api-Version"))) {
                FakeApi.send(ex, 400, "application/json", "{\"message\":\"missing User-Agent, Accept or X-GitHub-Api-Version\"}");
                return;
            }
            int perPage = Math.min(100, intParam(ex, "per_page", 30));
            int page = intParam(ex, "page", 1);
            int from = (page - 1) * perPage;
            int last = (n + perPage - 1) / perPage;
            StringBuilder b = new StringBuilder("[");
            for (int i = from; i < Math.min(n, from + perPage); i++) {
                b.append(i == from ? "" : ",").append("{\"login\":\"user").append(i + 1).append("\",\"id\":").append(i + 1)
                        .append(",\"node_id\":\"MDQ6VXNlcj").append(i + 1).append("\",\"type\":\"User\",\"site_admin\":false}");
            }
            String self = base[0] + "/orgs/acme/members?per_page=" + perPage + "&page=";
            List<String> links = new ArrayList<>();
            if (page > 1) links.add("<" + self + (page - 1) + ">; rel=\"prev\"");
            if (page < last) links.add("<" + self + (page + 1) + ">; rel=\"next\"");
            links.add("<" + self + last + ">; rel=\"last\"");
            links.add("<" + self + "1>; rel=\"first\"");
            ex.getResponseHeaders().set("link", String.join(", ", links));
            FakeApi.send(ex, 200, "application/json; charset=utf-8", b.append("]").toString());
        })) {
            base[0] = fake.base();
            try (TestWorkspace ws = workspace("github", fake.base() + "/orgs/acme/members")) {
                pullCompletely(ws, fake, "github", ids(n, i -> Integer.toString(i + 1)));
                assertThat(fake.requests() - fake.refused()).as("20 pages of 100").isEqualTo(20);
                assertThat(fake.spentSignals()).as("windows spent, each waited out").isGreaterThanOrEqualTo(2);
            }
        }
    }

    // ---- HubSpot: GET list, limit (max 100) + after cursor at /paging/next/after, results[].properties;
    //      X-HubSpot-RateLimit-Max/-Remaining over -Interval-Milliseconds (rolling, no reset); 429 + policy body

    @Test
    @Timeout(120)
    void hubspot() throws Exception {
        int n = 2000;
        QuotaWindow rolling = QuotaWindow.rolling("ten-secondly", 6, 1500); // 10 s on HubSpot, 1.5 s here
        QuotaWindow daily = QuotaWindow.fixed("daily", 250_000, 86_400_000);
        try (VendorFake fake = new VendorFake(List.of(rolling, daily), "Authorization", "Bearer " + KEY, (h, now) -> {
            h.set("X-HubSpot-RateLimit-Max", "6");
            h.set("X-HubSpot-RateLimit-Remaining", Long.toString(rolling.remaining(now)));
            h.set("X-HubSpot-RateLimit-Interval-Milliseconds", "1500");
            h.set("X-HubSpot-RateLimit-Daily", "250000");
            h.set("X-HubSpot-RateLimit-Daily-Remaining", Long.toString(daily.remaining(now)));
        }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json",
                "{\"status\":\"error\",\"message\":\"You have reached your " + (spent == daily ? "daily" : "ten_secondly_rolling") + " limit.\","
                        + "\"errorType\":\"RATE_LIMIT\",\"correlationId\":\"c033cdaa-2c40-4a64-ae48-b4cec88dad24\",\"policyName\":\""
                        + (spent == daily ? "DAILY" : "TEN_SECONDLY_ROLLING") + "\"}"),
                (ex, body) -> {
            if (!"email,firstname".equals(VendorFake.param(ex, "properties")) || !"false".equals(VendorFake.param(ex, "archived"))) {
                FakeApi.send(ex, 400, "application/json", "{\"status\":\"error\",\"message\":\"the URL's own query was lost\",\"category\":\"VALIDATION_ERROR\"}");
                return;
            }
            int limit = Math.min(100, intParam(ex, "limit", 10));
            String after = VendorFake.param(ex, "after");
            int from = after == null ? 0 : Integer.parseInt(new String(Base64.getDecoder().decode(after), StandardCharsets.UTF_8).substring(2));
            int to = Math.min(n, from + limit);
            StringBuilder b = new StringBuilder("{\"results\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"").append(5000 + i).append("\",\"properties\":{\"email\":\"c").append(i)
                        .append("@example.com\",\"firstname\":\"C").append(i).append("\",\"hs_object_id\":\"").append(5000 + i)
                        .append("\"},\"createdAt\":\"2019-10-30T03:30:17.883Z\",\"updatedAt\":\"2019-12-07T16:50:06.678Z\",\"archived\":false}");
            }
            b.append("]");
            if (to < n) {
                // an opaque cursor with the characters HubSpot's have (=, to be encoded once in the next query)
                String next = Base64.getEncoder().encodeToString(("n:" + to).getBytes(StandardCharsets.UTF_8));
                b.append(",\"paging\":{\"next\":{\"after\":\"").append(next).append("\",\"link\":\"?after=").append(next).append("\"}}");
            }
            FakeApi.send(ex, 200, "application/json;charset=utf-8", b.append("}").toString());
        })) {
            try (TestWorkspace ws = workspace("hubspot", fake.base() + "/crm/v3/objects/contacts?properties=email,firstname&archived=false")) {
                pullCompletely(ws, fake, "hubspot", ids(n, i -> Integer.toString(5000 + i)));
                assertThat(fake.requests() - fake.refused()).isEqualTo(20);
                assertThat(fake.spentSignals()).as("windows spent, each waited out").isGreaterThanOrEqualTo(2);
                JsonNode lead = JSON.readTree(payload(ws, "5007"));
                assertThat(lead.get("email").asText()).as("the lead is the record's properties").isEqualTo("c7@example.com");
                assertThat(lead.has("createdAt")).isFalse();
            }
        }
    }

    // ---- Stripe: limit (max 100) + starting_after=<last id> while has_more; no quota headers at all;
    //      over the rate: 429 with a rate_limit_error

    @Test
    @Timeout(120)
    void stripe() throws Exception {
        int n = 2000;
        QuotaWindow perSecond = QuotaWindow.hiddenRolling("sandbox", 5, 1000); // 25/s in a sandbox, 5/s here; no header shows it
        List<String> newestFirst = IntStream.range(0, n).mapToObj(i -> String.format("cus_%014d", n - i)).toList();
        Map<String, Integer> at = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) at.put(newestFirst.get(i), i);
        try (VendorFake fake = new VendorFake(List.of(perSecond), "Authorization", "Bearer " + KEY, (h, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{\"error\":{\"type\":\"rate_limit_error\","
                        + "\"message\":\"Too many requests hit the API too quickly.\"}}"),
                (ex, body) -> {
            int limit = intParam(ex, "limit", 10);
            if (limit < 1 || limit > 100) {
                FakeApi.send(ex, 400, "application/json", "{\"error\":{\"type\":\"invalid_request_error\",\"param\":\"limit\",\"message\":\"limit must be 1 to 100\"}}");
                return;
            }
            String after = VendorFake.param(ex, "starting_after");
            int from = after == null ? 0 : at.get(after) + 1;
            int to = Math.min(n, from + limit);
            StringBuilder b = new StringBuilder("{\"object\":\"list\",\"url\":\"/v1/customers\",\"has_more\":").append(to < n).append(",\"data\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"").append(newestFirst.get(i)).append("\",\"object\":\"customer\",\"created\":")
                        .append(1_700_000_000L + n - i).append(",\"email\":\"s").append(i).append("@example.com\"}");
            }
            FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
        })) {
            try (TestWorkspace ws = workspace("stripe", fake.base() + "/v1/customers")) {
                // the profile's 20 per second is above this account's 5: Stripe's only signal, the 429, is waited out
                pullCompletely(ws, fake, "stripe", new TreeSet<>(newestFirst));
                assertThat(fake.requests() - fake.refused()).isEqualTo(20);
            }
        }
    }

    // ---- Apollo: POST people search, page (1-based) + per_page (max 100), total_entries; fixed minute, hour
    //      and day windows announced by counters without a reset; 429 when spent

    @Test
    @Timeout(120)
    void apollo() throws Exception {
        int n = 2000;
        // tight enough that a client slowed by a loaded machine (~250 ms a request) still spends them
        QuotaWindow minute = QuotaWindow.fixed("minute", 3, 1000); // per minute: here per second
        QuotaWindow hour = QuotaWindow.fixed("hour", 6, 2000); // per hour: here per 2 s
        QuotaWindow day = QuotaWindow.fixed("day", 2000, 86_400_000);
        try (VendorFake fake = new VendorFake(List.of(minute, hour, day), "x-api-key", KEY, (h, now) -> {
            for (var w : List.of(new String[] {"minute", "x-rate-limit-minute", "x-minute-requests-left", "x-minute-usage"},
                    new String[] {"hour", "x-rate-limit-hourly", "x-hourly-requests-left", "x-hourly-usage"},
                    new String[] {"day", "x-rate-limit-daily", "x-daily-requests-left", "x-daily-usage"})) {
                QuotaWindow win = w[0].equals("minute") ? minute : w[0].equals("hour") ? hour : day;
                h.set(w[1], Long.toString(win.limit));
                h.set(w[2], Long.toString(win.remaining(now)));
                h.set(w[3], Long.toString(win.used(now)));
            }
        }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{\"error\":\"rate limit exceeded\"}"),
                (ex, body) -> {
            if (!ex.getRequestMethod().equals("POST")) {
                FakeApi.send(ex, 404, "application/json", "{\"error\":\"not found\"}");
                return;
            }
            // the parameters in the JSON body, or (as the OpenAPI definition has them) in the query
            JsonNode req = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            int page = req.has("page") ? req.get("page").asInt() : intParam(ex, "page", 1);
            int perPage = Math.min(100, req.has("per_page") ? req.get("per_page").asInt() : intParam(ex, "per_page", 25));
            int from = (page - 1) * perPage;
            StringBuilder b = new StringBuilder("{\"total_entries\":").append(n).append(",\"people\":[");
            for (int i = from; i < Math.min(n, from + perPage); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"").append(String.format("5f%022x", i)).append("\",\"first_name\":\"P")
                        .append(i).append("\",\"last_name_obfuscated\":\"L***e\",\"title\":\"CTO\",\"has_email\":true,\"organization\":{\"name\":\"Acme\"}}");
            }
            FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
        })) {
            try (TestWorkspace ws = workspace("apollo", fake.base() + "/api/v1/mixed_people/api_search")) {
                ws.settings.put("leadpipe.source.apollo.quota.minute.interval", "1s");
                ws.settings.put("leadpipe.source.apollo.quota.hour.interval", "2s");
                pullCompletely(ws, fake, "apollo", ids(n, i -> String.format("5f%022x", i)));
                assertThat(fake.requests() - fake.refused()).isEqualTo(20);
                assertThat(fake.spentSignals()).as("windows spent, each waited out").isGreaterThanOrEqualTo(2);
            }
        }
    }

    // ---- HubSpot search: POST with nested filterGroups/sorts (the source's fixed body), limit + after in the
    //      body, total; no rate-limit headers on search answers, its own 4 requests/second per token; 429 beyond;
    //      at most 10,000 results per query (400 beyond)

    @Test
    @Timeout(120)
    void hubspotSearch() throws Exception {
        int contacts = 3000; // every third is a customer: the search's filter leaves 2,000 leads
        QuotaWindow search = QuotaWindow.hiddenRolling("search", 4, 1000); // 4 per (rolling) second, counted at arrival
        String path = "/crm/v3/objects/contacts/search";
        try (VendorFake fake = new VendorFake(List.of(search), "Authorization", "Bearer " + KEY, (h, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json",
                        "{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\",\"errorType\":\"RATE_LIMIT\",\"policyName\":\"SECONDLY\"}"),
                (ex, body) -> {
            JsonNode req = body.isEmpty() ? null : JSON.readTree(body);
            JsonNode filter = req == null ? null : req.at("/filterGroups/0/filters/0");
            if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().equals(path) || filter == null
                    || !"lifecyclestage".equals(filter.path("propertyName").asText()) || !"EQ".equals(filter.path("operator").asText())
                    || !"hs_object_id".equals(req.at("/sorts/0/propertyName").asText()) || !req.at("/properties").isArray()
                    || req.has("after") && !req.get("after").isTextual() || !req.path("limit").isInt()) { // after: a string in HubSpot's schema
                FakeApi.send(ex, 400, "application/json", "{\"status\":\"error\",\"message\":\"unexpected search " + body.replace('"', '\'') + "\",\"category\":\"VALIDATION_ERROR\"}");
                return;
            }
            String stage = filter.path("value").asText();
            List<Integer> matching = IntStream.range(0, contacts).filter(i -> (i % 3 == 0 ? "customer" : "lead").equals(stage)).boxed().toList();
            int limit = Math.min(200, req.path("limit").asInt(10));
            int from = req.hasNonNull("after") ? Integer.parseInt(req.get("after").asText()) : 0;
            if (from + limit > 10_000) {
                FakeApi.send(ex, 400, "application/json", "{\"status\":\"error\",\"message\":\"Search results are limited to 10,000\",\"category\":\"VALIDATION_ERROR\"}");
                return;
            }
            int to = Math.min(matching.size(), from + limit);
            StringBuilder b = new StringBuilder("{\"total\":").append(matching.size()).append(",\"results\":[");
            for (int k = from; k < to; k++) {
                int i = matching.get(k);
                b.append(k == from ? "" : ",").append("{\"id\":\"").append(7000 + i).append("\",\"properties\":{\"email\":\"s").append(i)
                        .append("@example.com\",\"lifecyclestage\":\"").append(stage).append("\",\"hs_object_id\":\"").append(7000 + i)
                        .append("\"},\"createdAt\":\"2019-10-30T03:30:17.883Z\",\"updatedAt\":\"2019-12-07T16:50:06.678Z\",\"archived\":false}");
            }
            b.append("]");
            if (to < matching.size()) b.append(",\"paging\":{\"next\":{\"after\":\"").append(to).append("\",\"link\":\"?after=").append(to).append("\"}}");
            FakeApi.send(ex, 200, "application/json;charset=utf-8", b.append("}").toString());
        })) {
            try (TestWorkspace ws = workspace("hubspot-search", fake.base() + path)) {
                // the user's body: the profile's sort, plus the filter and the properties of this search
                ws.settings.put("leadpipe.source.hubspot-search.body", "{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"lifecyclestage\","
                        + "\"operator\":\"EQ\",\"value\":\"lead\"}]}],\"properties\":[\"email\",\"lifecyclestage\"],"
                        + "\"sorts\":[{\"propertyName\":\"hs_object_id\",\"direction\":\"ASCENDING\"}]}");
                pullCompletely(ws, fake, "hubspot-search", IntStream.range(0, contacts).filter(i -> i % 3 != 0)
                        .mapToObj(i -> Integer.toString(7000 + i)).collect(Collectors.toCollection(TreeSet::new)));
                assertThat(fake.requests()).as("20 pages of 100, no refusal").isEqualTo(20);
                assertThat(fake.refused()).as("429s: the profile keeps below search's 4 requests per second").isZero();
                assertThat(JSON.readTree(payload(ws, "7001")).get("lifecyclestage").asText()).isEqualTo("lead");
            }
        }
    }

    /**
     * HubSpot's search serves at most 10,000 results per query and answers 400 for a page reaching past them (the
     * profile's max-results). Scaled down to 500 here, with 1,200 matching in pages of 100, and the profile's cut
     * turned off (cut.pointer empty; with it the query is cut: RecurringSyncTest): five pages are asked for, the
     * sixth never is; the job stops FAILED naming the setting, with the 500 leads served stored.
     */
    @Test
    @Timeout(120)
    void hubspotSearchStopsBeforeThePageThatWouldReachPastItsResultLimit() throws Exception {
        int matching = 1200;
        int maxResults = 500;
        try (VendorFake fake = new VendorFake(List.of(), "Authorization", "Bearer " + KEY, (h, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{}"), (ex, body) -> {
            JsonNode req = JSON.readTree(body);
            int limit = Math.min(200, req.path("limit").asInt(10));
            int from = req.hasNonNull("after") ? Integer.parseInt(req.get("after").asText()) : 0;
            if (from + limit > maxResults) {
                FakeApi.send(ex, 400, "application/json", "{\"status\":\"error\",\"message\":\"Search results are limited\",\"category\":\"VALIDATION_ERROR\"}");
                return;
            }
            int to = Math.min(matching, from + limit);
            StringBuilder b = new StringBuilder("{\"total\":").append(matching).append(",\"results\":[");
            for (int k = from; k < to; k++) b.append(k == from ? "" : ",").append("{\"id\":\"").append(9000 + k).append("\",\"properties\":{}}");
            b.append("]");
            if (to < matching) b.append(",\"paging\":{\"next\":{\"after\":\"").append(to).append("\"}}");
            FakeApi.send(ex, 200, "application/json", b.append("}").toString());
        })) {
            try (TestWorkspace ws = workspace("hubspot-search", fake.base() + "/crm/v3/objects/contacts/search")) {
                ws.settings.put("leadpipe.source.hubspot-search.max-results", Integer.toString(maxResults));
                ws.settings.put("leadpipe.source.hubspot-search.cut.pointer", "");
                stopsAtTheApisLimit(ws, fake, "hubspot-search", "at most 500 records per query (leadpipe.source.hubspot-search.max-results)", 5, maxResults);
            }
        }
    }

    /**
     * Runs the job against an API that serves only so much per query: FAILED naming the limit's setting, no request
     * past the limit, and every lead the API served kept.
     */
    private static void stopsAtTheApisLimit(TestWorkspace ws, VendorFake fake, String vendor, String limitSaid, int requests, int leadsKept) throws Exception {
        TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
        assertThat(run.exitCode()).isNotZero();
        Map<String, Object> cp = ws.checkpoint(vendor + "-pull");
        assertThat(cp.get("status")).isEqualTo("FAILED");
        assertThat(String.valueOf(cp.get("error"))).contains(limitSaid);
        assertThat(fake.requests()).as("no page past the limit asked for").isEqualTo(requests);
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM leads")) {
            rs.next();
            assertThat(rs.getInt(1)).as("every lead the API served is kept").isEqualTo(leadsKept);
        }
    }

    /** A POST body that is not a JSON object stops at start, naming the setting and not the text. */
    @Test
    void aSourceBodyThatIsNotJsonIsAConfigError() throws Exception {
        try (TestWorkspace ws = workspace("hubspot-search", "http://127.0.0.1:9/crm/v3/objects/contacts/search")) {
            ws.settings.put("leadpipe.source.hubspot-search.body", "{\"filterGroups\":[{\"filters\": secret-value");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("leadpipe.source.hubspot-search.body is not valid JSON (line 1").doesNotContain("secret-value");
        }
    }

    /**
     * Apollo serves at most 500 pages per search ("up to 500 pages", 50,000 records): a larger search stops at
     * the last page it serves, FAILED with every lead up to there stored (a WARN says so at the first page); no
     * page past the limit is asked for. Here the limit is 20 pages of 100 and the search matches 2,500.
     */
    @Test
    @Timeout(120)
    void apolloStopsAtItsPageLimit() throws Exception {
        int n = 2500;
        int limit = 20;
        try (VendorFake fake = new VendorFake(List.of(), "x-api-key", KEY, (h, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{}"), (ex, body) -> {
            JsonNode req = JSON.readTree(body);
            int page = req.path("page").asInt(1);
            int perPage = Math.min(100, req.path("per_page").asInt(25));
            int from = (page - 1) * perPage;
            StringBuilder b = new StringBuilder("{\"total_entries\":").append(n).append(",\"people\":[");
            // past the display limit the API serves nothing more
            for (int i = from; page <= limit && i < Math.min(n, from + perPage); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":\"").append(String.format("5f%022x", i)).append("\",\"first_name\":\"P").append(i).append("\"}");
            }
            FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
        })) {
            try (TestWorkspace ws = workspace("apollo", fake.base() + "/api/v1/mixed_people/api_search")) {
                ws.settings.put("leadpipe.source.apollo.max-pages", Integer.toString(limit));
                stopsAtTheApisLimit(ws, fake, "apollo", "at most 20 pages per query (leadpipe.source.apollo.max-pages)", limit, 2000);
            }
        }
    }

    // ---- Salesforce: SOQL query in the URL's own q, batch size in Sforce-Query-Options, next page = GET the
    //      relative nextRecordsUrl; Sforce-Limit-Info: api-usage=used/limit; spent: 403 REQUEST_LIMIT_EXCEEDED

    @Test
    @Timeout(120)
    void salesforce() throws Exception {
        int n = 2400;
        QuotaWindow daily = QuotaWindow.rolling("daily", 4, 1500); // a rolling 24 h: here 1.5 s
        String query = "/services/data/v60.0/query";
        try (VendorFake fake = new VendorFake(List.of(daily), "Authorization", "Bearer " + KEY,
                (h, now) -> h.set("Sforce-Limit-Info", "api-usage=" + daily.used(now) + "/" + daily.limit),
                (ex, spent, now) -> FakeApi.send(ex, 403, "application/json",
                        "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]"),
                (ex, body) -> {
            String path = ex.getRequestURI().getPath();
            String options = String.valueOf(ex.getRequestHeaders().getFirst("Sforce-Query-Options"));
            int batch = options.startsWith("batchSize=") ? Math.max(200, Math.min(2000, Integer.parseInt(options.substring(10)))) : 2000;
            int from;
            if (path.equals(query)) {
                // the first request: only the SOQL of the URL (no paging parameters)
                if (!"SELECT Id,Name FROM Contact".equals(VendorFake.param(ex, "q")) || ex.getRequestURI().getRawQuery().contains("&")) {
                    FakeApi.send(ex, 400, "application/json", "[{\"message\":\"unexpected query " + ex.getRequestURI().getRawQuery() + "\",\"errorCode\":\"MALFORMED_QUERY\"}]");
                    return;
                }
                from = 0;
            } else if (path.startsWith(query + "/01gRO0000016PIAYA2-") && ex.getRequestURI().getRawQuery() == null) {
                from = Integer.parseInt(path.substring(path.lastIndexOf('-') + 1));
            } else {
                FakeApi.send(ex, 404, "application/json", "[{\"message\":\"The requested resource does not exist\",\"errorCode\":\"NOT_FOUND\"}]");
                return;
            }
            int to = Math.min(n, from + batch);
            StringBuilder b = new StringBuilder("{\"totalSize\":").append(n).append(",\"done\":").append(to >= n);
            if (to < n) b.append(",\"nextRecordsUrl\":\"").append(query).append("/01gRO0000016PIAYA2-").append(to).append("\"");
            b.append(",\"records\":[");
            for (int i = from; i < to; i++) {
                String id = String.format("003RO%013d", i);
                b.append(i == from ? "" : ",").append("{\"attributes\":{\"type\":\"Contact\",\"url\":\"/services/data/v60.0/sobjects/Contact/")
                        .append(id).append("\"},\"Id\":\"").append(id).append("\",\"Name\":\"Contact ").append(i).append("\"}");
            }
            FakeApi.send(ex, 200, "application/json;charset=UTF-8", b.append("]}").toString());
        })) {
            try (TestWorkspace ws = workspace("salesforce", fake.base() + query + "?q=SELECT+Id,Name+FROM+Contact")) {
                ws.settings.put("leadpipe.source.salesforce.quota.day.interval", "1500ms");
                ws.settings.put("leadpipe.source.salesforce.header.Sforce-Query-Options", "batchSize=200");
                ws.settings.put("leadpipe.source.salesforce.page-size", "200");
                pullCompletely(ws, fake, "salesforce", ids(n, i -> String.format("003RO%013d", i)));
                assertThat(fake.requests() - fake.refused()).as("12 batches of 200").isEqualTo(12);
                assertThat(fake.spentSignals()).as("windows spent, each waited out").isGreaterThanOrEqualTo(2);
            }
        }
    }

    // ---- Pipedrive: start/limit, additional_data.pagination.{more_items_in_collection,next_start};
    //      x-ratelimit-limit/-remaining/-reset (seconds left of a 2-second window); 429 when spent

    @Test
    @Timeout(120)
    void pipedrive() throws Exception {
        int n = 2000;
        QuotaWindow burst = QuotaWindow.fixed("burst", 6, 2000);
        try (VendorFake fake = pipedriveFake(burst, (ex, body) -> {
            int start = intParam(ex, "start", 0);
            int limit = Math.min(500, intParam(ex, "limit", 100));
            int to = Math.min(n, start + limit);
            StringBuilder b = new StringBuilder("{\"success\":true,\"data\":[");
            for (int i = start; i < to; i++) {
                b.append(i == start ? "" : ",").append("{\"id\":").append(i + 1).append(",\"name\":\"Person ").append(i)
                        .append("\",\"org_id\":1234,\"owner_id\":123,\"email\":[{\"value\":\"p").append(i)
                        .append("@example.com\",\"primary\":true,\"label\":\"work\"}],\"update_time\":\"2023-02-08 05:30:20\"}");
            }
            b.append("],\"additional_data\":{\"pagination\":{\"start\":").append(start).append(",\"limit\":").append(limit)
                    .append(",\"more_items_in_collection\":").append(to < n);
            if (to < n) b.append(",\"next_start\":").append(to);
            FakeApi.send(ex, 200, "application/json", b.append("}}}").toString());
        })) {
            try (TestWorkspace ws = workspace("pipedrive", fake.base() + "/api/v1/persons")) {
                pullCompletely(ws, fake, "pipedrive", ids(n, i -> Integer.toString(i + 1)));
                assertThat(fake.requests() - fake.refused()).as("20 pages, none after more_items_in_collection = false").isEqualTo(20);
                assertThat(fake.spentSignals()).as("windows spent, each waited out").isGreaterThanOrEqualTo(2);
            }
        }
    }

    // ---- Pipedrive v2: cursor + limit (default 100, at most 500), additional_data.next_cursor (null at the end);
    //      the same x-ratelimit-* burst headers over a 2-second window; 429 when spent

    @Test
    @Timeout(120)
    void pipedriveV2() throws Exception {
        int n = 2000;
        QuotaWindow burst = QuotaWindow.fixed("burst", 6, 2000);
        try (VendorFake fake = pipedriveFake(burst, (ex, body) -> {
            int limit = intParam(ex, "limit", 100);
            if (limit > 500) {
                FakeApi.send(ex, 400, "application/json", "{\"success\":false,\"error\":\"limit must be at most 500\",\"data\":null,\"additional_data\":null}");
                return;
            }
            String cursor = VendorFake.param(ex, "cursor");
            // an opaque cursor, base64 of JSON as Pipedrive's (eyJ…): {"id":<last id>}
            int from = cursor == null ? 0 : JSON.readTree(Base64.getUrlDecoder().decode(cursor)).get("id").asInt();
            int to = Math.min(n, from + limit);
            StringBuilder b = new StringBuilder("{\"success\":true,\"data\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"id\":").append(i + 1).append(",\"name\":\"Person ").append(i)
                        .append("\",\"org_id\":1234,\"owner_id\":123,\"emails\":[{\"value\":\"p").append(i)
                        .append("@example.com\",\"primary\":true,\"label\":\"work\"}],\"update_time\":\"2023-02-08T05:30:20Z\"}");
            }
            String next = to < n ? "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"id\":" + to + "}").getBytes(StandardCharsets.UTF_8)) + "\"" : "null";
            FakeApi.send(ex, 200, "application/json", b.append("],\"additional_data\":{\"next_cursor\":").append(next).append("}}").toString());
        })) {
            try (TestWorkspace ws = workspace("pipedrive-v2", fake.base() + "/api/v2/persons")) {
                ws.settings.put("leadpipe.source.pipedrive-v2.page-size", "100"); // 20 pages, so the burst window is spent several times
                pullCompletely(ws, fake, "pipedrive-v2", ids(n, i -> Integer.toString(i + 1)));
                assertThat(fake.requests() - fake.refused()).as("20 pages, none after next_cursor = null").isEqualTo(20);
                assertThat(fake.spentSignals()).as("windows spent, each waited out").isGreaterThanOrEqualTo(2);
            }
        }
    }

    /**
     * Pipedrive's burst window as both its API versions announce it — x-ratelimit-limit/-remaining/-reset (the
     * seconds left of a 2-second window) — and its 429 when spent; x-api-token auth.
     */
    private static VendorFake pipedriveFake(QuotaWindow burst, VendorFake.Serve serve) throws IOException {
        return new VendorFake(List.of(burst), "x-api-token", KEY, (h, now) -> {
            h.set("x-ratelimit-limit", Long.toString(burst.limit));
            h.set("x-ratelimit-remaining", Long.toString(burst.remaining(now)));
            h.set("x-ratelimit-reset", Long.toString(secondsUntil(burst.resetMillis(now), now)));
        }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json",
                "{\"success\":false,\"error\":\"Request over limit\",\"data\":null,\"additional_data\":null}"), serve);
    }

    /** An unknown profile name is a configuration error (exit 2) that lists the known ones. */
    @Test
    void anUnknownProfileIsAConfigErrorListingTheKnownOnes() throws Exception {
        try (TestWorkspace ws = workspace("crm", "http://127.0.0.1:9/v1/x")) {
            ws.settings.put("leadpipe.source.crm.profile", "hubspt");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("leadpipe.source.crm.profile = 'hubspt'")
                    .contains("activecampaign, apollo, attio, close, copper, dataverse, freshsales, github, hubspot, hubspot-search, intercom, klaviyo, outreach, pipedrive, pipedrive-v2, salesforce, salesloft, stripe, zoho, zoominfo");
        }
    }
}
