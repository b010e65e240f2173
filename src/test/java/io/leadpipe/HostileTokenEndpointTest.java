package io.leadpipe;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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

    record Run(TestWorkspace.CliResult cli, String log) {
        String all() {
            return cli.out() + cli.err() + log;
        }
    }

    static Run run(TestWorkspace ws, String... args) throws IOException {
        PrintStream console = System.out;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        System.setOut(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            return new Run(ws.cli(TestWorkspace.envWithKey(), args), logs.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(console);
        }
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
            Run run = run(ws, "run");
            Run status = run(ws, "status");

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
}
