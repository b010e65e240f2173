package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.testing.VendorFake;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a token goes is a setting of every auth kind (Zoho's {@code Authorization: Zoho-oauthtoken}, a query
 * parameter), a setting the chosen kind does not read stops leadpipe naming the one that does, and every
 * refusal quotes the provider — against {@link ZohoOAuthFake}, written from Zoho's documentation.
 */
public class TokenSchemesTest {

    private static final String P = "leadpipe.source.zoho.";

    private static TestWorkspace zoho(ZohoOAuthFake fake) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        ws.settings.put("leadpipe.sources", "zoho");
        ws.settings.put(P + "profile", "zoho");
        // nothing listens here: the calls reach the API only on the api_domain of the token answer
        ws.settings.put(P + "url", "http://127.0.0.1:1/crm/v7/Leads?fields=Last_Name,Email");
        ws.settings.put(P + "auth.token-url", fake.tokenUrl());
        ws.settings.put(P + "auth.client-id", fake.clientId);
        ws.settings.put(P + "max-requests-per-second", "200");
        ws.jobs(TestWorkspace.job("zoho-pull", "", "source", "zoho"));
        return ws;
    }

    private static Map<String, String> env(ZohoOAuthFake fake, String refreshToken) {
        Map<String, String> env = new HashMap<>(TestWorkspace.envWithKey());
        env.put("LEADPIPE_ZOHO_CLIENT_SECRET", fake.clientSecret);
        env.put("LEADPIPE_ZOHO_REFRESH_TOKEN", refreshToken);
        return env;
    }

    @Test
    @Timeout(120)
    void zohoIsPulledWithItsOwnSchemeRenewedFromTheRefreshTokenOnTheApiDomainItNames() throws Exception {
        try (ZohoOAuthFake fake = new ZohoOAuthFake(1200, 2); TestWorkspace ws = zoho(fake)) {
            ws.settings.put(P + "page-size", "40"); // 30 pages, paced to outlive several 2-second tokens
            ws.settings.put(P + "max-requests-per-second", "8");
            ws.settings.put(P + "auth.extra-form", "redirect_uri=https://example.com/leadpipe/callback"); // Outreach's refresh grant wants it

            TestWorkspace.LoggedRun run = ws.cliLogged(env(fake, fake.refreshToken), "run");

            assertThat(run.cli().exitCode()).as(run.all()).isZero();
            Set<String> expected = IntStream.range(0, 1200).mapToObj(ZohoOAuthFake::id).collect(Collectors.toCollection(TreeSet::new));
            List<String> stored = ws.storedLeadKeys("zoho-pull");
            assertThat(stored).as("each lead once").hasSize(1200);
            assertThat(new TreeSet<>(stored)).isEqualTo(expected);
            assertThat(fake.tokensIssued.get()).as("renewed as they expired (%d ms)", run.millis()).isGreaterThanOrEqualTo(2);
            assertThat(fake.unauthorized.get()).as("401s: renewed before expiry, sent as Zoho-oauthtoken").isLessThanOrEqualTo(1);
            assertThat(fake.grantFields).as("extra-form on the refresh grant").allMatch(f -> f.contains("redirect_uri") && f.contains("client_secret"));
            AuthTest.assertNoSecretWritten(ws, fake.secrets(), run);
        }
    }

    @Test
    @Timeout(120)
    void aTokenSentWithTheWrongSchemeFailsQuotingZohoAndNamingTheSchemeAndProbeShowsBothAnswers() throws Exception {
        try (ZohoOAuthFake fake = new ZohoOAuthFake(100, 3600); TestWorkspace ws = zoho(fake)) {
            ws.settings.put(P + "auth.scheme", "Bearer");

            TestWorkspace.LoggedRun probe = ws.cliLogged(env(fake, fake.refreshToken), "probe", "zoho");
            assertThat(probe.all()).as(probe.all()).contains("401").doesNotContain("status: no answer").doesNotContain("no answer");
            assertThat(probe.all()).containsPattern("401[^\\n]*, then 401");

            TestWorkspace.LoggedRun run = ws.cliLogged(env(fake, fake.refreshToken), "run");
            assertThat(run.cli().exitCode()).as(run.all()).isEqualTo(1);
            assertThat(run.all()).contains("INVALID_TOKEN: invalid oauth token").contains(P + "auth.scheme")
                    .contains("Authorization: Bearer ****");
            assertThat(fake.pagesServed.get()).isZero();
            for (String s : fake.secrets()) assertThat(probe.all() + run.all()).doesNotContain(s);
        }
    }

    @Test
    @Timeout(120)
    void aRefreshTokenZohoRefusesWithHttp200IsQuotedAndNamesTheRefreshTokenSetting() throws Exception {
        try (ZohoOAuthFake fake = new ZohoOAuthFake(100, 3600); TestWorkspace ws = zoho(fake)) {
            String revoked = "1000.revoked." + java.util.UUID.randomUUID();
            TestWorkspace.LoggedRun run = ws.cliLogged(env(fake, revoked), "run");

            assertThat(run.cli().exitCode()).as(run.all()).isEqualTo(1);
            assertThat(run.all()).contains("invalid_code").contains("LEADPIPE_ZOHO_REFRESH_TOKEN").contains(P + "auth.refresh-token-env")
                    .doesNotContain("without an access_token").doesNotContain(revoked);
            assertThat(fake.refusedGrants.get()).as("one token request, not retried").isEqualTo(1);

            Map<String, String> wrongClient = env(fake, fake.refreshToken);
            wrongClient.put("LEADPIPE_ZOHO_CLIENT_SECRET", "zcs-wrong-" + java.util.UUID.randomUUID());
            TestWorkspace.LoggedRun refused = ws.cliLogged(wrongClient, "run");
            assertThat(refused.all()).contains("invalid_client").contains(P + "auth.client-id").contains(P + "auth.client-secret-env");
        }
    }

    @Test
    void aSettingTheAuthKindDoesNotReadStopsWithOneLineNamingTheOneThatApplies() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // the check below is that leadpipe itself creates no database
            String s = "leadpipe.source.leads-api.";
            ws.settings.put(s + "auth", "oauth2-refresh-token");
            ws.settings.put(s + "auth.token-url", "http://127.0.0.1:1/oauth/token");
            ws.settings.put(s + "auth.client-id", "x");
            ws.settings.put(s + "api-key-header", "Authorization");
            TestWorkspace.LoggedRun header = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(header.cli().exitCode()).isEqualTo(2);
            assertThat(header.cli().err().strip().lines().count()).as(header.cli().err()).isEqualTo(1);
            assertThat(header.cli().err()).contains(s + "api-key-header").contains(s + "auth.header");

            ws.settings.remove(s + "api-key-header");
            ws.settings.put(s + "api-key-prefix", "Zoho-oauthtoken");
            assertThat(ws.cliLogged(TestWorkspace.envWithKey(), "run").cli().err()).contains(s + "api-key-prefix").contains(s + "auth.scheme");

            ws.settings.remove(s + "api-key-prefix");
            for (String k : List.of("auth.token-url", "auth.client-id")) ws.settings.remove(s + k);
            ws.settings.put(s + "auth", "basic");
            ws.settings.put(s + "auth.user", "u");
            ws.settings.put(s + "auth.scheme", "Token");
            TestWorkspace.LoggedRun basic = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(basic.cli().exitCode()).isEqualTo(2);
            assertThat(basic.cli().err()).contains(s + "auth.scheme").contains("RFC 7617");

            ws.settings.remove(s + "auth.scheme");
            ws.settings.remove(s + "auth.user");
            ws.settings.put(s + "auth", "api-key");
            ws.settings.put(s + "auth.jwt.issuer", "me");
            assertThat(ws.cliLogged(TestWorkspace.envWithKey(), "run").cli().err()).contains(s + "auth.jwt.issuer").contains("oauth2-jwt-bearer");
            if (!TestWorkspace.postgres()) assertThat(ws.dir.resolve("db")).as("nothing opened").doesNotExist();
        }
    }

    @Test
    @Timeout(60)
    void aKeyCanBeAQueryParameter() throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            if (!TestWorkspace.API_KEY.equals(VendorFake.param(ex, "api_key")) || ex.getRequestHeaders().containsKey("X-API-Key")) {
                FakeApi.send(ex, 401, "application/json", "{\"error\":\"invalid_api_key\",\"message\":\"No valid API key provided\"}");
            } else {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "null", 10));
            }
        }).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.auth.query-param", "api_key");
            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(run.cli().exitCode()).as(run.all()).isZero();
            assertThat(ws.storedLeadKeys()).hasSize(10);
            assertThat(run.all()).doesNotContain(TestWorkspace.API_KEY);
        }
    }
}
