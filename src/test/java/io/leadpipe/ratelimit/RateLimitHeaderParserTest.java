package io.leadpipe.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeaderParserTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private final RateLimitHeaderParser parser = new RateLimitHeaderParser(RateLimitHeaderNames.defaults());

    private static Map<String, String> headers(String... kv) {
        return TestHeaders.of(kv);
    }

    private RateLimitSnapshot parse(RateLimitHeaderParser p, String... kv) {
        return p.parse(headers(kv)::get, NOW);
    }

    @Test
    void xRateLimitWithEpochSecondsReset() {
        RateLimitSnapshot s = parse(parser, "X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "42", "X-RateLimit-Reset", Long.toString(NOW.getEpochSecond() + 30));
        assertThat(s).isEqualTo(new RateLimitSnapshot(100L, 42L, NOW.plusSeconds(30)));
    }

    @Test
    void xRateLimitWithEpochMillisReset() {
        RateLimitSnapshot s = parse(parser, "x-ratelimit-limit", "100", "x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(NOW.toEpochMilli() + 1500));
        assertThat(s.resetAt()).isEqualTo(NOW.plusMillis(1500));
        assertThat(s.remaining()).isZero();
    }

    @Test
    void xRateLimitWithDeltaSecondsReset() {
        assertThat(parse(parser, "X-RateLimit-Remaining", "5", "X-RateLimit-Reset", "17").resetAt()).isEqualTo(NOW.plusSeconds(17));
    }

    @Test
    void aConfiguredResetFormatWinsOverGuessing() {
        RateLimitHeaderNames d = RateLimitHeaderNames.defaults();
        RateLimitHeaderParser deltaOnly = new RateLimitHeaderParser(new RateLimitHeaderNames(d.limit(), d.remaining(), d.reset(), ResetFormat.DELTA_SECONDS,
                d.ietfLimit(), d.ietfRemaining(), d.ietfReset(), d.ietfPolicy(), d.ietfRateLimit(), d.retryAfter()));
        // a provider documenting "seconds until reset" that happens to send a huge value is believed
        assertThat(parse(deltaOnly, "X-RateLimit-Remaining", "5", "X-RateLimit-Reset", "1000000000").resetAt()).isEqualTo(NOW.plusSeconds(1_000_000_000L));
    }

    @Test
    void aResetInSecondsRoundedUpIsReadAsTheLatestTheWindowEnds() {
        RateLimitHeaderNames d = RateLimitHeaderNames.defaults();
        RateLimitHeaderParser up = new RateLimitHeaderParser(new RateLimitHeaderNames(d.limit(), d.remaining(), d.reset(), ResetFormat.of("delta-seconds-up"),
                d.ietfLimit(), d.ietfRemaining(), d.ietfReset(), d.ietfPolicy(), d.ietfRateLimit(), d.retryAfter()));
        assertThat(parse(up, "X-RateLimit-Remaining", "39", "X-RateLimit-Reset", "2")).isEqualTo(new RateLimitSnapshot(null, 39L, NOW.plusSeconds(2), true));
        assertThat(parse(parser, "X-RateLimit-Remaining", "39", "X-RateLimit-Reset", "2").resetIsLatest()).as("auto: rounding not known").isFalse();
    }

    @Test
    void vendorPrefixedNamesAreConfigurable() {
        RateLimitHeaderNames d = RateLimitHeaderNames.defaults();
        RateLimitHeaderParser vendor = new RateLimitHeaderParser(new RateLimitHeaderNames("X-Acme-Quota-Max", "X-Acme-Quota-Left", "X-Acme-Quota-Reset",
                ResetFormat.AUTO, d.ietfLimit(), d.ietfRemaining(), d.ietfReset(), d.ietfPolicy(), d.ietfRateLimit(), d.retryAfter()));
        assertThat(parse(vendor, "X-Acme-Quota-Max", "50", "X-Acme-Quota-Left", "7", "X-Acme-Quota-Reset", "3"))
                .isEqualTo(new RateLimitSnapshot(50L, 7L, NOW.plusSeconds(3)));
    }

    @Test
    void epochResetIsCorrectedForServerClockSkew() {
        // the server's clock is 60 s behind ours; its reset is 10 s after its own "now"
        Instant serverNow = NOW.minusSeconds(60);
        RateLimitSnapshot s = parse(parser, "X-RateLimit-Remaining", "1", "X-RateLimit-Reset", Long.toString(serverNow.getEpochSecond() + 10),
                "Date", RetryAfter.format(serverNow));
        assertThat(s.resetAt()).isEqualTo(NOW.plusSeconds(10));
    }

    @Test
    void ietfSeparateHeaders() {
        assertThat(parse(parser, "RateLimit-Limit", "10", "RateLimit-Remaining", "3", "RateLimit-Reset", "2"))
                .isEqualTo(new RateLimitSnapshot(10L, 3L, NOW.plusSeconds(2)));
    }

    @Test
    void ietfStructuredFields() {
        assertThat(parse(parser, "RateLimit-Policy", "\"default\";q=100;w=60", "RateLimit", "\"default\";r=50;t=30"))
                .isEqualTo(new RateLimitSnapshot(100L, 50L, NOW.plusSeconds(30)));
    }

    @Test
    void aFractionalDictionaryResetIsRoundedUpNeverEarly() {
        // Close: ratelimit: limit=240, remaining=0, reset=0.25
        assertThat(parse(parser, "ratelimit", "limit=240, remaining=0, reset=0.25"))
                .isEqualTo(new RateLimitSnapshot(240L, 0L, NOW.plusSeconds(1)));
        assertThat(parse(parser, "ratelimit", "limit=240, remaining=3, reset=1.5.2").resetAt()).isNull();
    }

    @Test
    void ietfStructuredFieldsWithSeveralPoliciesUseTheTightest() {
        RateLimitSnapshot s = parse(parser, "RateLimit-Policy", "\"burst\";q=10;w=1, \"daily\";q=5000;w=86400",
                "RateLimit", "\"burst\";r=8;t=1, \"daily\";r=2;t=3600");
        assertThat(s).isEqualTo(new RateLimitSnapshot(5000L, 2L, NOW.plusSeconds(3600)));
    }

    @Test
    void ietfStructuredWithoutTUsesThePolicyWindow() {
        assertThat(parse(parser, "RateLimit-Policy", "\"p\";q=100;w=60", "RateLimit", "\"p\";r=4").resetAt()).isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void olderIetfDictionaryForm() {
        assertThat(parse(parser, "RateLimit", "limit=100, remaining=50, reset=30"))
                .isEqualTo(new RateLimitSnapshot(100L, 50L, NOW.plusSeconds(30)));
    }

    @Test
    void garbageValuesAreIgnoredNotFatal() {
        assertThat(parse(parser, "X-RateLimit-Limit", "lots", "X-RateLimit-Remaining", "-3", "X-RateLimit-Reset", "tomorrow").isEmpty()).isTrue();
        assertThat(parse(parser, "X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "1e3", "X-RateLimit-Reset", "").remaining()).isNull();
        assertThat(parse(parser, "RateLimit", "\"p\";r=abc;t=;", "RateLimit-Policy", ";;;").isEmpty()).isTrue();
        assertThat(parse(parser, "RateLimit", "garbage, =, \"unterminated").isEmpty()).isTrue();
        assertThat(parse(parser, "X-RateLimit-Remaining", "99999999999999999999999").remaining()).isNull();
    }

    @Test
    void noHeadersAtAll() {
        assertThat(parse(parser).isEmpty()).isTrue();
    }

    @Test
    void retryAfterHeaderNameIsConfigurable() {
        RateLimitHeaderNames d = RateLimitHeaderNames.defaults();
        RateLimitHeaderParser p = new RateLimitHeaderParser(new RateLimitHeaderNames(d.limit(), d.remaining(), d.reset(), d.resetFormat(),
                d.ietfLimit(), d.ietfRemaining(), d.ietfReset(), d.ietfPolicy(), d.ietfRateLimit(), "X-Retry-In"));
        assertThat(p.retryAfter(headers("X-Retry-In", "4")::get, NOW)).contains(java.time.Duration.ofSeconds(4));
    }
}
