package io.leadpipe.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written API on loopback for answers the simulator does not give (echoed keys, HTML, endless
 * bodies): the handler sees each request with its number (1-based) and writes whatever it likes.
 */
public final class FakeApi implements AutoCloseable {

    public interface Handler {
        void handle(HttpExchange exchange, int requestNo) throws Exception;
    }

    public final AtomicInteger requests = new AtomicInteger();
    private final HttpServer server;

    public FakeApi(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", ex -> {
            try (ex) {
                handler.handle(ex, requests.incrementAndGet());
            } catch (IOException clientWentAway) {
                // the client gave up (a deadline, a size limit): that is what some tests want
            } catch (Exception e) {
                throw new IOException(e);
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/leads";
    }

    /** Points the workspace's default source at this API. */
    public FakeApi serve(TestWorkspace ws) {
        ws.settings.put("leadpipe.source.leads-api.url", url());
        return this;
    }

    public static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The fields of an application/x-www-form-urlencoded body (a token request), decoded. */
    public static java.util.Map<String, String> form(String encoded) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String kv : encoded.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) m.put(java.net.URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    /** A page in the default source's shape: {"data":[…], "meta":{"next_cursor":…, "total":…}}. */
    public static String page(int from, int count, String nextCursorJson, int total) {
        StringBuilder b = new StringBuilder("{\"data\":[");
        for (int i = from; i < from + count; i++) {
            b.append(i == from ? "" : ",").append("{\"id\":\"F").append(i).append("\",\"name\":\"lead ").append(i).append("\"}");
        }
        return b.append("],\"meta\":{\"next_cursor\":").append(nextCursorJson).append(",\"total\":").append(total).append("}}").toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
