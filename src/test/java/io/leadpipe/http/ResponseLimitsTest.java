package io.leadpipe.http;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read timeout is per read: an API that trickles bytes or streams an endless body must still end each
 * attempt within the request deadline or at the body size limit — retried like a timeout, and the job ends
 * (FAILED, checkpoint kept), never left RUNNING.
 */
public class ResponseLimitsTest {

    static final int RETRIES = 2;

    static TestWorkspace workspace() throws Exception {
        TestWorkspace ws = new TestWorkspace();
        ws.settings.put("leadpipe.http.request-deadline-ms", "1500");
        ws.settings.put("leadpipe.http.max-body-bytes", "1048576");
        ws.settings.put("leadpipe.retry.max-retries", Integer.toString(RETRIES));
        ws.settings.put("leadpipe.retry.base-delay-ms", "20");
        return ws;
    }

    /** When page 2 was first asked for: the attempts are timed from there (start-up is slow on a loaded machine). */
    static final java.util.concurrent.atomic.AtomicReference<Instant> PAGE_TWO = new java.util.concurrent.atomic.AtomicReference<>();

    static void page2Asked() {
        PAGE_TWO.compareAndSet(null, Instant.now());
    }

    static void assertEndedAndRetried(TestWorkspace ws, TestWorkspace.CliResult run, int attempts, Instant started, String why) throws Exception {
        Duration took = Duration.between(PAGE_TWO.getAndSet(null), Instant.now());
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(attempts).as("the first attempt and every retry").isEqualTo(1 + 1 + RETRIES);
        Map<String, Object> cp = ws.checkpoint("all-leads");
        assertThat(cp.get("status")).as("not left RUNNING").isEqualTo("FAILED");
        assertThat(cp.get("next_cursor")).isEqualTo("p2");
        assertThat(String.valueOf(cp.get("error"))).contains(why);
        // three attempts of page 2, each ended by the 1.5 s deadline at the latest (the per-read timeout is 30 s)
        assertThat(took).as("three attempts of page 2 and the job's end").isLessThan(Duration.ofSeconds(15));
    }

    @Test
    @Timeout(90)
    void aBodyTrickledAByteAtATimeEndsAtTheDeadline() throws Exception {
        try (TestWorkspace ws = workspace(); FakeApi api = new FakeApi((ex, n) -> {
            if (n == 1) {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"p2\"", 30));
                return;
            }
            page2Asked();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
            while (true) { // a space every 100 ms: every read succeeds, the answer never ends
                out.write(' ');
                out.flush();
                Thread.sleep(100);
            }
        }).serve(ws)) {
            Instant started = Instant.now();
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertEndedAndRetried(ws, run, api.requests.get(), started, "request-deadline-ms");
        }
    }

    @Test
    @Timeout(90)
    void anEndlessChunkedBodyEndsAtTheSizeLimit() throws Exception {
        AtomicLong streamed = new AtomicLong();
        try (TestWorkspace ws = workspace(); FakeApi api = new FakeApi((ex, n) -> {
            if (n == 1) {
                FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"p2\"", 30));
                return;
            }
            page2Asked();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            byte[] chunk = ("{\"id\":\"x\"}," .repeat(1000)).getBytes(StandardCharsets.UTF_8);
            out.write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
            while (true) {
                out.write(chunk);
                streamed.addAndGet(chunk.length);
            }
        }).serve(ws)) {
            Instant started = Instant.now();
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertEndedAndRetried(ws, run, api.requests.get(), started, "max-body-bytes");
            assertThat(streamed.get()).as("bytes the API got to send").isLessThan(3 * 8L * 1024 * 1024);
        }
    }

    /** A slow-loris on the status line and headers: no per-read timeout fires, the deadline does. */
    @Test
    @Timeout(90)
    void headersTrickledForeverEndAtTheDeadline() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (TestWorkspace ws = workspace(); ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        int n = attempts.incrementAndGet();
                        Thread t = new Thread(() -> serveRaw(s, n));
                        t.setDaemon(true);
                        t.start();
                    } catch (Exception closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            ws.settings.put("leadpipe.source.leads-api.url", "http://127.0.0.1:" + server.getLocalPort() + "/v1/leads");
            Instant started = Instant.now();
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertEndedAndRetried(ws, run, attempts.get(), started, "request-deadline-ms");
        }
    }

    static void serveRaw(Socket s, int n) {
        try (s) {
            s.getInputStream().read(new byte[8192]); // the request (small enough for one read)
            OutputStream out = s.getOutputStream();
            if (n == 1) {
                byte[] body = FakeApi.page(0, 10, "\"p2\"", 30).getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                return;
            }
            page2Asked();
            out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            while (true) {
                out.write('a');
                out.flush();
                Thread.sleep(100);
            }
        } catch (Exception clientGone) {
            // the client gave up: expected
        }
    }
}
