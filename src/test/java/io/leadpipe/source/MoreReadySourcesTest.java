package io.leadpipe.source;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.QuotaWindow;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.testing.VendorFake;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * More ready profiles (profiles/*.properties), each pulled completely and duplicate-free from a fake of its
 * vendor written from the vendor's public documentation (cited per vendor below), with the quota shortened to
 * a second: no request goes into a window the fake announced as spent. Like {@link ReadySourcesTest}.
 */
class MoreReadySourcesTest {

    /** Runs the source's one job with the key {@code key}; every expected id stored once, nothing sent into a spent window. */
    private static void pullCompletely(TestWorkspace ws, VendorFake fake, String vendor, String key, Set<String> expected) throws Exception {
        Map<String, String> env = TestWorkspace.envWithKey();
        env.put("LEADPIPE_API_KEY", key);
        ReadySourcesTest.pullCompletely(ws, fake, vendor, env, expected);
    }

    // ---- Close: GET /api/v1/lead/?_skip=&_limit= (≤ 100), {"data":[…],"has_more":…}
    //      (developer.close.com/api/overview/pagination.md); HTTP Basic, the API key as user, empty password
    //      (developer.close.com/api/overview/api-key-authentication.md); per endpoint group and key, every answer
    //      carries "ratelimit: limit=, remaining=, reset=<seconds>", spent: 429 with {"error":{"rate_reset":…}}
    //      (developer.close.com/topics/rate-limits). Here the key's window is 3 requests a second.

    @Test
    @Timeout(120)
    void close() throws Exception {
        int n = 2000;
        QuotaWindow perSecond = QuotaWindow.fixed("endpoint group", 3, 1000); // tight enough that a client slowed by a loaded machine still spends it
        List<String> ids = IntStream.range(0, n).mapToObj(i -> String.format("lead_%020d", i)).toList();
        String apiKey = "api_7f3aCloseKey";
        String credential = Base64.getEncoder().encodeToString((apiKey + ":").getBytes(StandardCharsets.UTF_8));
        try (VendorFake fake = new VendorFake(List.of(perSecond), "Authorization", "Basic " + credential,
                (h, now) -> h.set("ratelimit", String.format(Locale.ROOT, "limit=%d, remaining=%d, reset=%.3f",
                        perSecond.limit, perSecond.remaining(now), (perSecond.resetMillis(now) - now) / 1000.0)),
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", String.format(Locale.ROOT,
                        "{\"error\":{\"rate_reset\":%.3f,\"message\":\"API call count exceeded for this time period\",\"rate_limit\":%d,"
                                + "\"rate_window\":1}}", (spent.resetMillis(now) - now) / 1000.0, spent.limit)),
                (ex, body) -> {
                    String limitParam = VendorFake.param(ex, "_limit");
                    String skipParam = VendorFake.param(ex, "_skip");
                    int limit = limitParam == null ? 100 : Integer.parseInt(limitParam);
                    int skip = skipParam == null ? 0 : Integer.parseInt(skipParam);
                    if (limit < 1 || limit > 100) {
                        FakeApi.send(ex, 400, "application/json", "{\"error\":\"_limit must be between 1 and 100\"}");
                        return;
                    }
                    int to = Math.min(n, skip + limit);
                    StringBuilder b = new StringBuilder("{\"has_more\":").append(to < n).append(",\"data\":[");
                    for (int i = skip; i < to; i++) {
                        b.append(i == skip ? "" : ",").append("{\"id\":\"").append(ids.get(i)).append("\",\"display_name\":\"Acme ").append(i)
                                .append("\",\"contacts\":[{\"emails\":[{\"email\":\"c").append(i).append("@example.com\"}]}]}");
                    }
                    FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
                });
             TestWorkspace ws = ReadySourcesTest.workspace("close", fake.base() + "/api/v1/lead/")) {
                        pullCompletely(ws, fake, "close", credential, ids.stream().collect(Collectors.toCollection(TreeSet::new)));
            assertThat(fake.requests() - fake.refused()).isEqualTo(n / 100);
            assertThat(fake.spentSignals()).as("the quota was the limit several times").isGreaterThanOrEqualTo(2);
        }
    }

    // ---- Intercom: GET /contacts?per_page= (≤ 150), {"type":"list","data":[…],"total_count":N,"pages":{"next":
    //      {"page":2,"starting_after":"<opaque>"},…}}, no "next" on the last page; the next request sends starting_after
    //      (developers.intercom.com/docs/references/2.2/rest-api/common-structures/pagination-cursor); Bearer token and
    //      an Intercom-Version header; X-RateLimit-Limit/-Remaining/-Reset (epoch seconds) per 10-second window, 429
    //      rate_limit_exceeded when spent (developers.intercom.com/docs/references/2.17/rest-api/errors/rate-limiting).
    //      Here the window is a second of 3 requests.

    @Test
    @Timeout(120)
    void intercom() throws Exception {
        int n = 2000;
        QuotaWindow window = QuotaWindow.fixed("10 seconds", 3, 1000); // tight enough that a client slowed by a loaded machine still spends it
        List<String> ids = IntStream.range(0, n).mapToObj(i -> String.format("6%023x", i)).toList();
        try (VendorFake fake = new VendorFake(List.of(window), "Authorization", "Bearer " + TestWorkspace.API_KEY, (h, now) -> {
            h.set("X-RateLimit-Limit", Long.toString(window.limit));
            h.set("X-RateLimit-Remaining", Long.toString(window.remaining(now)));
            h.set("X-RateLimit-Reset", Long.toString((window.resetMillis(now) + 999) / 1000));
        }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{\"type\":\"error.list\",\"errors\":[{\"code\":\"rate_limit_exceeded\","
                + "\"message\":\"Exceeded rate limit of 3 in 10_seconds\"}]}"), (ex, body) -> {
            if (!"2.11".equals(ex.getRequestHeaders().getFirst("Intercom-Version"))) {
                FakeApi.send(ex, 400, "application/json", "{\"type\":\"error.list\",\"errors\":[{\"code\":\"intercom_version_invalid\"}]}");
                return;
            }
            String perPage = VendorFake.param(ex, "per_page");
            int size = perPage == null ? 50 : Integer.parseInt(perPage);
            if (size < 1 || size > 150) {
                FakeApi.send(ex, 400, "application/json", "{\"type\":\"error.list\",\"errors\":[{\"code\":\"parameter_invalid\",\"message\":\"per_page is too big\"}]}");
                return;
            }
            String after = VendorFake.param(ex, "starting_after");
            int from = after == null ? 0 : Integer.parseInt(new String(Base64.getDecoder().decode(after), StandardCharsets.UTF_8));
            int to = Math.min(n, from + size);
            StringBuilder b = new StringBuilder("{\"type\":\"list\",\"data\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"type\":\"contact\",\"id\":\"").append(ids.get(i)).append("\",\"role\":\"user\",\"email\":\"u")
                        .append(i).append("@example.com\"}");
            }
            b.append("],\"total_count\":").append(n).append(",\"pages\":{\"type\":\"pages\",");
            if (to < n) {
                b.append("\"next\":{\"page\":").append(to / size + 1).append(",\"starting_after\":\"")
                        .append(Base64.getEncoder().encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8))).append("\"},");
            }
            b.append("\"page\":").append(from / size + 1).append(",\"per_page\":").append(size).append(",\"total_pages\":").append((n + size - 1) / size).append("}}");
            FakeApi.send(ex, 200, "application/json", b.toString());
        });
             TestWorkspace ws = ReadySourcesTest.workspace("intercom", fake.base() + "/contacts")) {
            ws.settings.put("leadpipe.source.intercom.page-size", "100"); // 20 pages, so the window is spent several times
            pullCompletely(ws, fake, "intercom", TestWorkspace.API_KEY, ids.stream().collect(Collectors.toCollection(TreeSet::new)));
            assertThat(fake.requests() - fake.refused()).isEqualTo(n / 100);
            assertThat(fake.spentSignals()).as("the quota was the limit several times").isGreaterThanOrEqualTo(2);
        }
    }

    // ---- Attio: POST /v2/objects/people/records/query with {"limit":…,"offset":…} (docs.attio.com/rest-api/guides/
    //      pagination.md: a page shorter than the limit is the last; offset += limit), records under /data with the id
    //      at /id/record_id; Bearer token; 100 reads/s and no quota headers: a 429 with Retry-After as an HTTP date
    //      (usually the next second) and a rate_limit_error body (docs.attio.com/rest-api/guides/rate-limiting). Here
    //      the read limit is 5 a second, the profile's 80/s far above it: the key learns the rate.

    @Test
    @Timeout(120)
    void attio() throws Exception {
        int n = 2050; // not a multiple of the page: the last page is short
        QuotaWindow reads = QuotaWindow.hiddenRolling("reads", 5, 1000);
        List<String> ids = IntStream.range(0, n).mapToObj(i -> java.util.UUID.nameUUIDFromBytes(("p" + i).getBytes(StandardCharsets.UTF_8)).toString()).toList();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (VendorFake fake = new VendorFake(List.of(reads), "Authorization", "Bearer " + TestWorkspace.API_KEY, (h, now) -> { },
                (ex, spent, now) -> {
                    long at = (spent.resetMillis(now) + 999) / 1000; // a whole second, never before the window frees
                    ex.getResponseHeaders().set("Retry-After", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                            .format(java.time.Instant.ofEpochSecond(at).atZone(java.time.ZoneOffset.UTC)));
                    FakeApi.send(ex, 429, "application/json", "{\"status_code\":429,\"type\":\"rate_limit_error\",\"code\":\"rate_limit_exceeded\","
                            + "\"message\":\"Rate limit exceeded, please try again later\"}");
                }, (ex, body) -> {
            if (!"POST".equals(ex.getRequestMethod())) {
                FakeApi.send(ex, 405, "application/json", "{\"status_code\":405}");
                return;
            }
            com.fasterxml.jackson.databind.JsonNode q = json.readTree(body.isEmpty() ? "{}" : body);
            int limit = q.path("limit").asInt(500);
            int offset = q.path("offset").asInt(0);
            int to = Math.min(n, offset + limit);
            StringBuilder b = new StringBuilder("{\"data\":[");
            for (int i = offset; i < to; i++) {
                b.append(i == offset ? "" : ",").append("{\"id\":{\"workspace_id\":\"w1\",\"object_id\":\"people\",\"record_id\":\"").append(ids.get(i))
                        .append("\"},\"values\":{\"email_addresses\":[{\"email_address\":\"p").append(i).append("@example.com\"}]}}");
            }
            FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
        });
             TestWorkspace ws = ReadySourcesTest.workspace("attio", fake.base() + "/v2/objects/people/records/query")) {
            ws.settings.put("leadpipe.source.attio.page-size", "100"); // 21 pages
            pullCompletely(ws, fake, "attio", TestWorkspace.API_KEY, ids.stream().collect(Collectors.toCollection(TreeSet::new)));
            assertThat(fake.requests() - fake.refused()).as("21 pages, the last short").isEqualTo(21);
            assertThat(fake.refused()).as("429s: the rate is learned from the first").isBetween(1, 3);
        }
    }
}
