package io.leadpipe.auth;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.LeadpipeWiring;
import io.leadpipe.http.ResponseLimitsTest;
import io.leadpipe.testing.TestWorkspace;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A token endpoint that misbehaves: it echoes the request (the client's Basic header) in its error, or
 * answers without end, slowly, or too much. Nothing secret is written, and every token call ends within the
 * same deadline and body cap as a page call.
 */
class HostileTokenEndpointTest {

    static final String P = "leadpipe.source.leads-api.auth.";
    // '/', '+' and '=' are form-encoded before the Basic header is built (RFC 6749 §2.3.1)
    static final String CLIENT_SECRET = "cs/Qv8+Rt5=Lm3xWz9";

    static void oauthSource(TestWorkspace ws, FakeApi api) throws IOException {
        Path secret = ws.dir.resolve("client-secret");
        Files.writeString(secret, CLIENT_SECRET + "\n");
        ws.settings.put("leadpipe.source.leads-api.auth", "oauth2-client-credentials");
        ws.settings.put(P + "token-url", api.url().replace("/v1/leads", "/oauth/token"));
        ws.settings.put(P + "client-id", "leadpipe-echo");
        ws.settings.put(P + "client-secret-file", secret.toString());
    }

    /** RFC 6749 §5.2's error answer, with the request's Authorization header repeated in error_description. */
    static void echoingTokenEndpoint(HttpExchange ex, int n) throws IOException {
        String basic = ex.getRequestHeaders().getFirst("Authorization");
        FakeApi.send(ex, 400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"grant refused for Authorization: "
                + basic + " (client not allowed)\"}");
    }

    @Test
    @Timeout(180)
    void anEchoedBasicHeaderIsWrittenNowhere() throws Exception {
        String[] header = new String[1];
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            header[0] = ex.getRequestHeaders().getFirst("Authorization");
            echoingTokenEndpoint(ex, n);
        }).serve(ws)) {
            oauthSource(ws, api);
            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            TestWorkspace.LoggedRun status = ws.cliLogged(TestWorkspace.envWithKey(), "status");

            assertThat(run.cli().exitCode()).as(run.all()).isEqualTo(1);
            assertThat(header[0]).as("the client authenticated with a Basic header").startsWith("Basic ");
            String credentials = header[0].substring("Basic ".length());
            String error = String.valueOf(ws.checkpoint("all-leads").get("error"));
            String report = Files.readString(ws.dir.resolve("reports/all-leads.json"));
            Map<String, String> written = Map.of("run output and log", run.all(), "status", status.all(), "checkpoint error", error, "report", report);
            written.forEach((where, text) -> assertThat(text).as(where + " holds the client's Basic credentials")
                    .doesNotContain(credentials).doesNotContain(credentials.substring(credentials.length() - 12)));
            assertThat(error).as("the reason is still told").contains("invalid_grant").contains("Authorization: Basic ****");
        }
    }

    static final int RETRIES = 1;

    /** The same bounds as ResponseLimitsTest gives page calls: a 1.5 s deadline, a 1 MiB body. */
    static void bounded(TestWorkspace ws) {
        ws.settings.put("leadpipe.http.request-deadline-ms", "1500");
        ws.settings.put("leadpipe.http.max-body-bytes", "1048576");
        ws.settings.put("leadpipe.retry.max-retries", Integer.toString(RETRIES));
        ws.settings.put("leadpipe.retry.base-delay-ms", "20");
    }

    /** What the token endpoint writes after its status line and headers (a 200, no length: streamed). */
    interface TokenBody {
        void write(OutputStream out) throws Exception;
    }

    /** An API that answers one short page, whose token endpoint streams {@code body}. */
    static FakeApi.Handler tokenEndpointStreaming(TokenBody body) {
        return (ex, n) -> {
            if (!ex.getRequestURI().getPath().endsWith("/oauth/token")) {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "null", 10));
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            body.write(ex.getResponseBody());
        };
    }

    @Test
    @Timeout(180)
    void aTokenAnswerLargerThanTheBodyCapIsNotReadToTheEnd() throws Exception {
        AtomicLong completeAnswers = new AtomicLong();
        // a valid token answer, padded to 16 MiB: read whole, it would be accepted
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi(tokenEndpointStreaming(out -> {
            out.write("{\"access_token\":\"at-padded-1\",\"token_type\":\"Bearer\",\"padding\":\"".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 256; i++) {
                out.write(chunk);
            }
            out.write("\"}".getBytes(StandardCharsets.UTF_8));
            out.flush();
            completeAnswers.incrementAndGet(); // not reached when leadpipe stops reading and drops the connection
        })).serve(ws)) {
            oauthSource(ws, api);
            bounded(ws);
            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            assertThat(run.cli().exitCode()).as(run.all()).isEqualTo(1);
            assertThat(String.valueOf(ws.checkpoint("all-leads").get("error"))).contains("max-body-bytes");
            assertThat(completeAnswers.get()).as("16 MiB answers the token endpoint got to send whole (read past the 1 MiB cap)").isZero();
        }
    }

    @Test
    @Timeout(180)
    void aTokenAnswerTrickledAByteAtATimeEndsAtTheDeadline() throws Exception {
        AtomicReference<Instant> firstTokenCall = new AtomicReference<>();
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi(tokenEndpointStreaming(out -> {
            firstTokenCall.compareAndSet(null, Instant.now());
            for (byte b : "{\"access_token\":\"at-slow-1\",\"token_type\":\"Bearer\"                                        }".getBytes(StandardCharsets.UTF_8)) {
                out.write(b); // 100 bytes, one every 200 ms: 20 s per answer, every read succeeds
                out.flush();
                Thread.sleep(200);
            }
        })).serve(ws)) {
            oauthSource(ws, api);
            bounded(ws);
            TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");
            Duration took = Duration.between(firstTokenCall.get(), Instant.now());
            assertThat(run.cli().exitCode()).as(run.all()).isEqualTo(1);
            assertThat(String.valueOf(ws.checkpoint("all-leads").get("error"))).contains("request-deadline-ms");
            assertThat(took).as("two token attempts of at most 1.5 s each, not 2 × 20 s").isLessThan(Duration.ofSeconds(12));
        }
    }

    @Test
    @Timeout(180)
    void aShutdownDuringATrickledTokenAnswerEndsWithinTheGraceTime() throws Exception {
        AtomicReference<Instant> tokenAsked = new AtomicReference<>();
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi(tokenEndpointStreaming(out -> {
            tokenAsked.compareAndSet(null, Instant.now());
            for (int i = 0; i < 600; i++) { // 60 s of one byte each 100 ms
                out.write(' ');
                out.flush();
                Thread.sleep(100);
            }
        })).serve(ws)) {
            oauthSource(ws, api);
            ws.settings.put("leadpipe.http.request-deadline-ms", "120000"); // the default: the deadline does not end it
            ws.settings.put("leadpipe.shutdown.grace-ms", "1000");
            try (LeadpipeWiring app = ws.app()) {
                CompletableFuture<io.leadpipe.job.JobOutcome> job = CompletableFuture.supplyAsync(() -> app.runJob("all-leads"));
                await().atMost(Duration.ofSeconds(60)).until(() -> tokenAsked.get() != null);
                Instant signal = Instant.now();
                app.stopGracefully(Duration.ofSeconds(1));
                io.leadpipe.job.JobOutcome outcome = job.get(30, TimeUnit.SECONDS);
                Duration took = Duration.between(signal, Instant.now());
                assertThat(took).as("the job ended soon after the 1 s grace, its token call cut short").isLessThan(Duration.ofSeconds(6));
                assertThat(outcome.status()).as(String.valueOf(outcome)).isIn("INTERRUPTED", "FAILED");
            }
        }
    }
}
