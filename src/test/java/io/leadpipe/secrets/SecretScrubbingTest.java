package io.leadpipe.secrets;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import com.sun.net.httpserver.HttpExchange;
import io.leadpipe.monitor.JobCounters;
import io.leadpipe.monitor.ProgressReport;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.secrets.Secrets;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An API that echoes the key (as some do in 401/500 texts) and quotes a lead URL-encoded, with cursors
 * that are e-mail addresses: nothing leadpipe writes — output, log, report, checkpoint error, status —
 * holds the key or an address in clear.
 */
class SecretScrubbingTest {

    static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._+-]+(@|%40)[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    static final String DB_PASSWORD = "db-pass-Quux-2931";

    /** Page 1 names an e-mail as the next cursor; page 2 is a 401 whose text repeats the key and a lead. */
    static void echoingApi(HttpExchange ex, int n) throws Exception {
        String query = ex.getRequestURI().getRawQuery();
        String key = ex.getRequestHeaders().getFirst("X-API-Key");
        if (query == null || !query.contains("cursor=")) {
            FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"carol@example.com\"", 30));
        } else {
            FakeApi.send(ex, 401, "application/json", "{\"error\":\"invalid key " + key + " (header X-API-Key: " + key
                    + ") for request ?" + query + " by dave%40example.org\"}");
        }
    }

    @Test
    void anEchoedKeyAndEmailAddressesAreWrittenNowhere() throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi(SecretScrubbingTest::echoingApi).serve(ws)) {
            if (!TestWorkspace.postgres()) ws.settings.put("leadpipe.db.password", DB_PASSWORD);
            System.setOut(new PrintStream(logs, true, StandardCharsets.UTF_8));
            TestWorkspace.CliResult run;
            TestWorkspace.CliResult status;
            try {
                run = ws.cli(TestWorkspace.envWithKey(), "run");
                status = ws.cli(TestWorkspace.envWithKey(), "status");
            } finally {
                System.setOut(console);
            }
            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
            assertThat(api.requests.get()).as("page 1, then the 401 (not retried)").isEqualTo(2);

            Map<String, Object> cp = ws.checkpoint("all-leads");
            String error = String.valueOf(cp.get("error"));
            String report = Files.readString(ws.dir.resolve("reports/all-leads.json"));
            Map<String, String> written = Map.of("run output", run.out() + run.err(), "log", logs.toString(StandardCharsets.UTF_8),
                    "report", report, "checkpoint error", error, "status", status.out() + status.err());
            written.forEach((where, text) -> {
                assertThat(text).as(where + " holds the API key").doesNotContain(TestWorkspace.API_KEY);
                assertThat(EMAIL.matcher(text).find()).as(where + " holds an e-mail address:\n" + text).isFalse();
            });
            assertThat(error).as("the reason is still told").contains("HTTP 401").contains("invalid key ****").contains("<e-mail>");
            assertThat(report).contains("invalid key ****");
            assertThat(logs.toString(StandardCharsets.UTF_8)).contains("FAILED").contains("invalid key ****");
            assertThat(status.out()).as("the e-mail cursor, masked").contains("<e-mail>").contains("invalid key ****");
            assertThat(cp.get("next_cursor")).as("the checkpoint itself keeps the real cursor to resume from").isEqualTo("carol@example.com");
            if (!TestWorkspace.postgres()) assertThat(Secrets.scrub("password " + DB_PASSWORD)).isEqualTo("password ****");
        }
    }

    static final String DOTNET_KEY = "sk_live/Zq9+Xw7=Mn4pLk2";

    /** Page 1, then a 500 whose JSON escapes the key as .NET does by default ('+' as \\u002B). */
    static void dotNetEchoingApi(HttpExchange ex, int n) throws Exception {
        if (n == 1) {
            FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"c-2\"", 30));
        } else {
            FakeApi.send(ex, 500, "application/json; charset=utf-8", "{\"detail\":\"key sk_live/Zq9\\u002BXw7=Mn4pLk2 is not valid here\"}");
        }
    }

    @Test
    void aKeyEchoedWithJsonUnicodeEscapesIsWrittenNowhere() throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi(SecretScrubbingTest::dotNetEchoingApi).serve(ws)) {
            ws.settings.put("leadpipe.retry.max-retries", "1");
            ws.settings.put("leadpipe.retry.base-delay-ms", "1");
            Map<String, String> env = TestWorkspace.envWithKey();
            env.put("LEADPIPE_API_KEY", DOTNET_KEY);
            System.setOut(new PrintStream(logs, true, StandardCharsets.UTF_8));
            TestWorkspace.CliResult run;
            TestWorkspace.CliResult status;
            try {
                run = ws.cli(env, "run");
                status = ws.cli(env, "status");
            } finally {
                System.setOut(console);
            }
            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
            String error = String.valueOf(ws.checkpoint("all-leads").get("error"));
            String report = Files.readString(ws.dir.resolve("reports/all-leads.json"));
            Map<String, String> written = Map.of("run output", run.out() + run.err(), "log", logs.toString(StandardCharsets.UTF_8),
                    "report", report, "checkpoint error", error, "status", status.out() + status.err());
            written.forEach((where, text) -> assertThat(text).as(where + " holds the key, escaped").doesNotContain("Mn4pLk2").doesNotContain("Zq9"));
            assertThat(error).as("the reason is still told").contains("HTTP 500").contains("key ****");
        }
    }

    @Test
    void progressLinesNeverShowACursorThatIsAnEmailAddress() {
        JobCounters counters = new JobCounters();
        JobCounters.Counts c = counters.of("emails");
        c.running = true;
        c.startedAt = System.currentTimeMillis();
        c.page = 3;
        c.cursor = "frank%40example.com";
        String line = String.join("\n", new ProgressReport(counters, new RateLimits()).lines());
        assertThat(line).contains("job=emails page=3").contains("next=<e-mail>").doesNotContain("example.com");
    }
}
