package io.leadpipe.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** concurrency = auto: requests in flight = the quota's rate × the answer time × 1.5, at least 1, at most the bound. */
class InFlightNeededTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-05T10:00:00.400Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    private RateLimitGovernor governor() {
        return new RateLimitGovernor("test", 0, Duration.ofMillis(100), clock, d -> now.set(now.get().plus(d)));
    }

    private static ApiQuota quota(RateLimitGovernor g, int maxRequestsPerSecond) {
        return new ApiQuota("test", g, new QuotaSpec(RateLimitHeaderNames.defaults(), QuotaWindows.none(), RateLimitRules.none(), maxRequestsPerSecond),
                () -> (key, millis) -> { });
    }

    private static void answers(ApiQuota q, long millis, int times) {
        for (int i = 0; i < times; i++) q.answered(Duration.ofMillis(millis).toNanos());
    }

    /** Ten requests a second, the window seen to refill once (so its length is known: one second). */
    private RateLimitGovernor tenPerSecond() throws Exception {
        RateLimitGovernor g = governor();
        Instant reset = Instant.parse("2026-12-05T10:00:01Z");
        g.acquire("job");
        g.observe(new RateLimitSnapshot(10L, 9L, reset));
        now.set(reset.plusMillis(150));
        g.acquire("job");
        g.observe(new RateLimitSnapshot(10L, 9L, reset.plusSeconds(1)));
        return g;
    }

    @Test
    void pagesInFlightFollowTheAnswerTimeAtTheQuotasRate() throws Exception {
        ApiQuota q = quota(tenPerSecond(), 1000);
        assertThat(q.governor().allowedRate()).as("requests per second the window allows").isEqualTo(10.0);

        answers(q, 30, 20);
        assertThat(q.inFlightNeeded(16)).as("30 ms: one request at a time already uses the quota (10 × 0.03 × 1.5 = 0.45)").isEqualTo(1);

        answers(q, 300, 40);
        assertThat(q.inFlightNeeded(16)).as("300 ms: 10 × 0.3 × 1.5 = 4.5").isEqualTo(5);

        answers(q, 1000, 40);
        assertThat(q.inFlightNeeded(16)).as("1 s: 10 × 1 × 1.5").isEqualTo(15);
        assertThat(q.inFlightNeeded(8)).as("never more than the bound").isEqualTo(8);

        answers(q, 30, 40);
        assertThat(q.inFlightNeeded(16)).as("the API sped up again: back to one").isEqualTo(1);
    }

    @Test
    void theThrottlersCapIsTheRateWhenItIsTighterOrTheOnlyOneKnown() throws Exception {
        ApiQuota capped = quota(tenPerSecond(), 4);
        answers(capped, 500, 20);
        assertThat(capped.inFlightNeeded(16)).as("4/s × 0.5 s × 1.5 = 3").isEqualTo(3);

        ApiQuota unannounced = quota(governor(), 20);
        answers(unannounced, 500, 20);
        assertThat(unannounced.governor().allowedRate()).as("no quota headers: nothing announced").isNull();
        assertThat(unannounced.inFlightNeeded(16)).as("20/s × 0.5 s × 1.5 = 15").isEqualTo(15);
    }

    @Test
    void beforeAnyAnswerOnePageIsInFlight() {
        assertThat(quota(governor(), 1000).inFlightNeeded(16)).isEqualTo(1);
    }

    @Test
    void beforeAWindowRefillsTheTimeToItsResetStandsInForItsLengthNeverUnderASecond() throws Exception {
        RateLimitGovernor g = governor();
        g.acquire("job");
        // 0.6 s before the reset: the length is not known yet; a second stands in, not 0.6 s
        g.observe(new RateLimitSnapshot(10L, 9L, Instant.parse("2026-12-05T10:00:01Z")));
        assertThat(g.allowedRate()).isEqualTo(10.0);
    }
}
