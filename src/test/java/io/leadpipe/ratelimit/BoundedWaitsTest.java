package io.leadpipe.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** No wait is longer than max-wait, no header value overflows a date, and long waits are logged with their date. */
class BoundedWaitsTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T10:00:00Z"));
    private final List<Duration> sleeps = new ArrayList<>();
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    private RateLimitGovernor governor() {
        return new RateLimitGovernor("test", 0, Duration.ofMillis(250), clock, d -> {
            sleeps.add(d);
            now.set(now.get().plus(d));
        }).maxWait(Duration.ofMinutes(15));
    }

    @Test
    void aResetAYearAheadIsNotWaitedFor() {
        RateLimitGovernor g = governor();
        Instant reset = now.get().plus(Duration.ofDays(365));
        g.observe(new RateLimitSnapshot(100L, 0L, reset));
        assertThatThrownBy(() -> g.acquire("job")).isInstanceOfSatisfying(WaitTooLongException.class, e -> {
            assertThat(e.comeBackAt()).isEqualTo(reset.plusMillis(250));
            assertThat(e.getMessage()).contains("come back at " + WaitTimes.fullDate(reset.plusMillis(250))).contains("max-wait (15 min)");
        });
        assertThat(sleeps).as("nothing slept").isEmpty();
    }

    @Test
    void aRetryAfterOfNinetyNineMillionSecondsIsNotWaitedFor() {
        RateLimitGovernor g = governor();
        g.rejected(RetryAfter.parse("99999999", null, now.get()).orElseThrow(), false);
        assertThatThrownBy(() -> g.acquire("job")).isInstanceOf(WaitTooLongException.class).hasMessageContaining("2030-");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void waitsWithinMaxWaitAreMade() throws Exception {
        RateLimitGovernor g = governor();
        g.rejected(Duration.ofMinutes(14), false);
        g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofMinutes(14));
    }

    @Test
    void headerValuesBeyondAnyDateDoNotOverflow() {
        Instant at = Instant.parse("2026-11-28T10:00:00Z");
        assertThat(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", null, at)).isPresent();
        RateLimitGovernor g = governor();
        g.rejected(Duration.ofSeconds(Long.MAX_VALUE), false);
        assertThatThrownBy(() -> g.acquire("job")).isInstanceOf(WaitTooLongException.class);
        RateLimitHeaderNames d = RateLimitHeaderNames.defaults();
        for (ResetFormat format : List.of(ResetFormat.EPOCH_SECONDS, ResetFormat.DELTA_SECONDS, ResetFormat.AUTO)) {
            RateLimitHeaderParser parser = new RateLimitHeaderParser(new RateLimitHeaderNames(d.limit(), d.remaining(), d.reset(), format,
                    d.ietfLimit(), d.ietfRemaining(), d.ietfReset(), d.ietfPolicy(), d.ietfRateLimit(), d.retryAfter()));
            Map<String, String> h = Map.of("X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "999999999999999999");
            assertThat(parser.parse(h::get, at).resetAt()).as(format.name()).isAfter(at.plus(Duration.ofDays(365 * 1000L)));
        }
    }

    @Test
    void logLinesShowTheFullDateWhenAWaitCrossesMidnightOrExceedsAnHour() {
        ZoneId zone = ZoneId.systemDefault();
        Instant evening = LocalDateTime.parse("2026-11-28T23:50:00").atZone(zone).toInstant();
        assertThat(WaitTimes.until(evening, evening.plus(Duration.ofMinutes(5)))).isEqualTo("23:55");
        assertThat(WaitTimes.until(evening, evening.plus(Duration.ofMinutes(20)))).startsWith("2026-11-29 00:10:00");
        Instant morning = LocalDateTime.parse("2026-11-28T08:00:00").atZone(zone).toInstant();
        assertThat(WaitTimes.until(morning, morning.plus(Duration.ofMinutes(61)))).startsWith("2026-11-28 09:01:00");
        assertThat(WaitTimes.human(Duration.ofSeconds(99_999_999))).isEqualTo("1157 days");
        assertThat(WaitTimes.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(WaitTimes.parse("fifteen")).isNull();
    }
}
