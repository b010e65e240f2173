package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.monitor.MonitoringTest;
import io.leadpipe.testing.TestWorkspace;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-source static headers (Accept, X-GitHub-Api-Version, Stripe-Version…) and secret ones (from an
 * environment variable or a file) go out with every request, on the wire; a secret one is scrubbed by value
 * even when the API echoes it back, and configuration mistakes stop leadpipe before anything is opened.
 */
class StaticHeadersTest {

    private static final String ENV_SECRET = "partner-token-5d81c2e0";
    private static final String FILE_SECRET = "file-token-93ab44f1";

    @Test
    void staticAndSecretHeadersGoWithEveryRequestAndAnEchoedSecretIsScrubbed() throws Exception {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        try (TestWorkspace ws = new TestWorkspace(); MonitoringTest.CapturedLog log = new MonitoringTest.CapturedLog();
             FakeApi api = new FakeApi((HttpExchange ex, int n) -> {
                 seen.add(ex.getRequestHeaders().entrySet().stream().collect(Collectors.toMap(e -> e.getKey().toLowerCase(), e -> e.getValue().get(0), (a, b) -> a)));
                 if (n <= 2) {
                     FakeApi.send(ex, 200, "application/json", FakeApi.page((n - 1) * 100, 100, "\"c" + n + "\"", 500));
                 } else {
                     // some APIs quote the credentials they refuse
                     FakeApi.send(ex, 401, "application/json", "{\"error\":\"bad partner token " + ex.getRequestHeaders().getFirst("X-Partner-Token")
                             + " / " + ex.getRequestHeaders().getFirst("X-File-Token") + "\"}");
                 }
             })) {
            api.serve(ws);
            Path tokenFile = ws.dir.resolve("file-token");
            Files.writeString(tokenFile, FILE_SECRET + "\n");
            String p = "leadpipe.source.leads-api.";
            ws.settings.put(p + "header.Accept", "application/vnd.github+json");
            ws.settings.put(p + "header.X-GitHub-Api-Version", "2022-11-28");
            ws.settings.put(p + "secret-header.X-Partner-Token", "env:LEADPIPE_TEST_PARTNER_TOKEN");
            ws.settings.put(p + "secret-header.X-File-Token", "file:" + tokenFile);
            Map<String, String> env = TestWorkspace.envWithKey();
            env.put("LEADPIPE_TEST_PARTNER_TOKEN", ENV_SECRET);

            TestWorkspace.CliResult run = ws.cli(env, "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
            assertThat(seen).as("requests").hasSize(3);
            for (Map<String, String> h : seen) {
                assertThat(h).as("on the wire").containsEntry("accept", "application/vnd.github+json").containsEntry("x-github-api-version", "2022-11-28")
                        .containsEntry("x-partner-token", ENV_SECRET).containsEntry("x-file-token", FILE_SECRET)
                        .containsEntry("x-api-key", TestWorkspace.API_KEY);
            }
            String error = (String) ws.checkpoint("all-leads").get("error");
            assertThat(error).as("the API's answer is quoted, scrubbed").contains("bad partner token **** / ****");
            String report;
            try (Stream<Path> files = Files.list(ws.dir.resolve("reports"))) {
                report = files.map(f -> {
                    try {
                        return Files.readString(f);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).collect(Collectors.joining("\n"));
            }
            for (String written : List.of(run.out(), run.err(), log.text(), error, report)) {
                assertThat(written).doesNotContain(ENV_SECRET).doesNotContain(FILE_SECRET);
            }
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "leadpipe.source.leads-api.secret-header.X-Token | s3cr3t-in-a-file-0042 | must be env:VARIABLE or file:PATH",
            "leadpipe.source.leads-api.secret-header.X-Token | env:LEADPIPE_TEST_NOT_SET | the environment variable LEADPIPE_TEST_NOT_SET is not set",
            "leadpipe.source.leads-api.secret-header.X-Token | file:/nonexistent/token | cannot read /nonexistent/token",
            "leadpipe.source.leads-api.header.X-API-Key      | abc | would replace the API key's header X-API-Key",
            "leadpipe.source.leads-api.header.Host           | example.com | sets Host, which the HTTP client writes itself",
            "leadpipe.source.crm9.header.Accept              | application/json | there is no source 'crm9' in leadpipe.sources",
            "leadpipe.source.leads-api.headr.Accept          | application/json | unknown setting leadpipe.source.leads-api.headr.Accept",
    })
    void aHeaderSettingThatCannotBeUsedStopsBeforeAnythingIsOpened(String key, String value, String message) throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // the check below is that leadpipe itself creates no database
            ws.settings.put("leadpipe.source.leads-api.url", "http://127.0.0.1:9/v1/leads");
            ws.settings.put(key, value);

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
            assertThat(run.err()).contains(message);
            assertThat(run.err()).as("a secret written in a file is not repeated").doesNotContain("s3cr3t-in-a-file-0042");
            assertThat(ws.dir.resolve("db")).as("nothing created").doesNotExist();
        }
    }
}
