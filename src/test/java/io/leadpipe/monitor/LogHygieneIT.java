package io.leadpipe.monitor;

import io.leadpipe.auth.AuthTest;
import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every log line of full runs (INFO, with retries, alerts and a failure) is free of the API key, of OAuth2
 * secrets and tokens, and of e-mail addresses. (basic, bearer and client credentials: AuthTest, in-process.)
 */
class LogHygieneIT {

    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");

    @Test
    void noApiKeyAndNoEmailAddressInAnyLogLine() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            c.serverErrorRate = 0.3;  // error bodies quote a lead's e-mail address
            c.burstEvery = 7;
            c.burstLength = 3;        // 429 streaks: retries, pauses and alerts get logged too
            // OAuth2 with rotating refresh tokens, access tokens revoked every 5 pages: renewals, 401s and
            // rotations are logged too, and the second process continues with the rotated token from the database
            c.auth = "oauth2";
            c.oauthClientSecret = "cs-hygiene-" + java.util.UUID.randomUUID();
            c.oauthRefreshToken = "rt-hygiene-" + java.util.UUID.randomUUID();
            c.oauthRevokeAccessEvery = 5;
            ws.startSimulator(c);
            Path secrets = Files.createDirectories(ws.dir.resolve("secrets"));
            ws.settings.put("leadpipe.source.leads-api.auth", "oauth2-refresh-token");
            ws.settings.put("leadpipe.source.leads-api.auth.token-url", ws.simulator.tokenUrl());
            ws.settings.put("leadpipe.source.leads-api.auth.client-id", c.oauthClientId);
            ws.settings.put("leadpipe.source.leads-api.auth.client-secret-file", Files.writeString(secrets.resolve("cs"), c.oauthClientSecret).toString());
            ws.settings.put("leadpipe.source.leads-api.auth.refresh-token-file", Files.writeString(secrets.resolve("rt"), c.oauthRefreshToken).toString());
            ws.settings.put("leadpipe.retry.base-delay-ms", "20");
            ws.settings.put("leadpipe.retry.max-retries", "20");
            ws.settings.put("leadpipe.alerts.interval-ms", "100");
            ws.settings.put("leadpipe.progress.interval-ms", "200");
            ws.settings.put("leadpipe.alerts.error-rate-min-requests", "3");

            Path log1 = ws.dir.resolve("full-run.log");
            Process full = ws.startProcess(log1, "run");
            assertThat(full.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(full.exitValue()).as(Files.readString(log1)).isZero();

            c.failStatus = 400; // a fail-fast answer whose body names a lead
            c.failAfterPages = 0;
            Path log2 = ws.dir.resolve("failing-run.log");
            TestWorkspace.CliResult reset = ws.cli(TestWorkspace.envWithKey(), "reset", "all-leads");
            assertThat(reset.exitCode()).isZero();
            Process failing = ws.startProcess(log2, "run");
            assertThat(failing.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(failing.exitValue()).isEqualTo(1);

            Path log3 = ws.dir.resolve("status.log");
            Process status = ws.startProcess(log3, "status");
            assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();

            String all = Files.readString(log1) + Files.readString(log2) + Files.readString(log3)
                    + Files.readString(ws.dir.resolve("reports/all-leads.json"));
            List<String> lines = all.lines().toList();
            assertThat(lines.size()).as("a real amount of logging was checked").isGreaterThan(50);
            assertThat(all).as("the run logged retries, 429 pauses and the failure")
                    .contains("WARN retry - ").contains("HTTP 429").contains("HTTP 400 for GET").contains("<e-mail>");
            assertThat(lines).as("lines holding the API key").noneMatch(l -> l.contains(TestWorkspace.API_KEY));
            assertThat(lines).as("lines holding an e-mail address").noneMatch(l -> EMAIL.matcher(l).find());
            List<String> oauthSecrets = new java.util.ArrayList<>(ws.simulator.oauth().issuedTokens());
            oauthSecrets.add(c.oauthClientSecret);
            assertThat(ws.simulator.oauth().refreshGrants.get()).as("refresh tokens rotated in both processes").isGreaterThanOrEqualTo(4);
            assertThat(ws.simulator.oauth().refusedGrants.get()).as("the second process used the rotated token").isZero();
            assertThat(all).as("401s on revoked tokens were logged").contains("refused the access token (401); renewed it");
            assertThat(lines).as("lines holding a client secret, access or refresh token")
                    .noneMatch(l -> oauthSecrets.stream().anyMatch(l::contains));
        }
    }

    /**
     * An API that repeats the key in its 500 and 401 texts and quotes a lead URL-encoded, and whose cursor
     * is an e-mail address: the INFO log (page lines, retries, the failure), the report and `status` of a
     * real process hold neither.
     */
    @Test
    void anApiEchoingTheKeyLeavesNoTraceOfItInAnyLineOrFile() throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            String key = ex.getRequestHeaders().getFirst("X-API-Key");
            String query = ex.getRequestURI().getRawQuery();
            if (query == null || !query.contains("cursor=")) {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"carol@example.com\"", 30));
            } else {
                FakeApi.send(ex, n < 4 ? 500 : 401, "text/plain", "Authorization: Bearer " + key + " rejected for ?" + query + " (lead dave%40example.org)");
            }
        }).serve(ws)) {
            ws.settings.put("leadpipe.retry.base-delay-ms", "20");
            ws.settings.put("leadpipe.retry.max-retries", "3");
            Path log = ws.dir.resolve("echo-run.log");
            Process run = ws.startProcess(log, "run");
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(log)).isEqualTo(1);
            Path statusLog = ws.dir.resolve("echo-status.log");
            Process status = ws.startProcess(statusLog, "status");
            assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();

            String all = Files.readString(log) + Files.readString(statusLog) + Files.readString(ws.dir.resolve("reports/all-leads.json"));
            assertThat(api.requests.get()).as("page 1, two 500s retried, the 401").isEqualTo(4);
            assertThat(all).as("the run logged its page, its retries and the failure")
                    .contains("page=1").contains("WARN retry - ").contains("HTTP 401 for GET").contains("Bearer ****").contains("next=<e-mail>");
            List<String> lines = all.lines().toList();
            assertThat(lines).as("lines holding the API key").noneMatch(l -> l.contains(TestWorkspace.API_KEY));
            assertThat(lines).as("lines holding an e-mail address").noneMatch(l -> EMAIL.matcher(l).find());
        }
    }
}
