package io.leadpipe.ratelimit;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.QuotaFake;
import io.leadpipe.testing.QuotaWindow;
import io.leadpipe.testing.TestWorkspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quota signals beyond X-RateLimit and IETF, each against a fake written from the vendor's documentation
 * (windows shortened to seconds so the tests are quick): a rolling window without a reset time (HubSpot),
 * several windows at once (Apollo), usage in one header (Salesforce), and answers besides 429 that mean
 * "slow down" (GitHub's 403s, Salesforce's REQUEST_LIMIT_EXCEEDED). Every test counts the requests sent
 * after the fake had announced a window spent: 0.
 */
class QuotaSignalsTest {

    private static final int LEADS = 200; // 20 pages of 10

    private static TestWorkspace workspace() throws Exception {
        TestWorkspace ws = new TestWorkspace();
        ws.settings.put("leadpipe.source.leads-api.page-size", "10");
        return ws;
    }

    private static void assertComplete(TestWorkspace ws, QuotaFake api, TestWorkspace.CliResult run) throws Exception {
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        List<String> keys = ws.storedLeadKeys();
        assertThat(keys).as("each lead once").hasSize(api.leads);
        assertThat(new HashSet<>(keys)).isEqualTo(api.allIds());
        assertThat(api.sentIntoAnnouncedSpent()).as("requests sent after the API announced the window spent").isZero();
    }

    /**
     * HubSpot: X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds, a rolling window (10 s on
     * HubSpot, 1 s here); over it, 429 with a JSON error. No reset header at all.
     */
    @Test
    @Timeout(120)
    void hubspotRollingWindowWithoutAResetIsNeverOverspent() throws Exception {
        QuotaWindow rolling = QuotaWindow.rolling("ten-secondly", 10, 1000);
        try (TestWorkspace ws = workspace(); QuotaFake api = new QuotaFake(LEADS, List.of(rolling), (h, w, now) -> {
            h.set("X-HubSpot-RateLimit-Max", "10");
            h.set("X-HubSpot-RateLimit-Remaining", Long.toString(rolling.remaining(now)));
            h.set("X-HubSpot-RateLimit-Interval-Milliseconds", "1000");
        }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json",
                "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\",\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}")).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.quota.window.limit-header", "X-HubSpot-RateLimit-Max");
            ws.settings.put("leadpipe.source.leads-api.quota.window.remaining-header", "X-HubSpot-RateLimit-Remaining");
            ws.settings.put("leadpipe.source.leads-api.quota.window.interval-header", "X-HubSpot-RateLimit-Interval-Milliseconds");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertComplete(ws, api, run);
            assertThat(api.refused()).as("429s").isZero();
            assertThat(api.requests()).isEqualTo(20);
            List<Long> at = api.arrivals();
            assertThat(at.get(at.size() - 1) - at.get(0)).as("20 requests at 9 per rolling second (floor 1) take two refills").isGreaterThanOrEqualTo(2000);
        }
    }

    /**
     * Apollo: minute, hour and day counters at once (x-rate-limit-minute with x-minute-usage, x-rate-limit-hourly
     * with x-hourly-requests-left, x-rate-limit-daily with x-daily-requests-left), fixed windows, no reset
     * header; here a "minute" of 1 s and an "hour" of 3 s. The tightest (the hour's 12) paces.
     */
    @Test
    @Timeout(120)
    void apolloSeveralWindowsAtOnceTheTightestPaces() throws Exception {
        QuotaWindow minute = QuotaWindow.fixed("minute", 8, 1000, 130);
        QuotaWindow hour = QuotaWindow.fixed("hour", 12, 3000, 470);
        QuotaWindow day = QuotaWindow.fixed("day", 1000, 86_400_000, 0);
        try (TestWorkspace ws = workspace(); QuotaFake api = new QuotaFake(LEADS, List.of(minute, hour, day), (h, w, now) -> {
            h.set("x-rate-limit-minute", "8");
            h.set("x-minute-usage", Long.toString(minute.used(now)));
            h.set("x-minute-requests-left", Long.toString(minute.remaining(now)));
            h.set("x-rate-limit-hourly", "12");
            h.set("x-hourly-usage", Long.toString(hour.used(now)));
            h.set("x-hourly-requests-left", Long.toString(hour.remaining(now)));
            h.set("x-rate-limit-daily", "1000");
            h.set("x-daily-usage", Long.toString(day.used(now)));
            h.set("x-daily-requests-left", Long.toString(day.remaining(now)));
        }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{\"error\":\"rate limit exceeded\"}")).serve(ws)) {
            String p = "leadpipe.source.leads-api.quota.";
            ws.settings.put(p + "minute.limit-header", "x-rate-limit-minute");
            ws.settings.put(p + "minute.used-header", "x-minute-usage"); // the usage form: used with limit
            ws.settings.put(p + "minute.interval", "1s");
            ws.settings.put(p + "hour.limit-header", "x-rate-limit-hourly");
            ws.settings.put(p + "hour.remaining-header", "x-hourly-requests-left");
            ws.settings.put(p + "hour.interval", "3s");
            ws.settings.put(p + "day.limit-header", "x-rate-limit-daily");
            ws.settings.put(p + "day.remaining-header", "x-daily-requests-left");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertComplete(ws, api, run);
            assertThat(api.refused()).as("429s").isZero();
            // the API's hour windows are fixed (3 s from 470 ms past each multiple): no window got more than the hour's
            // 12 — the minute window alone would have let up to 21 in. (The governor aims for 11, keeping a floor of 1,
            // but it infers the window's edges from answers; on a loaded machine a request sent in one window can
            // reach the API in the next, so 12 is the honest bound, and the API's 0 refusals above confirm it.)
            java.util.Map<Long, Long> perHourWindow = api.arrivals().stream().collect(java.util.stream.Collectors.groupingBy(
                    t -> Math.floorDiv(t - hour.offsetMillis, 3000L), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
            assertThat(perHourWindow.values()).as("requests per fixed hour window %s: the hour window paced", perHourWindow)
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(12L));
        }
    }

    /** Salesforce: Sforce-Limit-Info: api-usage=18/15000 — used/limit in one value (a rolling 24 h; 2 s here). */
    @Test
    @Timeout(120)
    void salesforceUsageInOneHeaderValuePaces() throws Exception {
        QuotaWindow daily = QuotaWindow.rolling("day", 15, 2000);
        try (TestWorkspace ws = workspace(); QuotaFake api = new QuotaFake(LEADS, List.of(daily), (h, w, now) ->
                h.set("Sforce-Limit-Info", "api-usage=" + daily.used(now) + "/15"),
                (ex, spent, now) -> FakeApi.send(ex, 403, "application/json",
                        "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]")).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.quota.day.used-header", "Sforce-Limit-Info");
            ws.settings.put("leadpipe.source.leads-api.quota.day.used-pattern", "api-usage=(?<used>\\d+)/(?<limit>\\d+)");
            ws.settings.put("leadpipe.source.leads-api.quota.day.interval", "2s");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertComplete(ws, api, run);
            assertThat(api.refused()).as("403 REQUEST_LIMIT_EXCEEDED answers").isZero();
        }
    }

    /**
     * Salesforce's org-wide daily quota spent by another integration: 403 REQUEST_LIMIT_EXCEEDED. A rule
     * makes it a daily quota: the job stops cleanly (PAUSED), checkpointed, saying when the quota refills
     * (at the latest a day later: the window is a rolling 24 h), instead of retrying; the next run resumes.
     */
    @Test
    @Timeout(120)
    void salesforceDailyQuotaSpentStopsTheJobCleanlyAndItResumesLater() throws Exception {
        QuotaWindow daily = QuotaWindow.fixed("day", 5, 86_400_000, 0);
        try (TestWorkspace ws = workspace(); QuotaFake api = new QuotaFake(LEADS, List.of(daily), (h, w, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 403, "application/json",
                        "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]")).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.rate-limit-rules", "status=403 body=REQUEST_LIMIT_EXCEEDED wait=24h");
            api.headersShowTheWindows = false; // another integration spent the org's quota: only the 403 says so
            java.time.Instant before = java.time.Instant.now();
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("a clean stop: " + run.out() + run.err()).isZero();
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("PAUSED");
            assertThat(((Number) cp.get("page_no")).intValue()).as("the checkpoint keeps the 5 stored pages").isEqualTo(5);
            String tomorrow = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd")
                    .format(before.plus(java.time.Duration.ofDays(1)).atZone(java.time.ZoneId.systemDefault()));
            assertThat(String.valueOf(cp.get("error"))).contains("asks to come back at " + tomorrow).contains("REQUEST_LIMIT_EXCEEDED");
            assertThat(run.out()).contains("status          PAUSED");
            assertThat(api.requests()).as("5 pages, the 403, and nothing after it").isEqualTo(6);
            assertThat(api.sentIntoAnnouncedSpent()).isZero();

            daily.refill(15_000); // the next day
            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(api.allIds());
            assertThat(ws.storedLeadKeys()).hasSize(LEADS);
        }
    }

    private static final String GITHUB_RULES = "status=403 header=X-RateLimit-Remaining:0 wait=reset; status=403 header=Retry-After wait=retry-after";

    /**
     * GitHub's primary limit reached through other clients' use between our answers: 403 with
     * X-RateLimit-Remaining: 0 and X-RateLimit-Reset (epoch seconds, the same reset as every answer of the
     * window) — waited until the reset, not failed. Requests 6 and 14 meet the spent quota, whatever the timing.
     */
    @Test
    @Timeout(120)
    void github403WithRemainingZeroWaitsUntilTheReset() throws Exception {
        QuotaWindow core = QuotaWindow.fixed("core", 1000, 2000, 310); // the "hour", 2 s here
        try (TestWorkspace ws = workspace(); QuotaFake api = new QuotaFake(LEADS, List.of(core), (h, w, now) -> {
            h.set("X-RateLimit-Limit", "5000");
            h.set("X-RateLimit-Remaining", Long.toString(4000 - core.used(now)));
            h.set("X-RateLimit-Used", Long.toString(1000 + core.used(now)));
            h.set("X-RateLimit-Reset", Long.toString((core.resetMillis(now) + 999) / 1000));
            h.set("X-RateLimit-Resource", "core");
        }, (ex, spent, now) -> {
            ex.getResponseHeaders().set("X-RateLimit-Remaining", "0");
            ex.getResponseHeaders().set("X-RateLimit-Reset", Long.toString((core.resetMillis(now) + 999) / 1000));
            FakeApi.send(ex, 403, "application/json", "{\"message\":\"API rate limit exceeded for user ID 1.\","
                    + "\"documentation_url\":\"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting\"}");
        }).serve(ws)) {
            api.burstAt = java.util.Set.of(6, 14);
            api.burstUntil = now -> (core.resetMillis(now) + 999) / 1000 * 1000; // spent until the announced reset
            ws.settings.put("leadpipe.source.leads-api.rate-limit-rules", GITHUB_RULES);
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertComplete(ws, api, run);
            assertThat(api.refused()).as("403s that were waited out").isEqualTo(2);
        }
    }

    /** GitHub's secondary limit: 403 with Retry-After while the primary quota is far from spent (requests 5 and 12). */
    @Test
    @Timeout(120)
    void github403WithRetryAfterWaitsThatLong() throws Exception {
        try (TestWorkspace ws = workspace(); QuotaFake api = new QuotaFake(LEADS, List.of(), (h, w, now) -> {
            h.set("X-RateLimit-Limit", "5000");
            h.set("X-RateLimit-Remaining", "4000");
            h.set("X-RateLimit-Reset", Long.toString(now / 1000 + 3600));
        }, (ex, spent, now) -> {
            ex.getResponseHeaders().set("Retry-After", "1");
            FakeApi.send(ex, 403, "application/json", "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.\"}");
        }).serve(ws)) {
            api.burstAt = java.util.Set.of(5, 12);
            api.burstUntil = now -> now + 1000;
            ws.settings.put("leadpipe.source.leads-api.rate-limit-rules", GITHUB_RULES);
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertComplete(ws, api, run);
            assertThat(api.refused()).as("403s that were waited out").isEqualTo(2);
            assertThat(api.requests()).isEqualTo(22);
        }
    }

    /** A 403 no rule recognises (a permission problem) still fails the job at once: one request for that page. */
    @Test
    @Timeout(120)
    void aForbiddenAnswerNoRuleMatchesStillFailsAtOnce() throws Exception {
        QuotaWindow allowsTwo = QuotaWindow.fixed("forbidden", 2, 86_400_000, 0);
        try (TestWorkspace ws = workspace(); QuotaFake api = new QuotaFake(LEADS, List.of(allowsTwo), (h, w, now) -> {
            h.set("X-RateLimit-Limit", "5000");
            h.set("X-RateLimit-Remaining", "4000");
        }, (ex, spent, now) -> FakeApi.send(ex, 403, "application/json", "{\"message\":\"Resource not accessible by integration\"}")).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.rate-limit-rules", GITHUB_RULES);
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("FAILED");
            assertThat(api.requests()).as("two pages and the 403, not retried").isEqualTo(3);
        }
    }
}
