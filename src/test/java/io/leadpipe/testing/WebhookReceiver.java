package io.leadpipe.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback HTTP server that keeps every JSON document POSTed to it: the alert webhook's other end. */
public final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        server.createContext("/hook", ex -> {
            try (ex) {
                @SuppressWarnings("unchecked")
                Map<String, Object> doc = JSON.readValue(ex.getRequestBody(), Map.class);
                received.add(doc);
                ex.sendResponseHeaders(204, -1);
            }
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public boolean has(String alert, String status) {
        return received.stream().anyMatch(d -> alert.equals(d.get("alert")) && status.equals(d.get("status")));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
