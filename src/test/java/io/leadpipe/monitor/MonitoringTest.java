package io.leadpipe.monitor;

import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.testing.WebhookReceiver;

import io.leadpipe.job.JobOutcome;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.store.CheckpointTable;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Metrics scraped over HTTP after a known pull; every alert tripped on purpose, seen on the webhook and in the log, then cleared. */
public class MonitoringTest {

    private static Map<String, Double> scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> series = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^(leadpipe_[a-z_]+(?:\\{[^}]*\\})?) ([-0-9.eE+NaN]+)$").matcher(r.body());
        while (m.find()) series.put(m.group(1), Double.parseDouble(m.group(2)));
        return series;
    }

    @Test
    void theNamedSeriesCarryTheValuesOfAKnownPull() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            c.burstEvery = 5;          // request 10 is a 429 (Retry-After 1 s), retried once
            c.burstLength = 1;
            ws.startSimulator(c);
            int port = TestWorkspace.freePort();
            ws.settings.put("camel.management.enabled", "true");
            ws.settings.put("camel.management.port", Integer.toString(port));
            try (LeadpipeWiring app = ws.app()) {
                assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");

                Map<String, Double> s = scrape(port);
                String job = "{job_id=\"all-leads\"";
                assertThat(s).containsEntry("leadpipe_requests_total{job_id=\"all-leads\",status=\"200\"}", 10.0)
                        .containsEntry("leadpipe_requests_total{job_id=\"all-leads\",status=\"429\"}", 1.0)
                        .containsEntry("leadpipe_rate_limited_total" + job + "}", 1.0)
                        .containsEntry("leadpipe_retries_total" + job + "}", 1.0)
                        .containsEntry("leadpipe_pages_total" + job + "}", 10.0)
                        .containsEntry("leadpipe_leads_stored_total" + job + "}", 1000.0)
                        .containsEntry("leadpipe_pages_duplicate_total" + job + "}", 0.0)
                        .containsEntry("leadpipe_job_running" + job + "}", 0.0)
                        .containsEntry("leadpipe_job_leads" + job + "}", 1000.0)
                        .containsEntry("leadpipe_drift_records" + job + "}", 0.0)
                        .containsEntry("leadpipe_quota_limit{api_key=\"leads-api\"}", 600.0)
                        .containsKey("leadpipe_quota_remaining{api_key=\"leads-api\"}")
                        .containsKey("leadpipe_quota_used_ratio{api_key=\"leads-api\"}")
                        .containsKey("leadpipe_ratelimit_wait_seconds_total{api_key=\"leads-api\"}")
                        .containsKey("leadpipe_job_expected_duration_seconds" + job + "}");
                assertThat(s.get("leadpipe_ratelimit_wait_seconds_total{api_key=\"leads-api\"}")).as("waited out the Retry-After").isGreaterThan(0.5);
                assertThat(s.get("leadpipe_error_ratio" + job + "}")).isCloseTo(1 / 11.0, org.assertj.core.data.Offset.offset(0.001));
                assertThat(s.get("leadpipe_job_duration_seconds" + job + "}")).isGreaterThan(1.0);
                assertThat(s.keySet()).noneMatch(k -> k.contains(TestWorkspace.API_KEY));
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.body()).contains("UP");

                // the shipped dashboard and alert rules query only series this build exports
                java.util.Set<String> exported = new java.util.HashSet<>();
                s.keySet().forEach(k -> exported.add(k.replaceAll("\\{.*", "")));
                for (String file : List.of("docker/grafana/dashboards/leadpipe.json", "docker/prometheus/alerts.yml")) {
                    Matcher names = Pattern.compile("leadpipe_[a-z_]+").matcher(java.nio.file.Files.readString(java.nio.file.Path.of(file)));
                    while (names.find()) assertThat(exported).as("%s queries %s", file, names.group()).contains(names.group());
                }
            }
        }
    }

    /** A workspace whose alerts are evaluated often, over short windows, and POSTed to a webhook. */
    private static TestWorkspace alerting(SimulatorConfig c, WebhookReceiver hook) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        ws.startSimulator(c);
        ws.settings.put("leadpipe.alerts.interval-ms", "100");
        ws.settings.put("leadpipe.alerts.webhook-url", hook.url());
        ws.settings.put("leadpipe.alerts.error-rate-window-ms", "1500");
        ws.settings.put("leadpipe.alerts.error-rate-min-requests", "4");
        ws.settings.put("leadpipe.retry.base-delay-ms", "20");
        ws.settings.put("leadpipe.retry.max-retries", "30");
        return ws;
    }

    private static CompletableFuture<JobOutcome> runInBackground(LeadpipeWiring app) {
        return CompletableFuture.supplyAsync(() -> app.runJob("all-leads"));
    }

    @Test
    void errorRateAlertFiresInAStormAndClearsAfterIt() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 100_000;
        c.latencyMillis = 20;
        c.serverErrorRate = 0.6;
        try (WebhookReceiver hook = new WebhookReceiver(); TestWorkspace ws = alerting(c, hook); CapturedLog log = new CapturedLog(); LeadpipeWiring app = ws.app()) {
            CompletableFuture<JobOutcome> job = runInBackground(app);
            await().atMost(20, TimeUnit.SECONDS).until(() -> hook.has("error_rate", "firing"));
            c.serverErrorRate = 0; // the storm passes
            await().atMost(20, TimeUnit.SECONDS).until(() -> hook.has("error_rate", "resolved"));
            c.failStatus = 404; // end the long pull quickly
            c.failAfterPages = 0;
            job.get(30, TimeUnit.SECONDS);
            assertThat(log.text()).contains("WARN alert - ALERT FIRING error_rate job_id=all-leads")
                    .contains("WARN alert - ALERT RESOLVED error_rate job_id=all-leads");
        }
    }

    @Test
    void consecutive429AlertFiresAndClears() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 2000;
        c.burstEvery = 6;
        c.burstLength = 4;          // four 429s in a row, each asking for 1 s
        c.burstRetryAfterSeconds = 1;
        try (WebhookReceiver hook = new WebhookReceiver(); TestWorkspace ws = alerting(c, hook); CapturedLog log = new CapturedLog(); LeadpipeWiring app = ws.app()) {
            CompletableFuture<JobOutcome> job = runInBackground(app);
            await().atMost(30, TimeUnit.SECONDS).until(() -> hook.has("consecutive_429", "firing"));
            c.burstEvery = 0;
            await().atMost(30, TimeUnit.SECONDS).until(() -> hook.has("consecutive_429", "resolved"));
            assertThat(job.get(60, TimeUnit.SECONDS).status()).isEqualTo("DONE");
            Map<String, Object> firing = hook.received.stream().filter(d -> "consecutive_429".equals(d.get("alert"))).findFirst().orElseThrow();
            assertThat(firing).containsEntry("status", "firing").containsEntry("job_id", "all-leads").containsKeys("value", "threshold", "message", "at");
            assertThat(((Number) firing.get("value")).doubleValue()).isGreaterThan(2);
            assertThat(log.text()).contains("ALERT FIRING consecutive_429 job_id=all-leads");
        }
    }

    @Test
    void quotaAlertFiresUnderATightQuotaAndClearsWhenTheWindowRefills() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 2500;
        c.rateLimit = 10;
        c.rateWindowMillis = 2000;
        try (WebhookReceiver hook = new WebhookReceiver(); TestWorkspace ws = alerting(c, hook); CapturedLog log = new CapturedLog(); LeadpipeWiring app = ws.app()) {
            assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");
            await().atMost(10, TimeUnit.SECONDS).until(() -> hook.has("quota_used", "firing") && hook.has("quota_used", "resolved"));
            assertThat(log.text()).contains("ALERT FIRING quota_used api_key=leads-api").contains("ALERT RESOLVED quota_used api_key=leads-api");
        }
    }

    @Test
    void driftAlertFiresAfterLiveChangesAndClearsAfterTheVerificationPass() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 1000;
        c.paging = "offset";
        c.liveDeleteEvery = 2;
        try (WebhookReceiver hook = new WebhookReceiver(); TestWorkspace ws = alerting(c, hook); CapturedLog log = new CapturedLog()) {
            ws.settings.put("leadpipe.source.leads-api.paging", "offset");
            try (LeadpipeWiring app = ws.app()) {
                assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");
                await().atMost(10, TimeUnit.SECONDS).until(() -> hook.has("drift", "firing"));
                c.liveDeleteEvery = 0;
                new io.leadpipe.store.CheckpointVerbs(app.database()).startVerification("all-leads");
                assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");
                await().atMost(10, TimeUnit.SECONDS).until(() -> hook.has("drift", "resolved"));
            }
            assertThat(log.text()).contains("ALERT FIRING drift job_id=all-leads");
        }
    }

    @Test
    void slowJobAlertFiresWhenTheJobFallsBehindItsExpectedDuration() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 2000;
        c.latencyMillis = 5;
        try (WebhookReceiver hook = new WebhookReceiver(); TestWorkspace ws = alerting(c, hook); CapturedLog log = new CapturedLog(); LeadpipeWiring app = ws.app()) {
            CompletableFuture<JobOutcome> job = runInBackground(app);
            await().atMost(10, TimeUnit.SECONDS).until(() -> ws.simulator.stats().pages() >= 6);
            c.latencyMillis = 400; // the API slows down badly after the pace was measured
            await().atMost(30, TimeUnit.SECONDS).until(() -> hook.has("slow_job", "firing"));
            c.latencyMillis = 0;
            assertThat(job.get(60, TimeUnit.SECONDS).status()).isEqualTo("DONE");
            await().atMost(5, TimeUnit.SECONDS).until(() -> hook.has("slow_job", "resolved"));
            assertThat(log.text()).contains("ALERT FIRING slow_job job_id=all-leads");
        }
    }

    /** Tees System.out (where the log goes) into a buffer for the length of a test. */
    public static final class CapturedLog implements AutoCloseable {
        private final PrintStream original = System.out;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        public CapturedLog() {
            System.setOut(new PrintStream(new java.io.OutputStream() {
                @Override public void write(int b) { buffer.write(b); original.write(b); }
                @Override public void write(byte[] b, int off, int len) { buffer.write(b, off, len); original.write(b, off, len); }
            }, true, StandardCharsets.UTF_8));
        }

        public String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setOut(original);
        }
    }
}
