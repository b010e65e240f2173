package io.leadpipe.simulator;

import com.sun.net.httpserver.Headers;
import io.leadpipe.ratelimit.RateLimitHeaderNames;
import io.leadpipe.ratelimit.RateLimitHeaderParser;
import io.leadpipe.ratelimit.RateLimitSnapshot;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator writes its quota headers with its own code; leadpipe's parser must read every style it
 * writes. Two independent implementations of one contract, checked against each other.
 */
class QuotaHeadersTest {

    // a single-digit day of the month: IMF-fixdate still writes two digits
    private static final long NOW = Instant.parse("2026-03-05T10:00:00.400Z").toEpochMilli();
    private final RateLimitHeaderParser parser = new RateLimitHeaderParser(RateLimitHeaderNames.defaults());

    @ParameterizedTest
    @ValueSource(strings = {"x-ratelimit-epoch", "x-ratelimit-delta", "ietf-legacy", "ietf-structured"})
    void leadpipeReadsEveryStyleTheSimulatorWrites(String style) {
        FixedWindowQuota quota = new FixedWindowQuota(60, 10_000);
        quota.acquire(NOW);
        Headers h = new Headers();
        QuotaHeaders.write(h, style, quota.acquire(NOW), quota.windowMillis, NOW);

        RateLimitSnapshot s = parser.parse(h::getFirst, Instant.ofEpochMilli(NOW));
        assertThat(s.limit()).as("limit in %s: %s", style, h).isEqualTo(60L);
        assertThat(s.remaining()).as("remaining in %s: %s", style, h).isEqualTo(58L);
        // the window ends at 10:00:10.000; headers carry whole seconds, rounded up
        assertThat(s.resetAt()).as("reset in %s: %s", style, h).isBetween(Instant.parse("2026-03-05T10:00:10Z"), Instant.parse("2026-03-05T10:00:10.400Z"));
    }

    @Test
    void noneWritesNothing() {
        Headers h = new Headers();
        QuotaHeaders.write(h, "none", new FixedWindowQuota(5, 1000).acquire(NOW), 1000, NOW);
        assertThat(h).isEmpty();
        assertThat(QuotaHeaders.retryAfter(h, "none", NOW, 2000)).isNull();
        assertThat(h).isEmpty();
    }

    @Test
    void retryAfterInSecondsIsRoundedUp() {
        Headers h = new Headers();
        assertThat(QuotaHeaders.retryAfter(h, "seconds", NOW, 1001)).isEqualTo("2");
        assertThat(parser.retryAfter(h::getFirst, Instant.ofEpochMilli(NOW))).contains(Duration.ofSeconds(2));
    }

    @Test
    void retryAfterAsHttpDateIsAnImfFixdateLeadpipeReads() {
        Headers h = new Headers();
        String value = QuotaHeaders.retryAfter(h, "http-date", NOW, 3000);
        assertThat(value).isEqualTo("Thu, 05 Mar 2026 10:00:03 GMT");
        // measured against our clock: 10:00:00.400 → 10:00:03 is 2.6 s
        assertThat(parser.retryAfter(h::getFirst, Instant.ofEpochMilli(NOW))).contains(Duration.ofMillis(2600));
    }
}
