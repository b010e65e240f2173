package io.leadpipe.http;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Answers that no retry can fix fail the job at once with a line that says what came back: HTML with
 * status 200, next-page links that are not URLs we may call, a next cursor that is an object or an array.
 */
class BadAnswersTest {

    static TestWorkspace workspace() throws Exception {
        TestWorkspace ws = new TestWorkspace();
        ws.settings.put("leadpipe.retry.max-retries", "3");
        ws.settings.put("leadpipe.retry.base-delay-ms", "20");
        return ws;
    }

    static String failedOnce(TestWorkspace ws, FakeApi api, int requestsExpected) throws Exception {
        TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(api.requests.get()).as("requests: the bad answer was not asked for again").isEqualTo(requestsExpected);
        Map<String, Object> cp = ws.checkpoint("all-leads");
        assertThat(cp.get("status")).isEqualTo("FAILED");
        String error = String.valueOf(cp.get("error"));
        assertThat(error).doesNotContain("NullPointerException").doesNotContain(TestWorkspace.API_KEY);
        return error;
    }

    @Test
    void htmlWithStatus200FailsAtOnceSayingWhatCameBack() throws Exception {
        try (TestWorkspace ws = workspace(); FakeApi api = new FakeApi((ex, n) -> {
            if (n == 1) {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"p2\"", 30));
                return;
            }
            String key = ex.getRequestHeaders().getFirst("X-API-Key");
            FakeApi.send(ex, 200, "text/html; charset=utf-8", "<!DOCTYPE html>\n<html><body><h1>Sign in</h1><p>session for " + key
                    + " expired, dear carol@example.com</p>" + "<div>padding</div>".repeat(40) + "</body></html>");
        }).serve(ws)) {
            String error = failedOnce(ws, api, 2);
            assertThat(error).contains("GET " + api.url() + "?limit=100&cursor=p2").contains("HTTP 200").contains("Content-Type text/html; charset=utf-8")
                    .contains("<!DOCTYPE html> <html><body><h1>Sign in</h1>").contains("session for ****").contains("<e-mail>")
                    .doesNotContain("JsonParseException").doesNotContain("</body>");
        }
    }

    @Test
    void aJsonContentTypeWithAnHtmlBodyFailsAtOnceToo() throws Exception {
        try (TestWorkspace ws = workspace(); FakeApi api = new FakeApi((ex, n) -> FakeApi.send(ex, 200, "application/json", "<html>maintenance</html>")).serve(ws)) {
            assertThat(failedOnce(ws, api, 1)).contains("Content-Type application/json and a body that is not JSON").contains("<html>maintenance</html>");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "http:///x                       | names no host",
            "/v1/leads?after=a b             | is not a valid URL",
            "http://user:pass@HOST/v1/leads?after=10 | carries a user name or password",
            "ftp://HOST/v1/leads             | is not an http(s) URL"})
    void aMalformedNextPageLinkFailsWithAClearMessage(String link, String why) throws Exception {
        try (TestWorkspace ws = workspace(); FakeApi api = new FakeApi((ex, n) -> {
            String host = ex.getRequestHeaders().getFirst("Host");
            String next = link.replace("HOST", host);
            String page = FakeApi.page(0, 10, "null", 30);
            FakeApi.send(ex, 200, "application/json", page.substring(0, page.length() - 1) + ",\"links\":{\"next\":\"" + next + "\"}}");
        }).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.paging", "next-url");
            ws.settings.put("leadpipe.source.leads-api.next-url-pointer", "/links/next");
            String error = failedOnce(ws, api, 1);
            assertThat(error).contains("next-page link").contains(why);
            assertThat(ws.checkpoint("all-leads").get("next_cursor")).as("nothing was stored past the bad link").isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"after\":\"L10\"}", "[\"L10\"]"})
    void aNextCursorThatIsAnObjectOrArrayIsAnErrorNotTheLastPage(String cursor) throws Exception {
        try (TestWorkspace ws = workspace(); FakeApi api = new FakeApi((ex, n) -> FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, cursor, 30))).serve(ws)) {
            String error = failedOnce(ws, api, 1);
            assertThat(error).contains("/meta/next_cursor").contains(cursor.startsWith("{") ? "JSON object" : "JSON array");
        }
    }
}
