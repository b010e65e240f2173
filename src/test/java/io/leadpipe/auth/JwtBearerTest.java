package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.JwtAssertions;
import io.leadpipe.source.ReadySourcesTest;
import io.leadpipe.testing.TestWorkspace;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JWT bearer grant (RFC 7523): an assertion signed RS256 with a private key from a file, exchanged for an
 * access token and renewed before it expires — ZoomInfo's ready profile pulled completely against
 * {@link ZoomInfoFake}, and Salesforce's server-to-server flow against a token endpoint written from its docs.
 */
class JwtBearerTest {

    @Test
    @Timeout(120)
    void zoomInfoIsPulledCompletelyWithPkiTokensRenewedBeforeTheyExpire() throws Exception {
        KeyPair keys = JwtAssertions.rsa();
        int n = 2000;
        try (ZoomInfoFake fake = new ZoomInfoFake(n, 3000, keys.getPublic()); TestWorkspace ws = new TestWorkspace()) {
            Path pem = JwtAssertions.pemFile(Files.createDirectories(ws.dir.resolveSibling(ws.dir.getFileName() + "-keys")), keys);
            String s = "leadpipe.source.zoominfo.";
            ws.settings.put("leadpipe.sources", "zoominfo");
            ws.settings.put(s + "profile", "zoominfo");
            ws.settings.put(s + "url", fake.searchUrl());
            ws.settings.put(s + "auth.token-url", fake.authenticateUrl());
            ws.settings.put(s + "auth.user", ZoomInfoFake.USERNAME);
            ws.settings.put(s + "auth.client-id", fake.clientId);
            ws.settings.put(s + "auth.private-key-file", pem.toString());
            ws.settings.put(s + "auth.token-lifetime-seconds", "3"); // 60 minutes at ZoomInfo: the pull outlives a token here
            ws.settings.put(s + "quota.hour.interval", "2s"); // the fake's "hour" is 2 seconds
            ws.jobs(TestWorkspace.job("zoominfo-pull", "", "source", "zoominfo"));
            Set<String> expected = IntStream.range(0, n).mapToObj(ZoomInfoFake::id).collect(Collectors.toCollection(TreeSet::new));

            long start = System.nanoTime();
            ReadySourcesTest.pullCompletely(ws, fake.api, "zoominfo", TestWorkspace.envWithKey(), expected);
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(fake.api.requests() - fake.api.refused()).as("20 pages, each once").isEqualTo(n / 100);
            assertThat(fake.authentications.get()).as("tokens renewed before they expired (%d ms)", millis).isGreaterThanOrEqualTo(2);
            assertThat(fake.refusedAuthentications.get()).as("assertions refused").isZero();
            assertThat(fake.authenticateTooFast.get()).as("/authenticate more than once a second").isZero();
            List<String> secrets = new ArrayList<>(fake.issued);
            secrets.addAll(fake.assertions);
            Files.readString(pem).lines().filter(l -> !l.startsWith("-----") && l.length() >= 8).forEach(secrets::add);
            AuthTest.assertNoSecretWritten(ws, secrets);
        }
    }

    // ---- Salesforce OAuth 2.0 JWT Bearer Flow (help.salesforce.com "OAuth 2.0 JWT Bearer Flow for Server-to-Server
    //      Integration"): POST /services/oauth2/token, grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…,
    //      no client secret; the JWT is RS256 with iss = the connected app's consumer key, sub = the username,
    //      aud = https://login.salesforce.com, exp within 3 minutes. Answer: access_token, scope, instance_url, id,
    //      token_type (no refresh token). A user who has not approved the app: 400 {"error":"invalid_grant",
    //      "error_description":"user hasn't approved this consumer"}.

    @Test
    @Timeout(120)
    void salesforceServerToServerTokensComeFromASignedAssertionAndARefusalQuotesSalesforce() throws Exception {
        KeyPair keys = JwtAssertions.rsa();
        String consumerKey = "3MVG9" + java.util.UUID.randomUUID().toString().replace("-", "");
        String username = "integration@acme.example";
        List<Map<String, String>> forms = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> issued = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger clientAuthSent = new AtomicInteger();
        String[] base = new String[1];
        try (TestWorkspace ws = new TestWorkspace(); FakeApi sf = new FakeApi((ex, i) -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/services/oauth2/token")) {
                Map<String, String> form = new HashMap<>();
                for (String kv : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) form.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
                forms.add(form);
                if (ex.getRequestHeaders().containsKey("Authorization") || form.containsKey("client_secret")) clientAuthSent.incrementAndGet();
                JsonNode claims = JwtAssertions.verifiedClaims(form.getOrDefault("assertion", ""), keys.getPublic());
                long now = System.currentTimeMillis() / 1000;
                boolean ok = "urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type")) && claims != null
                        && consumerKey.equals(claims.path("iss").asText()) && "https://login.salesforce.com".equals(claims.path("aud").asText())
                        && claims.path("exp").asLong() > now && claims.path("exp").asLong() <= now + 180;
                if (!ok) {
                    FakeApi.send(ex, 400, "application/json", "{\"error\":\"invalid_client_id\",\"error_description\":\"client identifier invalid\"}");
                } else if (!username.equals(claims.path("sub").asText())) {
                    FakeApi.send(ex, 400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"user hasn't approved this consumer\"}");
                } else {
                    String token = "00D" + java.util.UUID.randomUUID().toString().replace("-", "");
                    issued.add(token);
                    FakeApi.send(ex, 200, "application/json", "{\"access_token\":\"" + token + "\",\"scope\":\"api\",\"instance_url\":\"" + base[0]
                            + "\",\"id\":\"https://login.salesforce.com/id/00D/005\",\"token_type\":\"Bearer\"}");
                }
            } else if (!issued.isEmpty() && ("Bearer " + issued.get(issued.size() - 1)).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                StringBuilder b = new StringBuilder("{\"totalSize\":25,\"done\":true,\"records\":[");
                for (int r = 0; r < 25; r++) b.append(r == 0 ? "" : ",").append("{\"Id\":\"003").append(String.format("%012d", r)).append("\"}");
                FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
            } else {
                FakeApi.send(ex, 401, "application/json", "[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]");
            }
        })) {
            base[0] = sf.url().replace("/v1/leads", "");
            Path pem = JwtAssertions.pemFile(Files.createDirectories(ws.dir.resolveSibling(ws.dir.getFileName() + "-keys")), keys);
            String s = "leadpipe.source.salesforce.";
            ws.settings.put("leadpipe.sources", "salesforce");
            ws.settings.put(s + "profile", "salesforce");
            ws.settings.put(s + "url", "http://127.0.0.1:1/services/data/v60.0/query?q=SELECT+Id+FROM+Contact"); // only instance_url answers
            ws.settings.put(s + "auth", "oauth2-jwt-bearer");
            ws.settings.put(s + "auth.token-url", base[0] + "/services/oauth2/token");
            ws.settings.put(s + "auth.client-id", consumerKey);
            ws.settings.put(s + "auth.jwt.subject", username);
            ws.settings.put(s + "auth.audience", "https://login.salesforce.com");
            ws.settings.put(s + "auth.jwt.lifetime-seconds", "180");
            ws.settings.put(s + "auth.follow-instance-url", "true");
            ws.settings.put(s + "auth.private-key-file", pem.toString());
            ws.jobs(TestWorkspace.job("sf-pull", "", "source", "salesforce"));

            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");

            assertThat(run.cli().exitCode()).as(run.all()).isZero();
            assertThat(ws.storedLeadKeys("sf-pull")).hasSize(25).doesNotHaveDuplicates();
            assertThat(forms).hasSize(1);
            assertThat(forms.get(0).keySet()).as("RFC 7523 §2.1: the grant type and the assertion only").containsExactlyInAnyOrder("grant_type", "assertion");
            assertThat(clientAuthSent.get()).as("no client secret in the JWT flow").isZero();

            assertThat(ws.cliLogged(TestWorkspace.envWithKey(), "reset", "sf-pull").cli().exitCode()).isZero();
            ws.settings.put(s + "auth.jwt.subject", "someone-else@acme.example");
            TestWorkspace.LoggedRun refused = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(refused.cli().exitCode()).as(refused.all()).isEqualTo(1);
            assertThat(refused.all()).contains("invalid_grant: user hasn't approved this consumer").contains(s + "auth.jwt.subject")
                    .contains(s + "auth.private-key-file");
            List<String> secrets = new ArrayList<>(issued);
            forms.forEach(f -> secrets.add(f.get("assertion")));
            Files.readString(pem).lines().filter(l -> !l.startsWith("-----") && l.length() >= 8).forEach(secrets::add);
            AuthTest.assertNoSecretWritten(ws, secrets, run, refused);

            Files.writeString(pem, "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n");
            TestWorkspace.LoggedRun pkcs1 = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(pkcs1.cli().exitCode()).isEqualTo(2);
            assertThat(pkcs1.cli().err()).contains(s + "auth.private-key-file").contains("PKCS#8").doesNotContain("MIIEowIBAAKCAQEA");
        }
    }
}
