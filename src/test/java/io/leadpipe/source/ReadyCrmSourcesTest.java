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

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ready profiles of CRMs and sales tools (profiles/*.properties), each pulled completely and duplicate-free from a
 * fake of its vendor written from the vendor's public documentation (cited per vendor below), with the quota
 * shortened to a second or two: no request goes into a window the fake announced as spent. Like
 * {@link ReadySourcesTest} and {@link MoreReadySourcesTest}.
 */
class ReadyCrmSourcesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Set<String> sorted(List<String> ids) {
        return ids.stream().collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- Microsoft Dataverse / Dynamics 365 Web API (learn.microsoft.com):
    //      - "Page results using OData" (/power-apps/developer/data-platform/webapi/query/page-results): the page size is
    //        the Prefer: odata.maxpagesize=N request header (at most 5,000; larger is ignored), answered with
    //        Preference-Applied; the rows are under "value", the next page is the absolute "@odata.nextLink" carrying
    //        the query and a $skiptoken holding an encoded paging cookie (<cookie pagenumber="2" pagingcookie="%253ccookie
    //        …contactid last=…">); $skip is not supported; OData-MaxVersion/OData-Version 4.0 headers.
    //      - "Service protection API limits" (/power-apps/developer/data-platform/api-limits): per user, over a sliding
    //        5 minutes (6,000 requests); x-ms-ratelimit-burst-remaining-xrm-requests on answers; over it 429 with
    //        Retry-After (seconds) and {"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of
    //        6000 over time window of 300 seconds."}}. Here the window is 1.5 s of 4 requests.
    //      - Microsoft identity platform client credentials: POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token
    //        with grant_type=client_credentials, client_id, client_secret, scope=https://{org}.crm.dynamics.com/.default →
    //        {"token_type":"Bearer","expires_in":3599,"access_token":"…"}; a wrong secret: 401 invalid_client (AADSTS7000215).

    @Test
    @Timeout(120)
    void dataverse() throws Exception {
        int n = 2000;
        String tenant = "0f3a9c2e-tenant";
        String clientId = "4e1b7d90-leadpipe-app";
        String secret = "dv-secret-8c1f";
        String accessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.dataverse-token";
        AtomicInteger tokens = new AtomicInteger();
        QuotaWindow burst = QuotaWindow.rolling("5 minutes", 4, 1500); // tight enough that a client slowed by a loaded machine still spends it
        List<String> ids = IntStream.range(0, n).mapToObj(i -> UUID.nameUUIDFromBytes(("contact" + i).getBytes(StandardCharsets.UTF_8)).toString()).toList();
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < n; i++) at.put(ids.get(i), i);
        String table = "/api/data/v9.2/contacts";
        String select = "fullname,emailaddress1,modifiedon";
        Pattern lastId = Pattern.compile("contactid%20last%3d%22%7b([0-9a-f-]+)%7d%22");
        String[] base = new String[1];
        try (FakeApi entra = new FakeApi((ex, no) -> {
            Map<String, String> f = FakeApi.form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().equals("/" + tenant + "/oauth2/v2.0/token")) {
                FakeApi.send(ex, 404, "application/json", "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS90002: Tenant not found.\"}");
            } else if (!"client_credentials".equals(f.get("grant_type")) || !clientId.equals(f.get("client_id")) || !secret.equals(f.get("client_secret"))) {
                FakeApi.send(ex, 401, "application/json", "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided.\"}");
            } else if (!"https://contoso.crm.dynamics.com/.default".equals(f.get("scope"))) {
                FakeApi.send(ex, 400, "application/json", "{\"error\":\"invalid_scope\",\"error_description\":\"AADSTS70011: The provided value for the input parameter 'scope' is not valid.\"}");
            } else {
                tokens.incrementAndGet();
                FakeApi.send(ex, 200, "application/json", "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"" + accessToken + "\"}");
            }
        }); VendorFake fake = new VendorFake(List.of(burst), "Authorization", "Bearer " + accessToken,
                (h, now) -> h.set("x-ms-ratelimit-burst-remaining-xrm-requests", Long.toString(burst.remaining(now))),
                (ex, spent, now) -> {
                    ex.getResponseHeaders().set("Retry-After", Long.toString(ReadySourcesTest.secondsUntil(spent.resetMillis(now), now)));
                    FakeApi.send(ex, 429, "application/json", "{\"error\":{\"code\":\"0x80072322\",\"message\":\"Number of requests exceeded the limit "
                            + "of 6000 over time window of 300 seconds.\"}}");
                }, (ex, body) -> {
            var h = ex.getRequestHeaders();
            String prefer = String.valueOf(h.getFirst("Prefer"));
            if (!ex.getRequestURI().getPath().equals(table) || !"4.0".equals(h.getFirst("OData-MaxVersion")) || !"4.0".equals(h.getFirst("OData-Version"))
                    || !prefer.startsWith("odata.maxpagesize=")) {
                FakeApi.send(ex, 400, "application/json", "{\"error\":{\"code\":\"0x80060888\",\"message\":\"unexpected request " + ex.getRequestURI().getPath() + " Prefer: " + prefer + "\"}}");
                return;
            }
            if (VendorFake.param(ex, "$skip") != null) {
                FakeApi.send(ex, 400, "application/json", "{\"error\":{\"code\":\"0x80060888\",\"message\":\"The query parameter $skip is not supported\"}}");
                return;
            }
            // the URL's own query, its {since} filled by a full pull with the beginning of time
            if (!select.equals(VendorFake.param(ex, "$select")) || !"modifiedon ge 1970-01-01T00:00:00Z".equals(VendorFake.param(ex, "$filter"))) {
                FakeApi.send(ex, 400, "application/json", "{\"error\":{\"code\":\"0x80060888\",\"message\":\"unexpected query " + ex.getRequestURI().getRawQuery() + "\"}}");
                return;
            }
            int size = Math.min(5000, Integer.parseInt(prefer.substring("odata.maxpagesize=".length())));
            String skiptoken = VendorFake.param(ex, "$skiptoken");
            int from = 0;
            if (skiptoken != null) {
                // decoded once by the query: the paging cookie inside is still encoded, as Dataverse wrote it
                Matcher m = lastId.matcher(skiptoken);
                if (!m.find() || !at.containsKey(m.group(1))) {
                    FakeApi.send(ex, 400, "application/json", "{\"error\":{\"code\":\"0x80040203\",\"message\":\"Invalid paging cookie\"}}");
                    return;
                }
                from = at.get(m.group(1)) + 1;
            }
            int to = Math.min(n, from + size);
            StringBuilder b = new StringBuilder("{\"@odata.context\":\"").append(base[0]).append("/api/data/v9.2/$metadata#contacts(").append(select).append(")\",\"value\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"@odata.etag\":\"W/\\\"").append(7_220_000 + i).append("\\\"\",\"fullname\":\"Contact ").append(i)
                        .append("\",\"emailaddress1\":\"c").append(i).append("@contoso.example\",\"modifiedon\":\"2026-11-0").append(1 + i % 9)
                        .append("T10:00:00Z\",\"contactid\":\"").append(ids.get(i)).append("\"}");
            }
            b.append("]");
            if (to < n) {
                int page = from / size + 2;
                // the cookie's pagingcookie is itself encoded once; the whole cookie once more in the link (%253c in the docs' example)
                String cookie = "<cookie pagenumber=\"" + page + "\" pagingcookie=\"%3ccookie%20page%3d%22" + (page - 1)
                        + "%22%3e%3ccontactid%20last%3d%22%7b" + ids.get(to - 1) + "%7d%22%20first%3d%22%7b" + ids.get(from)
                        + "%7d%22%20%2f%3e%3c%2fcookie%3e\" istracking=\"False\" />";
                String next = base[0] + table + "?$select=" + select + "&$filter=modifiedon%20ge%201970-01-01T00:00:00Z&$skiptoken="
                        + cookie.replace("%", "%25").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("\"", "%22");
                b.append(",\"@odata.nextLink\":\"").append(next).append("\"");
            }
            ex.getResponseHeaders().set("Preference-Applied", "odata.maxpagesize=" + size);
            ex.getResponseHeaders().set("OData-Version", "4.0");
            FakeApi.send(ex, 200, "application/json; odata.metadata=minimal", b.append("}").toString());
        })) {
            base[0] = fake.base();
            try (TestWorkspace ws = ReadySourcesTest.workspace("dataverse", fake.base() + table + "?$select=" + select + "&$filter=modifiedon%20ge%20{since}")) {
                String p = "leadpipe.source.dataverse.";
                ws.settings.put(p + "auth.token-url", entra.url().replace("/v1/leads", "/" + tenant + "/oauth2/v2.0/token"));
                ws.settings.put(p + "auth.client-id", clientId);
                ws.settings.put(p + "auth.scope", "https://contoso.crm.dynamics.com/.default");
                ws.settings.put(p + "quota.window.interval", "1500ms"); // five minutes at Dataverse
                ws.settings.put(p + "page-size", "100");
                ws.settings.put(p + "header.Prefer", "odata.maxpagesize=100");
                Map<String, String> env = TestWorkspace.envWithKey();
                env.put("LEADPIPE_DATAVERSE_CLIENT_SECRET", secret);
                ReadySourcesTest.pullCompletely(ws, fake, "dataverse", env, sorted(ids));
                assertThat(fake.requests() - fake.refused()).as("20 pages of 100, none after the last without @odata.nextLink").isEqualTo(20);
                assertThat(fake.spentSignals()).as("windows spent, each waited out").isGreaterThanOrEqualTo(2);
                assertThat(tokens.get()).as("one Entra ID token for the whole pull").isEqualTo(1);
            }
        }
    }

    // ---- Salesloft Platform API v2 (developers.salesloft.com/docs/platform/api-basics/):
    //      - filtering-paging-sorting: page (from 1) and per_page (1 to 100, default 25; out of range silently corrected
    //        to the default and echoed); metadata.paging {per_page, current_page, next_page (null on the last), prev_page},
    //        total_pages/total_count only with include_paging_counts=true; a page past the end is empty, not an error.
    //      - request-response-format: {"metadata":{…},"data":[…]}; oauth-authentication: Authorization: Bearer <API key or
    //        OAuth token>.
    //      - rate-limits: 600 cost per minute per team, a request costs 1 (deep pages more); x-ratelimit-remaining-minute
    //        and x-ratelimit-endpoint-cost on answers; spent: 429. Here the minute is a second of 3.

    @Test
    @Timeout(120)
    void salesloft() throws Exception {
        int n = 2000;
        QuotaWindow minute = QuotaWindow.fixed("minute", 3, 1000); // tight enough that a client slowed by a loaded machine still spends it
        AtomicInteger pastTheEnd = new AtomicInteger();
        try (VendorFake fake = new VendorFake(List.of(minute), "Authorization", "Bearer ak_" + TestWorkspace.API_KEY, (h, now) -> {
            h.set("x-ratelimit-remaining-minute", Long.toString(minute.remaining(now)));
            h.set("x-ratelimit-endpoint-cost", "1");
        }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{\"error\":\"Rate limit exceeded: 600 cost per minute\"}"), (ex, body) -> {
            if (!ex.getRequestURI().getPath().equals("/v2/people") || !"updated_at".equals(VendorFake.param(ex, "sort_by"))) {
                FakeApi.send(ex, 404, "application/json", "{\"error\":\"Not Found\"}");
                return;
            }
            String perPageParam = VendorFake.param(ex, "per_page");
            int perPage = perPageParam == null ? 25 : Integer.parseInt(perPageParam);
            if (perPage < 1 || perPage > 100) perPage = 25; // corrected silently, as documented
            String pageParam = VendorFake.param(ex, "page");
            int page = pageParam == null ? 1 : Integer.parseInt(pageParam);
            int from = (page - 1) * perPage;
            int to = Math.min(n, from + perPage);
            if (from >= n) pastTheEnd.incrementAndGet();
            StringBuilder b = new StringBuilder("{\"metadata\":{\"filtering\":{},\"sorting\":{\"sort_by\":\"updated_at\",\"sort_direction\":\"ASC\"},"
                    + "\"paging\":{\"per_page\":").append(perPage).append(",\"current_page\":").append(page)
                    .append(",\"next_page\":").append(to < n ? Integer.toString(page + 1) : "null").append(",\"prev_page\":").append(page > 1 ? Integer.toString(page - 1) : "null");
            if ("true".equals(VendorFake.param(ex, "include_paging_counts"))) {
                b.append(",\"total_pages\":").append((n + perPage - 1) / perPage).append(",\"total_count\":").append(n);
            }
            b.append("}},\"data\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"id\":").append(1000 + i).append(",\"first_name\":\"P").append(i)
                        .append("\",\"email_address\":\"p").append(i).append("@example.com\",\"updated_at\":\"2026-11-05T10:00:00.000000-05:00\"}");
            }
            FakeApi.send(ex, 200, "application/json; charset=utf-8", b.append("]}").toString());
        });
             TestWorkspace ws = ReadySourcesTest.workspace("salesloft", fake.base() + "/v2/people?sort_by=updated_at&sort_direction=ASC&include_paging_counts=true")) {
            ws.settings.put("leadpipe.source.salesloft.quota.minute.interval", "1s");
            Map<String, String> env = TestWorkspace.envWithKey();
            env.put("LEADPIPE_API_KEY", "ak_" + TestWorkspace.API_KEY);
            ReadySourcesTest.pullCompletely(ws, fake, "salesloft", env,
                    sorted(IntStream.range(0, n).mapToObj(i -> Integer.toString(1000 + i)).toList()));
            assertThat(fake.requests() - fake.refused()).as("20 pages of 100").isEqualTo(20);
            assertThat(pastTheEnd.get()).as("pages asked for past next_page = null").isZero();
            assertThat(fake.spentSignals()).as("the minute spent several times, each waited out").isGreaterThanOrEqualTo(2);
        }
    }

    // ---- Copper Developer API (developer.copper.com):
    //      - introduction/requests.html: every call carries X-PW-AccessToken (the API key), X-PW-Application: developer_api,
    //        X-PW-UserEmail (the key owner's e-mail) and Content-Type: application/json; search parameters are a JSON body;
    //        "All API calls are limited to 180 requests per minute ... evaluated on a rolling window basis", 429 beyond,
    //        no quota headers.
    //      - people/list-people-search.html: POST /developer_api/v1/people/search with page_number (from 1), page_size
    //        (default 20), sort_by, sort_direction; the answer is a bare array of people; at most the first 100,000 records.
    //      Here the rolling minute is a second of 3, and the last page is short.

    @Test
    @Timeout(120)
    void copper() throws Exception {
        int n = 2050;
        QuotaWindow rolling = QuotaWindow.hiddenRolling("minute", 3, 1000);
        String owner = "owner@acme.example";
        try (VendorFake fake = new VendorFake(List.of(rolling), "X-PW-AccessToken", TestWorkspace.API_KEY, (h, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{\"success\":false,\"status\":429,\"message\":\"Rate limit exceeded\"}"),
                (ex, body) -> {
            var h = ex.getRequestHeaders();
            if (!"developer_api".equals(h.getFirst("X-PW-Application")) || !owner.equals(h.getFirst("X-PW-UserEmail"))
                    || !String.valueOf(h.getFirst("Content-Type")).startsWith("application/json")) {
                FakeApi.send(ex, 401, "application/json", "{\"success\":false,\"status\":401,\"message\":\"Invalid input: missing X-PW-Application, X-PW-UserEmail or Content-Type\"}");
                return;
            }
            if (!"POST".equals(ex.getRequestMethod()) || !ex.getRequestURI().getPath().equals("/developer_api/v1/people/search")) {
                FakeApi.send(ex, 404, "application/json", "{\"success\":false,\"status\":404,\"message\":\"Resource not found\"}");
                return;
            }
            JsonNode q = JSON.readTree(body.isBlank() ? "{}" : body);
            if (!"date_modified".equals(q.path("sort_by").asText()) || !q.path("page_number").isInt() || !q.path("page_size").isInt()) {
                FakeApi.send(ex, 422, "application/json", "{\"success\":false,\"status\":422,\"message\":\"unexpected search " + body.replace('"', '\'') + "\"}");
                return;
            }
            int size = Math.min(200, q.path("page_size").asInt(20));
            int from = (q.path("page_number").asInt(1) - 1) * size;
            StringBuilder b = new StringBuilder("[");
            for (int i = from; i < Math.min(n, from + size); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":").append(27_140_000 + i).append(",\"name\":\"Person ").append(i)
                        .append("\",\"emails\":[{\"email\":\"p").append(i).append("@example.com\",\"category\":\"work\"}],\"date_modified\":")
                        .append(1_764_000_000L + i).append("}");
            }
            FakeApi.send(ex, 200, "application/json; charset=utf-8", b.append("]").toString());
        });
             TestWorkspace ws = ReadySourcesTest.workspace("copper", fake.base() + "/developer_api/v1/people/search")) {
            ws.settings.put("leadpipe.source.copper.header.X-PW-UserEmail", owner);
            ws.settings.put("leadpipe.source.copper.page-size", "100"); // 21 pages, the last of 50
            ReadySourcesTest.pullCompletely(ws, fake, "copper", TestWorkspace.envWithKey(),
                    sorted(IntStream.range(0, n).mapToObj(i -> Integer.toString(27_140_000 + i)).toList()));
            assertThat(fake.requests() - fake.refused()).as("21 pages, the last short").isEqualTo(21);
            assertThat(fake.refused()).as("429s: the profile's 2 a second stays under the rolling 180 a minute (here 3 a second)").isZero();
        }
    }

    // ---- Freshsales (Freshworks CRM):
    //      - developers.freshworks.com/crm/api/: Authorization: Token token=<API key>; GET /crm/sales/api/contacts/view/{view_id}
    //        with page (from 1), per_page, sort, sort_type → {"contacts":[…],"meta":{"total_pages":N,"total":M}}.
    //      - crmsupport.freshworks.com "Does the web application have API request limits for an account?", support.freshsales.io
    //        article 50000010026: per account per hour (1,000 to 5,000 by plan) and 400 a minute; 429 over either; no quota
    //        headers. Here the minute is a rolling 2 seconds of 14 (7 a second, as 400 a minute is 6.7).

    @Test
    @Timeout(120)
    void freshsales() throws Exception {
        int n = 2000;
        QuotaWindow minute = QuotaWindow.hiddenRolling("minute", 14, 2000);
        String path = "/crm/sales/api/contacts/view/31000123456";
        try (VendorFake fake = new VendorFake(List.of(minute), "Authorization", "Token token=" + TestWorkspace.API_KEY, (h, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{\"errors\":{\"code\":429,\"message\":[\"Too many requests\"]}}"),
                (ex, body) -> {
            if (!ex.getRequestURI().getPath().equals(path)) {
                FakeApi.send(ex, 404, "application/json", "{\"errors\":{\"code\":404,\"message\":[\"View not found\"]}}");
                return;
            }
            if (!"updated_at".equals(VendorFake.param(ex, "sort")) || !"asc".equals(VendorFake.param(ex, "sort_type"))) {
                FakeApi.send(ex, 400, "application/json", "{\"errors\":{\"code\":400,\"message\":[\"the URL's own query was lost\"]}}");
                return;
            }
            String perPageParam = VendorFake.param(ex, "per_page");
            int perPage = Math.min(100, perPageParam == null ? 25 : Integer.parseInt(perPageParam));
            String pageParam = VendorFake.param(ex, "page");
            int page = pageParam == null ? 1 : Integer.parseInt(pageParam);
            int from = (page - 1) * perPage;
            StringBuilder b = new StringBuilder("{\"contacts\":[");
            for (int i = from; i < Math.min(n, from + perPage); i++) {
                b.append(i == from ? "" : ",").append("{\"id\":").append(31_000_000_000L + i).append(",\"first_name\":\"C").append(i)
                        .append("\",\"email\":\"c").append(i).append("@example.com\",\"updated_at\":\"2026-11-05T10:00:00+05:30\"}");
            }
            b.append("],\"meta\":{\"total_pages\":").append((n + perPage - 1) / perPage).append(",\"total\":").append(n).append("}}");
            FakeApi.send(ex, 200, "application/json; charset=utf-8", b.toString());
        });
             TestWorkspace ws = ReadySourcesTest.workspace("freshsales", fake.base() + path + "?sort=updated_at&sort_type=asc")) {
            Map<String, String> env = TestWorkspace.envWithKey();
            env.put("LEADPIPE_API_KEY", "token=" + TestWorkspace.API_KEY); // the profile's scheme is Token, the key brings its token=
            ReadySourcesTest.pullCompletely(ws, fake, "freshsales", env,
                    sorted(IntStream.range(0, n).mapToObj(i -> Long.toString(31_000_000_000L + i)).toList()));
            assertThat(fake.requests()).as("20 pages of 100 (total_pages 20), no refusal").isEqualTo(20);
            assertThat(fake.refused()).as("429s: the profile's 5 a second stays under 400 a minute").isZero();
        }
    }

    // ---- Klaviyo (developers.klaviyo.com):
    //      - reference/get_profiles: GET https://a.klaviyo.com/api/profiles, page[size] (default 20, at most 100), the
    //        revision header required; JSON:API {"data":[{"type":"profile","id":…,"attributes":{…}}],"links":{"self":…,
    //        "next":…}} with the cursor in links.next (page%5Bcursor%5D=… as Klaviyo writes it), no next on the last page.
    //      - docs/authenticate_: Authorization: Klaviyo-API-Key <private key>; a missing or wrong key is a 400.
    //      - docs/rate_limits_and_error_handling: per account, fixed windows, a burst second and a steady minute (Get
    //        Profiles 75/s, 750/m); non-429 answers carry the steady window as RateLimit-Limit/-Remaining/-Reset (seconds);
    //        over it 429 with Retry-After and {"errors":[{"status":429,"code":"throttled",…}]}. Here the steady minute is
    //        2 seconds of 5.

    @Test
    @Timeout(120)
    void klaviyo() throws Exception {
        int n = 2000;
        QuotaWindow steady = QuotaWindow.fixed("steady", 5, 2000); // tight enough that a client slowed by a loaded machine still spends it
        List<String> ids = IntStream.range(0, n).mapToObj(i -> String.format("01GDDKASAP%016X", 0x5A0000L + i)).toList();
        String[] base = new String[1];
        try (VendorFake fake = new VendorFake(List.of(steady), "Authorization", "Klaviyo-API-Key pk_" + TestWorkspace.API_KEY, (h, now) -> {
            h.set("RateLimit-Limit", Long.toString(steady.limit));
            h.set("RateLimit-Remaining", Long.toString(steady.remaining(now)));
            h.set("RateLimit-Reset", Long.toString(ReadySourcesTest.secondsUntil(steady.resetMillis(now), now)));
        }, (ex, spent, now) -> {
            // a 429 carries Retry-After, not the RateLimit-* headers
            ex.getResponseHeaders().remove("RateLimit-Limit");
            ex.getResponseHeaders().remove("RateLimit-Remaining");
            ex.getResponseHeaders().remove("RateLimit-Reset");
            ex.getResponseHeaders().set("Retry-After", Long.toString(ReadySourcesTest.secondsUntil(spent.resetMillis(now), now)));
            FakeApi.send(ex, 429, "application/vnd.api+json", "{\"errors\":[{\"id\":\"e1\",\"status\":429,\"code\":\"throttled\","
                    + "\"title\":\"Request was throttled.\",\"detail\":\"Request was throttled. Expected available in 1 second.\"}]}");
        }, (ex, body) -> {
            String revision = String.valueOf(ex.getRequestHeaders().getFirst("revision"));
            if (!revision.matches("\\d{4}-\\d{2}-\\d{2}")) {
                FakeApi.send(ex, 400, "application/vnd.api+json", "{\"errors\":[{\"status\":400,\"code\":\"invalid\",\"detail\":\"Missing or invalid revision header\"}]}");
                return;
            }
            String sizeParam = VendorFake.param(ex, "page[size]");
            int size = sizeParam == null ? 20 : Integer.parseInt(sizeParam);
            if (size < 1 || size > 100) {
                FakeApi.send(ex, 400, "application/vnd.api+json", "{\"errors\":[{\"status\":400,\"code\":\"invalid\",\"detail\":\"page[size] must be between 1 and 100\","
                        + "\"source\":{\"parameter\":\"page[size]\"}}]}");
                return;
            }
            String cursor = VendorFake.param(ex, "page[cursor]");
            int from = cursor == null ? 0 : Integer.parseInt(new String(java.util.Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8).substring("next::".length()));
            int to = Math.min(n, from + size);
            StringBuilder b = new StringBuilder("{\"data\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"type\":\"profile\",\"id\":\"").append(ids.get(i)).append("\",\"attributes\":{\"email\":\"k").append(i)
                        .append("@example.com\",\"first_name\":\"K").append(i).append("\",\"updated\":\"2026-11-05T10:00:00+00:00\"},\"links\":{\"self\":\"")
                        .append(base[0]).append("/api/profiles/").append(ids.get(i)).append("/\"}}");
            }
            String self = base[0] + "/api/profiles";
            b.append("],\"links\":{\"self\":\"").append(self).append("\"");
            if (to < n) {
                String next = java.util.Base64.getEncoder().encodeToString(("next::" + to).getBytes(StandardCharsets.UTF_8));
                b.append(",\"next\":\"").append(self).append("?page%5Bcursor%5D=").append(next.replace("=", "%3D")).append("&page%5Bsize%5D=").append(size).append("\"");
            }
            FakeApi.send(ex, 200, "application/vnd.api+json", b.append("}}").toString());
        })) {
            base[0] = fake.base();
            try (TestWorkspace ws = ReadySourcesTest.workspace("klaviyo", fake.base() + "/api/profiles")) {
                Map<String, String> env = TestWorkspace.envWithKey();
                env.put("LEADPIPE_API_KEY", "pk_" + TestWorkspace.API_KEY);
                ReadySourcesTest.pullCompletely(ws, fake, "klaviyo", env, sorted(ids));
                assertThat(fake.requests() - fake.refused()).as("20 pages of 100").isEqualTo(20);
                assertThat(fake.spentSignals()).as("the steady window spent several times, each waited out").isGreaterThanOrEqualTo(2);
            }
        }
    }

    // ---- ActiveCampaign API v3 (developers.activecampaign.com):
    //      - reference/pagination: limit (default 20, at most 100) and offset, meta.total; for contacts, accounts with
    //        many contacts should page with id_greater and orders[id]=ASC instead of offset.
    //      - reference/authentication: the Api-Token header. reference/list-all-contacts: {"contacts":[{"id":"1",…}],"meta":
    //        {"total":"…"}} (ids and total as strings).
    //      - reference/rate-limits: 5 requests per second per account; RateLimit-Limit and RateLimit-Remaining on answers;
    //        over it 429 with Retry-After (seconds). Here the second allows 3, under the profile's 4 a second.

    @Test
    @Timeout(120)
    void activecampaign() throws Exception {
        int n = 2050;
        QuotaWindow second = QuotaWindow.fixed("second", 3, 1000);
        AtomicInteger offsetUsed = new AtomicInteger();
        try (VendorFake fake = new VendorFake(List.of(second), "Api-Token", TestWorkspace.API_KEY, (h, now) -> {
            h.set("RateLimit-Limit", Long.toString(second.limit));
            h.set("RateLimit-Remaining", Long.toString(second.remaining(now)));
        }, (ex, spent, now) -> {
            ex.getResponseHeaders().set("Retry-After", Long.toString(ReadySourcesTest.secondsUntil(spent.resetMillis(now), now)));
            FakeApi.send(ex, 429, "application/json", "{\"message\":\"Too Many Requests\"}");
        }, (ex, body) -> {
            if (!ex.getRequestURI().getPath().equals("/api/3/contacts") || !"ASC".equals(VendorFake.param(ex, "orders[id]"))) {
                FakeApi.send(ex, 400, "application/json", "{\"errors\":[{\"title\":\"unexpected request " + ex.getRequestURI().getRawQuery() + "\"}]}");
                return;
            }
            if (VendorFake.param(ex, "offset") != null) offsetUsed.incrementAndGet();
            String limitParam = VendorFake.param(ex, "limit");
            int limit = Math.min(100, limitParam == null ? 20 : Integer.parseInt(limitParam));
            String after = VendorFake.param(ex, "id_greater");
            int from = after == null ? 0 : Integer.parseInt(after) - 1000 + 1; // ids 1000, 1001, …: the next after the given one
            int to = Math.min(n, from + limit);
            StringBuilder b = new StringBuilder("{\"scoreValues\":[],\"contacts\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"cdate\":\"2026-01-20T12:00:00-06:00\",\"email\":\"a").append(i)
                        .append("@example.com\",\"firstName\":\"A").append(i).append("\",\"udate\":\"2026-11-05T10:00:00-06:00\",\"id\":\"").append(1000 + i).append("\"}");
            }
            b.append("],\"meta\":{\"total\":\"").append(n - from).append("\",\"page_input\":{\"segmentid\":null,\"formid\":0,\"listid\":0,\"tagid\":0,\"limit\":")
                    .append(limit).append(",\"offset\":0,\"search\":null,\"sort\":null}}}");
            FakeApi.send(ex, 200, "application/json", b.toString());
        });
             TestWorkspace ws = ReadySourcesTest.workspace("activecampaign", fake.base() + "/api/3/contacts?orders[id]=ASC")) {
            ReadySourcesTest.pullCompletely(ws, fake, "activecampaign", TestWorkspace.envWithKey(),
                    sorted(IntStream.range(0, n).mapToObj(i -> Integer.toString(1000 + i)).toList()));
            assertThat(fake.requests() - fake.refused()).as("21 pages by id, the last short").isEqualTo(21);
            assertThat(offsetUsed.get()).as("requests paging by offset").isZero();
            assertThat(fake.spentSignals()).as("the second spent several times, each waited out").isGreaterThanOrEqualTo(2);
        }
    }
}
