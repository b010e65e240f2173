package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provider that rotates refresh tokens spends the old one the moment it answers: if leadpipe loses the new
 * one after that (a kill, or any failure before it is stored), the next run is locked out with invalid_grant.
 * The new token is committed as soon as it is read from the answer, before anything else is done with it —
 * here, an answer that fails afterwards (no access_token) must not take the rotated token down with it.
 */
class RefreshTokenLockoutTest {

    static final String P = "leadpipe.source.leads-api.auth.";

    /** RFC 6749 §6 with rotation: each refresh token works once; the first answer carries no access token. */
    static final class RotatingProvider {
        volatile String current = "rt-seed-0001-abcdef";
        final AtomicInteger rotations = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();

        synchronized void handle(HttpExchange ex, int n) throws IOException {
            if (!ex.getRequestURI().getPath().endsWith("/oauth/token")) {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "null", 10));
                return;
            }
            Map<String, String> form = new HashMap<>();
            for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                String[] kv = pair.split("=", 2);
                form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
            if (!current.equals(form.get("refresh_token"))) {
                refused.incrementAndGet();
                FakeApi.send(ex, 400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token already used\"}");
                return;
            }
            int r = rotations.incrementAndGet();
            current = "rt-rotated-" + r + "-" + Long.toHexString(System.nanoTime());
            String access = r == 1 ? "" : "\"access_token\":\"at-" + r + "-0123456789\",";
            FakeApi.send(ex, 200, "application/json", "{" + access + "\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"" + current + "\"}");
        }
    }

    @Test
    @Timeout(180)
    void aRotatedTokenIsStoredEvenWhenTheRestOfTheAnswerFails() throws Exception {
        RotatingProvider provider = new RotatingProvider();
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi(provider::handle).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.auth", "oauth2-refresh-token");
            ws.settings.put(P + "token-url", api.url().replace("/v1/leads", "/oauth/token"));
            ws.settings.put(P + "client-id", "leadpipe-lockout");
            ws.settings.put(P + "client-auth", "body");
            ws.settings.put("leadpipe.retry.max-retries", "0");
            Map<String, String> env = new HashMap<>(TestWorkspace.envWithKey());
            env.put("LEADPIPE_LEADS_API_REFRESH_TOKEN", "rt-seed-0001-abcdef");

            TestWorkspace.CliResult first = ws.cli(env, "run");
            assertThat(first.exitCode()).as("the answer without an access token fails the run: " + first.out() + first.err()).isEqualTo(1);
            assertThat(provider.rotations.get()).as("the provider rotated (the seed is spent)").isEqualTo(1);

            TestWorkspace.CliResult second = ws.cli(env, "run");
            assertThat(provider.refused.get()).as("the spent token was offered again (locked out): " + second.out() + second.err()).isZero();
            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            assertThat(ws.storedLeadKeys()).hasSize(10);
        }
    }
}
