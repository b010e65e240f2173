package io.leadpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.config.Settings;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.store.Database;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.Properties;

/**
 * leadpipe against a raw baseline written here: java.net.http.HttpClient + Jackson + a JDBC batch upsert
 * (the same MERGE leadpipe runs) + a checkpoint row per page, same simulator, page size and database
 * kind, each into a fresh H2 file. Runs alternate so both see the same machine noise.
 */
final class PipelineOverhead {

    static final int LEADS = 200_000;
    static final int PAGE_SIZE = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UPSERT = "MERGE INTO leads t USING (VALUES (CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)), CAST(? AS VARCHAR(200)), "
            + "CAST(? AS VARCHAR(64)), CAST(? AS INTEGER), CAST(? AS VARCHAR))) AS s (lead_key, source, job_id, pull_id, page_no, payload) ON t.lead_key = s.lead_key "
            + "WHEN MATCHED AND t.payload <> s.payload THEN UPDATE SET source = s.source, job_id = s.job_id, pull_id = s.pull_id, page_no = s.page_no, "
            + "payload = s.payload, fetched_at = CURRENT_TIMESTAMP, sink_status = 'NEW', attempts = 0, last_error = NULL "
            + "WHEN MATCHED THEN UPDATE SET job_id = s.job_id, pull_id = s.pull_id, page_no = s.page_no, fetched_at = CURRENT_TIMESTAMP "
            + "WHEN NOT MATCHED THEN INSERT (lead_key, source, job_id, pull_id, page_no, payload, fetched_at) "
            + "VALUES (s.lead_key, s.source, s.job_id, s.pull_id, s.page_no, s.payload, CURRENT_TIMESTAMP)";

    record Run(String who, double seconds, double leadsPerSecond) {}

    static Run leadpipe() throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = LEADS;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000"); // unthrottled
            ws.settings.put("camel.management.enabled", "false");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            long t0 = System.nanoTime();
            ws.run("run");
            double s = (System.nanoTime() - t0) / 1e9;
            return new Run("leadpipe", s, LEADS / s);
        }
    }

    static Run baseline() throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = LEADS;
            c.rateLimit = Integer.MAX_VALUE;
            c.apiKey = BenchWorkspace.KEY;
            ws.simulator(c);
            Properties p = new Properties();
            Settings settings = Settings.load(null, null, Map.of("leadpipe.db.url", ws.settings.get("leadpipe.db.url"), "leadpipe.db.user", "sa"), Map.of(), p);
            long t0 = System.nanoTime();
            try (Database db = Database.open(settings).migrate()) {
                HttpClient http = HttpClient.newHttpClient();
                try (Connection conn = db.dataSource().getConnection()) {
                    try (PreparedStatement cp = conn.prepareStatement("INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, page_no, lead_count, status, started_at, updated_at) "
                            + "VALUES ('raw', 'leads-api', '', '', 0, 0, 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
                        cp.executeUpdate();
                    }
                    String cursor = null;
                    int page = 0;
                    long leads = 0;
                    do {
                        String url = ws.simulator.leadsUrl() + "?limit=" + PAGE_SIZE + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", BenchWorkspace.KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
                        JsonNode body = JSON.readTree(r.body());
                        page++;
                        try (PreparedStatement up = conn.prepareStatement(UPSERT)) {
                            for (JsonNode rec : body.get("data")) {
                                up.setString(1, rec.get("id").asText());
                                up.setString(2, "leads-api");
                                up.setString(3, "raw");
                                up.setString(4, "pull");
                                up.setInt(5, page);
                                up.setString(6, rec.toString());
                                up.addBatch();
                                leads++;
                            }
                            up.executeBatch();
                        }
                        JsonNode next = body.at("/meta/next_cursor");
                        cursor = next.isNull() || next.isMissingNode() ? null : next.asText();
                        try (PreparedStatement cp = conn.prepareStatement("UPDATE extraction_checkpoint SET next_cursor = ?, page_no = ?, lead_count = ?, updated_at = CURRENT_TIMESTAMP WHERE job_id = 'raw'")) {
                            cp.setString(1, cursor);
                            cp.setInt(2, page);
                            cp.setLong(3, leads);
                            cp.executeUpdate();
                        }
                    } while (cursor != null);
                    if (leads != LEADS) throw new IllegalStateException("baseline stored " + leads);
                }
            }
            double s = (System.nanoTime() - t0) / 1e9;
            return new Run("raw baseline", s, LEADS / s);
        }
    }
}
