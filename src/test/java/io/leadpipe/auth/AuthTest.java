package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every auth kind against the simulator's real token endpoint and APIs on loopback: complete data, nothing
 * duplicated, and no secret (client secret, password, any access or refresh token the provider issued) in
 * anything leadpipe wrote — its log, its output, the data directory (database file included) and reports.
 */
public class AuthTest {

    private static final String P = "leadpipe.source.leads-api.auth.";
    private final Path secretsDir;

    AuthTest() throws IOException {
        secretsDir = Files.createTempDirectory("leadpipe-secrets"); // outside the workspace: leadpipe reads it, the grep does not
    }

    @AfterEach
    void removeSecrets() throws IOException {
        try (Stream<Path> files = Files.walk(secretsDir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private Path secretFile(String name, String value) throws IOException {
        Path f = secretsDir.resolve(name);
        Files.writeString(f, value + "\n");
        return f;
    }

    private static SimulatorConfig oauthSimulator(int leads) {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = leads;
        c.auth = "oauth2";
        c.oauthClientId = "leadpipe-test";
        c.oauthClientSecret = "cs-" + UUID.randomUUID();
        c.oauthRefreshToken = "rt-seed-" + UUID.randomUUID();
        return c;
    }

    private void oauthSource(TestWorkspace ws, SimulatorConfig c, String kind) throws IOException {
        ws.settings.put("leadpipe.source.leads-api.auth", kind);
        ws.settings.put(P + "token-url", ws.simulator.tokenUrl());
        ws.settings.put(P + "client-id", c.oauthClientId);
        ws.settings.put(P + "client-secret-file", secretFile("client-secret", c.oauthClientSecret).toString());
        ws.settings.put(P + "scope", "contacts.read");
    }

    private static Map<String, String> envWith(String name, String value) {
        Map<String, String> env = new HashMap<>(TestWorkspace.envWithKey());
        env.put(name, value);
        return env;
    }

    /** Every secret the provider issued or leadpipe was given, in none of leadpipe's output or files. */
    static void assertNoSecretWritten(TestWorkspace ws, List<String> secrets, TestWorkspace.LoggedRun... runs) throws Exception {
        assertThat(secrets).as("secrets to look for").isNotEmpty().allMatch(s -> s.length() >= 8);
        List<String> found = new ArrayList<>();
        List<String> stored = ws.storedLeadKeys();
        String storedLead = stored.isEmpty() ? LeadDataset.idOf(0) : stored.get(stored.size() / 2);
        int files = 0;
        try (Stream<Path> all = Files.walk(ws.dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                files++;
                for (String s : secrets) if (content.contains(s)) found.add(ws.dir.relativize(f) + " holds " + s.substring(0, 6) + "…");
            }
        }
        // the bytes of a compacted H2 file are compressed (leadpipe compacts at the end of a run): what the database
        // holds is read through its own dump as well, and that dump must show a stored lead for the check to mean anything
        boolean databaseReadable = false;
        if (!TestWorkspace.postgres()) {
            StringBuilder dump = new StringBuilder();
            try (java.sql.Connection c = ws.db(); java.sql.ResultSet rs = c.createStatement().executeQuery("SCRIPT NOPASSWORDS")) {
                while (rs.next()) dump.append(rs.getString(1)).append('\n');
            }
            databaseReadable = dump.indexOf(storedLead) >= 0;
            for (String s : secrets) if (dump.indexOf(s) >= 0) found.add("the database's content holds " + s.substring(0, 6) + "…");
        }
        for (TestWorkspace.LoggedRun r : runs) {
            for (String s : secrets) if (r.all().contains(s)) found.add("the run's output or log holds " + s.substring(0, 6) + "…");
        }
        assertThat(files).as("files leadpipe wrote (database, reports)").isGreaterThanOrEqualTo(2);
        if (!TestWorkspace.postgres()) assertThat(databaseReadable).as("the check reads the database's content (a stored lead id is found)").isTrue();
        assertThat(found).as("secrets found in what leadpipe wrote").isEmpty();
    }

    private static Set<String> ids(int n) {
        return TestWorkspace.idsOf(0, n);
    }

    @Test
    void clientCredentialTokensExpiringEveryTwoSecondsAreRenewedThroughoutALongPull() throws Exception {
        SimulatorConfig c = oauthSimulator(3000);
        c.oauthTokenTtlSeconds = 2;
        c.latencyMillis = 200; // 30 pages of ≥ 200 ms: the pull outlives several tokens
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            oauthSource(ws, c, "oauth2-client-credentials");

            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(run.cli().exitCode()).as(run.all()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys())).as("every lead once").hasSize(3000).isEqualTo(ids(3000));
            assertThat(ws.simulator.stats().pagesServedAgain()).as("pages fetched twice").isZero();
            long tokens = ws.simulator.oauth().clientCredentialGrants.get();
            long refused = ws.simulator.oauth().rejectedAccessTokens.get();
            double seconds = run.millis() / 1000.0;
            System.err.printf("AuthTest long pull: 3000 leads in %.1f s (whole run), %d access tokens of 2 s (%d renewals), %d requests refused (401)%n",
                    seconds, tokens, tokens - 1, refused);
            assertThat(tokens).as("renewed as they expired (%.1f s pull)", seconds).isGreaterThanOrEqualTo(3);
            assertThat(tokens).as("renewed shortly before expiry, not per request").isLessThanOrEqualTo((long) (seconds / 1.4) + 2);
            assertThat(refused).as("an expired token is not sent: renewed before it expires").isLessThanOrEqualTo(1);
            assertNoSecretWritten(ws, secrets(ws, c), run);
        }
    }

    @Test
    void parallelJobsHittingARevokedTokenRenewItOnceAndEachRetriesItsPage() throws Exception {
        SimulatorConfig c = oauthSimulator(4000);
        c.oauthRevokeAccessEvery = 6; // the provider revokes every token after every 6th request it lets in
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            oauthSource(ws, c, "oauth2-client-credentials");
            String[] industries = {"Software", "Finance", "Retail", "Energy"};
            StringBuilder jobs = new StringBuilder();
            for (String industry : industries) jobs.append(TestWorkspace.job(industry.toLowerCase(), "industry=" + industry));
            ws.jobs(jobs.toString());
            ws.settings.put("leadpipe.jobs.concurrency", "4");

            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(run.cli().exitCode()).as(run.all()).isZero();
            LeadDataset data = ws.simulator.dataset();
            for (String industry : industries) {
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < c.leads; i++) if (data.industryOf(i).equals(industry)) expected.add(LeadDataset.idOf(i));
                List<String> stored = ws.storedLeadKeys(industry.toLowerCase());
                assertThat(stored).as("job %s: no lead twice", industry).doesNotHaveDuplicates();
                assertThat(new HashSet<>(stored)).as("job %s complete", industry).isEqualTo(expected);
            }
            long revocations = ws.simulator.oauth().accessRevocations.get();
            long tokens = ws.simulator.oauth().clientCredentialGrants.get();
            long refused = ws.simulator.oauth().rejectedAccessTokens.get();
            System.err.printf("AuthTest parallel jobs: %d revocations, %d access tokens, %d requests refused (401)%n", revocations, tokens, refused);
            assertThat(revocations).as("revocations during the pull").isGreaterThanOrEqualTo(2);
            assertThat(tokens).as("one renewal per revocation, however many jobs saw the 401").isEqualTo(1 + revocations);
            assertThat(refused).as("every revocation was noticed by a 401").isGreaterThanOrEqualTo(revocations);
            assertThat(run.log()).contains("refused the access token (401); renewed it");
            assertNoSecretWritten(ws, secrets(ws, c), run);
        }
    }

    @Test
    void rotatedRefreshTokensAreStoredAndARestartedPullContinuesWithTheCurrentOne() throws Exception {
        SimulatorConfig c = oauthSimulator(1500);
        c.oauthRevokeAccessEvery = 3;   // an access token lasts 3 pages: each renewal spends and rotates the refresh token
        c.oauthInstanceUrl = true;
        c.failAfterPages = 7;           // the first run stops at page 8 (a 503 with no retries left)
        c.failStatus = 503;
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            oauthSource(ws, c, "oauth2-refresh-token");
            // nothing listens on the configured host: the calls reach the API only by following instance_url
            ws.settings.put("leadpipe.source.leads-api.url", "http://127.0.0.1:1/v1/leads");
            ws.settings.put(P + "follow-instance-url", "true");
            ws.settings.put("leadpipe.retry.max-retries", "0");
            Map<String, String> env = envWith("LEADPIPE_LEADS_API_REFRESH_TOKEN", c.oauthRefreshToken);

            TestWorkspace.LoggedRun first = ws.cliLogged(env, "run");
            assertThat(first.cli().exitCode()).as(first.all()).isEqualTo(1);
            assertThat(ws.checkpoint("all-leads").get("page_no")).isEqualTo(7);
            long rotationsBefore = ws.simulator.oauth().refreshGrants.get();
            assertThat(rotationsBefore).as("refresh tokens spent in the first run").isGreaterThanOrEqualTo(3);
            String current = ws.simulator.oauth().currentRefreshToken();
            assertThat(current).isNotEqualTo(c.oauthRefreshToken);
            try (Connection db = ws.db(); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT token_sealed, rotations FROM oauth_refresh_token WHERE api = 'leads-api'")) {
                assertThat(rs.next()).as("one row for the source").isTrue();
                assertThat(rs.getString(1)).as("stored sealed").startsWith("v1:").doesNotContain(current).doesNotContain(c.oauthRefreshToken);
                assertThat(rs.getLong(2)).as("rotations stored").isEqualTo(rotationsBefore);
            }

            // a restart: a new Camel context and wiring, the same settings (the seed in the environment is long spent)
            c.failStatus = 0;
            TestWorkspace.LoggedRun second = ws.cliLogged(env, "run");

            assertThat(second.cli().exitCode()).as(second.all()).isZero();
            assertThat(ws.simulator.oauth().refusedGrants.get()).as("no spent refresh token was offered").isZero();
            assertThat(ws.storedLeadKeys()).as("no lead twice").hasSize(1500);
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(ids(1500));
            assertThat(ws.simulator.stats().pagesServedAgain()).as("pages fetched twice").isLessThanOrEqualTo(1);
            assertNoSecretWritten(ws, secrets(ws, c), first, second);
        }
    }

    @Test
    void aRevokedRefreshTokenFailsAtOnceNamingTheSettingAndANewOneContinues() throws Exception {
        SimulatorConfig c = oauthSimulator(600);
        c.failAfterPages = 3;
        c.failStatus = 503;
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            oauthSource(ws, c, "oauth2-refresh-token");
            ws.settings.put("leadpipe.retry.max-retries", "0");
            TestWorkspace.LoggedRun first = ws.cliLogged(envWith("LEADPIPE_LEADS_API_REFRESH_TOKEN", c.oauthRefreshToken), "run");
            assertThat(first.cli().exitCode()).as(first.all()).isEqualTo(1);

            ws.simulator.oauth().revokeRefreshToken(); // the user disconnected the app
            c.failStatus = 0;
            ws.settings.put("leadpipe.retry.max-retries", "5");
            long grantsBefore = ws.simulator.oauth().refreshGrants.get() + ws.simulator.oauth().refusedGrants.get();
            TestWorkspace.LoggedRun revoked = ws.cliLogged(envWith("LEADPIPE_LEADS_API_REFRESH_TOKEN", c.oauthRefreshToken), "run");

            assertThat(revoked.cli().exitCode()).as(revoked.all()).isEqualTo(1);
            assertThat(ws.simulator.oauth().refusedGrants.get() + ws.simulator.oauth().refreshGrants.get() - grantsBefore)
                    .as("token requests: one, not retried").isEqualTo(1);
            assertThat(revoked.all()).contains("source 'leads-api'").contains("invalid_grant")
                    .contains("LEADPIPE_LEADS_API_REFRESH_TOKEN").contains(P + "refresh-token-env");
            assertThat(ws.checkpoint("all-leads").get("page_no")).as("checkpoint kept").isEqualTo(3);
            assertThat(String.valueOf(ws.checkpoint("all-leads").get("error"))).contains("invalid_grant");

            String again = "rt-again-" + UUID.randomUUID();
            ws.simulator.oauth().authorise(again); // authorised anew: the new token, given in the environment, replaces the stored one
            TestWorkspace.LoggedRun resumed = ws.cliLogged(envWith("LEADPIPE_LEADS_API_REFRESH_TOKEN", again), "run");

            assertThat(resumed.cli().exitCode()).as(resumed.all()).isZero();
            assertThat(ws.storedLeadKeys()).hasSize(600);
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(ids(600));
            List<String> secrets = secrets(ws, c);
            secrets.add(again);
            assertNoSecretWritten(ws, secrets, first, revoked, resumed);
        }
    }

    @Test
    void anUnreachableTokenEndpointIsRetriedAndARefusedClientFailsAtOnce() throws Exception {
        SimulatorConfig c = oauthSimulator(300);
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            oauthSource(ws, c, "oauth2-client-credentials");
            ws.settings.put("leadpipe.retry.base-delay-ms", "20");
            ws.simulator.oauth().unavailableFor = 2;

            TestWorkspace.LoggedRun retried = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(retried.cli().exitCode()).as(retried.all()).isZero();
            assertThat(ws.simulator.oauth().unavailableAnswers.get()).as("503s from the token endpoint, waited out").isEqualTo(2);
            assertThat(retried.log()).contains("WARN retry - ").contains("TokenEndpointUnavailableException");
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(ids(300));

            assertThat(ws.cliLogged(TestWorkspace.envWithKey(), "reset", "all-leads").cli().exitCode()).isZero();
            String wrong = "wrong-secret-" + UUID.randomUUID();
            ws.settings.put(P + "client-secret-file", secretFile("wrong-secret", wrong).toString());
            long requestsBefore = ws.simulator.stats().requests();
            TestWorkspace.LoggedRun refused = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(refused.cli().exitCode()).as(refused.all()).isEqualTo(1);
            assertThat(ws.simulator.oauth().refusedGrants.get()).as("token requests refused: one, not retried").isEqualTo(1);
            assertThat(ws.simulator.stats().requests()).as("no API request without a token").isEqualTo(requestsBefore);
            assertThat(refused.all()).contains("source 'leads-api'").contains("invalid_client")
                    .contains(P + "client-id").contains(P + "client-secret-file");
            assertThat(ws.storedLeadKeys()).as("stored leads stay").hasSize(300);
            List<String> secrets = secrets(ws, c);
            secrets.add(wrong);
            assertNoSecretWritten(ws, secrets, retried, refused);
        }
    }

    @Test
    void basicAuthAgainstTheSimulatorWithThePasswordFromAFile() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 500;
        c.auth = "basic";
        c.basicUser = "leadpipe";
        c.basicPassword = "pw-" + UUID.randomUUID();
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            ws.settings.put("leadpipe.source.leads-api.auth", "basic");
            ws.settings.put(P + "user", "leadpipe");
            ws.settings.put(P + "password-file", secretFile("password", c.basicPassword).toString());

            TestWorkspace.LoggedRun ok = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(ok.cli().exitCode()).as(ok.all()).isZero();
            assertThat(ws.storedLeadKeys()).hasSize(500);
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(ids(500));
            assertThat(ws.simulator.stats().unauthorized()).as("401s").isZero();

            // a wrong password, from the environment this time: one request, refused, the job fails naming the settings
            assertThat(ws.cliLogged(TestWorkspace.envWithKey(), "reset", "all-leads").cli().exitCode()).isZero();
            ws.settings.remove(P + "password-file");
            String wrong = "pw-wrong-" + UUID.randomUUID();
            TestWorkspace.LoggedRun refused = ws.cliLogged(envWith("LEADPIPE_LEADS_API_PASSWORD", wrong), "run");
            assertThat(refused.cli().exitCode()).as(refused.all()).isEqualTo(1);
            assertThat(refused.all()).contains("HTTP 401").contains("leadpipe.source.leads-api.auth");
            String basicValue = java.util.Base64.getEncoder().encodeToString(("leadpipe:" + c.basicPassword).getBytes(StandardCharsets.UTF_8));
            assertNoSecretWritten(ws, List.of(c.basicPassword, wrong, basicValue), ok, refused);
        }
    }

    @Test
    void theSinkDeliversWithClientCredentialTokens() throws Exception {
        SimulatorConfig c = oauthSimulator(400);
        c.auth = "api-key";
        c.crmAuth = "oauth2";
        c.oauthTokenTtlSeconds = 2;
        try (TestWorkspace ws = new TestWorkspace().withSink(c)) {
            ws.startSimulator(c);
            Path secret = secretFile("crm-client-secret", c.oauthClientSecret);
            for (String api : List.of("crm", "enrichment")) {
                String a = "leadpipe.sink." + api + ".auth.";
                ws.settings.put("leadpipe.sink." + api + ".auth", "oauth2-client-credentials");
                ws.settings.put(a + "token-url", ws.simulator.tokenUrl());
                ws.settings.put(a + "client-id", c.oauthClientId);
                ws.settings.put(a + "client-secret-file", secret.toString());
                ws.settings.put(a + "client-auth", "body");
            }

            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(run.cli().exitCode()).as(run.all()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 400L));
            Map<String, Integer> upserts = ws.simulator.crm().upsertsPerId();
            assertThat(upserts).hasSize(400);
            assertThat(upserts.values()).as("upserts per contact").allMatch(n -> n == 1);
            assertThat(ws.simulator.crm().contacts().values().stream().filter(p -> p.containsKey("numberofemployees")).count())
                    .as("enriched with tokens too").isPositive();
            assertThat(ws.simulator.oauth().clientCredentialGrants.get()).as("tokens: at least one per API").isGreaterThanOrEqualTo(2);
            assertThat(ws.simulator.oauth().rejectedAccessTokens.get()).as("401s (tokens are renewed before they expire)").isLessThanOrEqualTo(1);
            assertNoSecretWritten(ws, secrets(ws, c), run);
        }
    }

    @Test
    void anApiRefusingARenewedTokenFailsTheJobAtOnceWithTheCheckpointKept() throws Exception {
        SimulatorConfig c = oauthSimulator(10); // only its token endpoint is used
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            String query = ex.getRequestURI().getRawQuery();
            if (query == null || !query.contains("cursor=")) {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"c2\"", 30));
            } else { // a token valid at the provider, but not for this API: refused, and echoed back
                FakeApi.send(ex, 401, "application/json", "{\"error\":\"token " + ex.getRequestHeaders().getFirst("Authorization") + " lacks scope\"}");
            }
        })) {
            ws.startSimulator(c);
            api.serve(ws);
            oauthSource(ws, c, "oauth2-client-credentials");

            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(run.cli().exitCode()).as(run.all()).isEqualTo(1);
            assertThat(api.requests.get()).as("page 1, then page 2 with the token and once more with a renewed one").isEqualTo(3);
            assertThat(ws.simulator.oauth().clientCredentialGrants.get()).as("the first token and one renewal").isEqualTo(2);
            assertThat(run.all()).contains("refused a freshly renewed access token (HTTP 401 twice").contains(P + "scope");
            assertThat(ws.checkpoint("all-leads").get("page_no")).as("checkpoint kept at the last stored page").isEqualTo(1);
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("FAILED");
            assertNoSecretWritten(ws, secrets(ws, c), run);
        }
    }

    @Test
    void aMisconfiguredAuthStopsBeforeTheDatabaseIsOpened() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // the check below is that leadpipe itself creates no database
            ws.settings.put("leadpipe.source.leads-api.auth", "oauth2");
            TestWorkspace.LoggedRun unknown = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(unknown.cli().exitCode()).isEqualTo(2);
            assertThat(unknown.all()).contains("leadpipe.source.leads-api.auth").contains("oauth2-client-credentials, oauth2-refresh-token");

            ws.settings.put("leadpipe.source.leads-api.auth", "oauth2-client-credentials");
            TestWorkspace.LoggedRun noTokenUrl = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(noTokenUrl.cli().exitCode()).isEqualTo(2);
            assertThat(noTokenUrl.all()).contains(P + "token-url");

            ws.settings.put("leadpipe.source.leads-api.auth", "oauth2-refresh-token");
            ws.settings.put(P + "token-url", "http://127.0.0.1:1/oauth/token");
            ws.settings.put(P + "client-id", "x");
            TestWorkspace.LoggedRun noRefreshToken = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(noRefreshToken.cli().exitCode()).isEqualTo(2);
            assertThat(noRefreshToken.all()).contains("LEADPIPE_LEADS_API_REFRESH_TOKEN").contains(P + "refresh-token-file");

            ws.settings.put(P + "clientid", "x");
            TestWorkspace.LoggedRun typo = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(typo.cli().exitCode()).isEqualTo(2);
            assertThat(typo.all()).contains("did you mean " + P + "client-id");
            if (!TestWorkspace.postgres()) assertThat(ws.dir.resolve("db")).as("no database created").doesNotExist();
        }
    }

    private static List<String> secrets(TestWorkspace ws, SimulatorConfig c) {
        List<String> s = new ArrayList<>(ws.simulator.oauth().issuedTokens());
        s.add(c.oauthClientSecret);
        return s;
    }
}
