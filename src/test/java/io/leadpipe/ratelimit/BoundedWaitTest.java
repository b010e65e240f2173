package io.leadpipe.ratelimit;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;

import com.sun.net.httpserver.HttpExchange;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An API that asks for a wait of years (Retry-After: 99999999, an HTTP-date in 9999, X-RateLimit-Reset a
 * year ahead) stops the job at once, checkpointed, saying when to come back — it does not park it for years.
 */
class BoundedWaitTest {

    interface SecondAnswer {
        void send(HttpExchange ex) throws Exception;
    }

    /** Page 1 of 3 is served; what follows is up to the test. */
    static FakeApi api(TestWorkspace ws, SecondAnswer afterPageOne) throws Exception {
        return new FakeApi((ex, n) -> {
            if (n == 1) FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"p2\"", 30));
            else afterPageOne.send(ex);
        }).serve(ws);
    }

    static void assertStoppedAfterPageOne(TestWorkspace ws, TestWorkspace.CliResult run, String comeBack) throws Exception {
        assertThat(run.exitCode()).as("a clean stop, not a failure: " + run.out() + run.err()).isEqualTo(0);
        Map<String, Object> cp = ws.checkpoint("all-leads");
        assertThat(cp.get("status")).isEqualTo("PAUSED");
        assertThat(cp.get("next_cursor")).as("the checkpoint's position is untouched").isEqualTo("p2");
        assertThat(((Number) cp.get("page_no")).intValue()).isEqualTo(1);
        assertThat(String.valueOf(cp.get("error"))).contains("asks to come back at " + comeBack).contains("leadpipe.ratelimit.max-wait (15 min)");
        assertThat(run.out()).contains("asks to come back at " + comeBack).contains("status          PAUSED");
    }

    @Test
    @Timeout(60)
    void retryAfterOfNinetyNineMillionSecondsStopsAtOnce() throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = api(ws, ex -> {
            ex.getResponseHeaders().set("Retry-After", "99999999");
            FakeApi.send(ex, 429, "application/json", "{\"error\":\"slow down\"}");
        })) {
            Instant before = Instant.now();
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            String year = Integer.toString(before.plusSeconds(99_999_999).atZone(ZoneId.systemDefault()).getYear());
            assertStoppedAfterPageOne(ws, run, year + "-");
            assertThat(api.requests.get()).as("no request after the 429").isEqualTo(2);
            assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    @Timeout(60)
    void anHttpDateInTheYear9999StopsAtOnce() throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = api(ws, ex -> {
            // the day before the last: the time is measured against the answer's Date header, in whole seconds, so on a
            // busy machine "come back at" can fall a second later than the API's date — past 9999 if that were the last second
            ex.getResponseHeaders().set("Retry-After", "Thu, 30 Dec 9999 23:59:59 GMT");
            FakeApi.send(ex, 503, "text/plain", "maintenance");
        })) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertStoppedAfterPageOne(ws, run, "9999-12-3"); // the 30th in UTC, perhaps the 31st in another zone
            assertThat(api.requests.get()).isEqualTo(2);
        }
    }

    @Test
    @Timeout(60)
    void aQuotaThatResetsInAYearStopsBeforeTheNextRequest() throws Exception {
        long inAYear = Instant.now().plus(Duration.ofDays(365)).getEpochSecond();
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            ex.getResponseHeaders().set("X-RateLimit-Limit", "100");
            ex.getResponseHeaders().set("X-RateLimit-Remaining", "0");
            ex.getResponseHeaders().set("X-RateLimit-Reset", Long.toString(inAYear));
            FakeApi.send(ex, 200, "application/json", FakeApi.page(0, 10, "\"p2\"", 30));
        }).serve(ws)) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            String date = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd").format(Instant.ofEpochSecond(inAYear).atZone(ZoneId.systemDefault()));
            assertStoppedAfterPageOne(ws, run, date);
            assertThat(api.requests.get()).as("the page that said so, nothing after").isEqualTo(1);
        }
    }

    /** Under `serve`: the job's trigger keeps its cron but its next firing is not before the API's time. */
    @Test
    @Timeout(60)
    void underServeTheNextFiringIsNotBeforeTheApiSaysToComeBack() throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            ex.getResponseHeaders().set("Retry-After", "99999999");
            FakeApi.send(ex, 429, "application/json", "{}");
        }).serve(ws)) {
            ws.jobs(TestWorkspace.job("all-leads", "") + "- templatedRoute:\n    routeTemplateRef: schedule\n    routeId: schedule-all-leads\n    parameters:\n"
                    + "      - { name: jobId, value: all-leads }\n      - { name: cron, value: \"0/1+*+*+*+*+?\" }\n");
            ws.settings.put("camel.main.routes-include-pattern", ws.settings.get("camel.main.routes-include-pattern") + ",file:routes/schedule.yaml");
            ws.settings.put("leadpipe.scheduler.enabled", "true");
            Instant before = Instant.now();
            try (LeadpipeWiring app = ws.app()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> ws.checkpoint("all-leads") != null && "PAUSED".equals(ws.checkpoint("all-leads").get("status")));
                QuartzComponent quartz = app.context().getComponent("quartz", QuartzComponent.class);
                Trigger trigger;
                await().atMost(Duration.ofSeconds(5)).until(() -> quartz.getScheduler().getTrigger(TriggerKey.triggerKey("all-leads", "leadpipe"))
                        .getNextFireTime().toInstant().isAfter(before.plus(Duration.ofDays(365))));
                trigger = quartz.getScheduler().getTrigger(TriggerKey.triggerKey("all-leads", "leadpipe"));
                assertThat(trigger.getNextFireTime().toInstant()).isAfterOrEqualTo(before.plusSeconds(99_999_999));
                assertThat(api.requests.get()).as("the one request that was answered with the wait").isEqualTo(1);
                // the cron would have fired twice in this time: not one more request may come
                await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                        .failFast(() -> assertThat(api.requests.get()).as("no firing, no request before the API's time").isEqualTo(1))
                        .until(() -> api.requests.get() == 1);
            }
        }
    }
}
