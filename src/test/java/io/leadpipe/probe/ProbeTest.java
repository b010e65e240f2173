package io.leadpipe.probe;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `probe SOURCE` / `probe --job JOB`: one request through a pull's own page fetch, nothing stored, and what
 * leadpipe understood of the answer — with a non-zero exit when a full pull could not work.
 */
class ProbeTest {

    @Test
    void aGoodSourceShowsWhatAPullWouldUseAfterOneRequestAndStoresNothing() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(simulator("envelope"));

            TestWorkspace.CliResult probe = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");

            assertThat(probe.exitCode()).as("exit code; output:\n%s%s", probe.out(), probe.err()).isZero();
            assertThat(probe.out())
                    .contains("request         GET " + ws.simulator.leadsUrl() + "?limit=100")
                    .contains("X-API-Key: ****")
                    .contains("status          200")
                    .contains("records         100 at /data")
                    .contains("first id        L0000001 (at /id)")
                    .containsPattern("next            cursor=\\S+ \\(paging cursor\\)")
                    .contains("total           250 (at /meta/total)")
                    .containsPattern("quota           599 of 600 left, resets in \\d")
                    .contains("style X-RateLimit (X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset: reset")
                    .contains("rate rules      none: only 429 means slow down")
                    .contains("retries         429, 500, 502, 503, 504")
                    .contains("result          OK — a full pull can work: 100 records per page");
            assertThat(probe.out() + probe.err()).doesNotContain(TestWorkspace.API_KEY);
            assertThat(ws.simulator.stats().requests()).as("one request").isEqualTo(1);
            nothingWritten(ws);
        }
    }

    @Test
    void aJobIsProbedWithItsSourceAndFiltersByGetAndByPost() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = simulator("envelope");
            ws.startSimulator(c);
            ws.jobs(TestWorkspace.job("germany", "country=DE"));

            TestWorkspace.CliResult get = ws.cli(TestWorkspace.envWithKey(), "probe", "--job", "germany");

            assertThat(get.exitCode()).as("exit code; output:\n%s%s", get.out(), get.err()).isZero();
            assertThat(get.out()).contains("probe: source leads-api, job germany (filters country=DE)")
                    .contains("request         GET " + ws.simulator.leadsUrl() + "?limit=100&country=DE");

            c.method = "POST"; // a search endpoint: the paging fields and filters in a JSON body
            ws.settings.put("leadpipe.source.leads-api.method", "POST");
            TestWorkspace.CliResult post = ws.cli(TestWorkspace.envWithKey(), "probe", "--job", "germany");

            assertThat(post.exitCode()).as("exit code; output:\n%s%s", post.out(), post.err()).isZero();
            assertThat(post.out()).contains("request         POST " + ws.simulator.leadsUrl() + "\n")
                    .contains("request body    {\"limit\":100,\"country\":\"DE\"}")
                    .contains("Content-Type: application/json")
                    .contains("total           32 (at /meta/total)") // the filter went in the body
                    .contains("result          OK — a full pull can work: 32 records, ids at /id, and this page is the last");
            assertThat(ws.simulator.stats().requests()).as("one request per probe").isEqualTo(2);
            nothingWritten(ws);
        }
    }

    /**
     * The one source that opens the database: a provider may rotate a refresh token when it is used, and the
     * pull after the probe must find the new one.
     */
    @Test
    void aRefreshTokenSourceKeepsItsRotatedTokenSoThePullAfterTheProbeWorks() throws Exception {
        SimulatorConfig c = simulator("envelope");
        c.auth = "oauth2";
        c.oauthClientId = "leadpipe-probe";
        c.oauthClientSecret = "cs-" + java.util.UUID.randomUUID();
        c.oauthRefreshToken = "rt-seed-" + java.util.UUID.randomUUID();
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            String a = "leadpipe.source.leads-api.auth.";
            ws.settings.put("leadpipe.source.leads-api.auth", "oauth2-refresh-token");
            ws.settings.put(a + "token-url", ws.simulator.tokenUrl());
            ws.settings.put(a + "client-id", c.oauthClientId);
            ws.settings.put(a + "client-secret-env", "PROBE_CLIENT_SECRET");
            Map<String, String> env = new java.util.HashMap<>(TestWorkspace.envWithKey());
            env.put("PROBE_CLIENT_SECRET", c.oauthClientSecret);
            env.put("LEADPIPE_LEADS_API_REFRESH_TOKEN", c.oauthRefreshToken);

            TestWorkspace.CliResult probe = ws.cli(env, "probe", "leads-api");

            assertThat(probe.exitCode()).as("output:\n%s%s", probe.out(), probe.err()).isZero();
            assertThat(probe.out()).contains("Authorization: Bearer ****").contains("records         100 at /data");
            String rotated = ws.simulator.oauth().currentRefreshToken();
            assertThat(rotated).as("the provider rotated the refresh token").isNotEqualTo(c.oauthRefreshToken);
            assertThat(probe.out() + probe.err()).doesNotContain(c.oauthClientSecret).doesNotContain(c.oauthRefreshToken).doesNotContain(rotated);

            TestWorkspace.CliResult run = ws.cli(env, "run");

            assertThat(run.exitCode()).as("the pull after the probe; output:\n%s%s", run.out(), run.err()).isZero();
            assertThat(ws.simulator.oauth().refusedGrants.get()).as("no spent refresh token offered").isZero();
            assertThat(ws.storedLeadKeys()).hasSize(250);
        }
    }

    @Test
    void aWrongRecordsPointerFailsAndSuggestsTheArraysInTheAnswer() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(simulator("nested")); // {"results":[{"id":…,"properties":{…}}], …}

            TestWorkspace.CliResult probe = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");

            assertThat(probe.exitCode()).as("output:\n%s%s", probe.out(), probe.err()).isEqualTo(1);
            assertThat(probe.out()).contains("records         none: no records array at /data (leadpipe.source.leads-api.records-pointer)")
                    .contains("arrays found    /results (100 items)")
                    .containsPattern("result          FAIL — .*no records array at /data.* — try records-pointer = /results");
            assertThat(ws.simulator.stats().requests()).as("not retried").isEqualTo(1);
            nothingWritten(ws);
        }
    }

    @Test
    void anArrayAtAnotherPointerIsSuggestedAndARecordWithoutItsIdFails() throws Exception {
        String body = "{\"response\":{\"items\":[{\"uid\":\"a1\",\"name\":\"x\"},{\"uid\":\"a2\"},{\"uid\":\"a3\"}],\"count\":3},\"tags\":[\"new\"]}";
        try (TestWorkspace ws = new TestWorkspace();
             FakeApi api = new FakeApi((ex, n) -> {
                 ex.getResponseHeaders().set("X-HubSpot-RateLimit-Max", "100");
                 ex.getResponseHeaders().set("X-HubSpot-RateLimit-Remaining", "97");
                 FakeApi.send(ex, 200, "application/json", body);
             }).serve(ws)) {
            TestWorkspace.CliResult wrongPointer = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");

            assertThat(wrongPointer.exitCode()).as("output:\n%s", wrongPointer.out()).isEqualTo(1);
            assertThat(wrongPointer.out()).contains("arrays found    /response/items (3 items)")
                    .contains("/tags (1 item, not objects)")
                    .contains("try records-pointer = /response/items")
                    .contains("quota           no X-RateLimit or IETF RateLimit headers in the answer")
                    .containsIgnoringCase("not read        X-HubSpot-RateLimit-Max, X-HubSpot-RateLimit-Remaining");

            ws.settings.put("leadpipe.source.leads-api.records-pointer", "/response/items");
            TestWorkspace.CliResult noId = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");

            assertThat(noId.exitCode()).as("output:\n%s", noId.out()).isEqualTo(1);
            assertThat(noId.out()).contains("records         3 at /response/items")
                    .contains("first record    no id at /id; fields that look like one: /uid")
                    .containsPattern("result          FAIL — .*a record on page 1 has no id at /id \\(check leadpipe.source.leads-api.id-pointer\\)");

            ws.settings.put("leadpipe.source.leads-api.id-pointer", "/uid");
            ws.settings.put("leadpipe.source.leads-api.quota.window.limit-header", "X-HubSpot-RateLimit-Max");
            ws.settings.put("leadpipe.source.leads-api.quota.window.remaining-header", "X-HubSpot-RateLimit-Remaining");
            ws.settings.put("leadpipe.source.leads-api.quota.window.interval", "10s");
            TestWorkspace.CliResult good = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");

            assertThat(good.exitCode()).as("output:\n%s", good.out()).isZero();
            assertThat(good.out()).contains("first id        a1 (at /uid)")
                    .contains("window: 97 of 100 left per 10 s (rolling)")
                    .doesNotContain("not read");
            assertThat(api.requests.get()).as("one request per probe").isEqualTo(3);
            nothingWritten(ws);
        }
    }

    @Test
    void aWrongKeyIsA401AndFails() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(simulator("envelope"));
            String wrongKey = "wrong-key-31415";

            TestWorkspace.CliResult probe = ws.cli(Map.of("LEADPIPE_API_KEY", wrongKey), "probe", "leads-api");

            assertThat(probe.exitCode()).as("output:\n%s%s", probe.out(), probe.err()).isEqualTo(1);
            assertThat(probe.out()).contains("status          401")
                    .contains("result          FAIL — HTTP 401 for GET " + ws.simulator.leadsUrl() + "?limit=100 — the API refused the key");
            assertThat(probe.out() + probe.err()).doesNotContain(wrongKey);
            assertThat(ws.simulator.stats().requests()).isEqualTo(1);
            nothingWritten(ws);
        }
    }

    @Test
    void aRateLimitRuleIsShownAndAnAnswerItMatchesIsARateLimitNotAFailureOfTheKey() throws Exception {
        try (TestWorkspace ws = new TestWorkspace();
             FakeApi api = new FakeApi((ex, n) -> {
                 ex.getResponseHeaders().set("X-RateLimit-Limit", "60");
                 ex.getResponseHeaders().set("X-RateLimit-Remaining", "0");
                 ex.getResponseHeaders().set("X-RateLimit-Reset", Long.toString(System.currentTimeMillis() / 1000 + 120));
                 FakeApi.send(ex, 403, "application/json", "{\"message\":\"API rate limit exceeded\"}");
             }).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.rate-limit-rules", "status=403 header=X-RateLimit-Remaining:0 wait=reset");
            ws.settings.put("leadpipe.source.leads-api.header.Accept", "application/vnd.github+json");
            ws.settings.put("leadpipe.source.leads-api.secret-header.X-Org-Token", "env:ORG_TOKEN");
            Map<String, String> env = new java.util.HashMap<>(TestWorkspace.envWithKey());
            env.put("ORG_TOKEN", "org-token-27182818");

            TestWorkspace.CliResult probe = ws.cli(env, "probe", "leads-api");

            assertThat(probe.exitCode()).as("output:\n%s", probe.out()).isEqualTo(1);
            assertThat(probe.out()).contains("status          403")
                    .contains("Accept: application/vnd.github+json")
                    .contains("X-Org-Token: ****")
                    .contains("quota           0 of 60 left, resets in")
                    .contains("rate rules      status=403 header=X-RateLimit-Remaining:0 wait=reset")
                    .containsPattern("result          FAIL — rate limited: HTTP 403 \\(rate-limit rule 'status=403 header=X-RateLimit-Remaining:0 wait=reset'\\); a pull would wait (\\d+ s|2 min 0 s) and retry");
            assertThat(probe.out() + probe.err()).doesNotContain("org-token-27182818").doesNotContain(TestWorkspace.API_KEY);
            assertThat(api.requests.get()).isEqualTo(1);
            nothingWritten(ws);
        }
    }

    @Test
    void anAnswerThatIsNotJsonOrNoAnswerAtAllFails() throws Exception {
        try (TestWorkspace ws = new TestWorkspace();
             FakeApi api = new FakeApi((ex, n) -> FakeApi.send(ex, 200, "text/html; charset=utf-8", "<!DOCTYPE html><html>Sign in</html>")).serve(ws)) {
            ws.newDatabase = true; // the check below is that leadpipe itself creates no database
            TestWorkspace.CliResult html = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");

            assertThat(html.exitCode()).as("output:\n%s", html.out()).isEqualTo(1);
            assertThat(html.out()).contains("status          200 OK, Content-Type text/html; charset=utf-8")
                    .containsPattern("result          FAIL — .*a body that is not JSON.*<!DOCTYPE html>");

            ws.settings.put("leadpipe.source.leads-api.url", "http://127.0.0.1:1/v1/leads");
            TestWorkspace.CliResult nothing = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");

            assertThat(nothing.exitCode()).as("output:\n%s", nothing.out()).isEqualTo(1);
            assertThat(nothing.out()).contains("status          no answer")
                    .contains("result          FAIL — cannot connect for GET http://127.0.0.1:1/v1/leads?limit=100");
            assertThat(api.requests.get()).isEqualTo(1);
            nothingWritten(ws);
        }
    }

    /** No database file, no report directory: the probe opened nothing a pull writes to. */
    private static void nothingWritten(TestWorkspace ws) {
        assertThat(ws.dir.resolve("db")).as("the database directory").doesNotExist();
        assertThat(ws.dir.resolve("reports")).as("the report directory").doesNotExist();
        assertThat(Files.exists(ws.dir.resolve("db/leadpipe.mv.db"))).isFalse();
    }

    private static SimulatorConfig simulator(String shape) {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 250;
        c.pageShape = shape;
        return c;
    }
}
