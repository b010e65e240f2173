package io.leadpipe.ratelimit;

import io.leadpipe.config.Settings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** What `probe` shows of an answer's quota: the style that matched, windows, rules, and headers nothing reads. */
class QuotaReadingTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private final RateLimitHeaderParser parser = new RateLimitHeaderParser(RateLimitHeaderNames.defaults());

    private static Map<String, String> headers(String... kv) {
        return TestHeaders.of(kv);
    }

    private String style(String... kv) {
        return parser.read(headers(kv)::get, NOW).style();
    }

    @Test
    void eachStyleIsNamedAndTheResetFormatThatWasGuessed() {
        assertThat(style("X-RateLimit-Remaining", "5", "X-RateLimit-Reset", Long.toString(NOW.getEpochSecond() + 30)))
                .isEqualTo("X-RateLimit (X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset: reset " + (NOW.getEpochSecond() + 30) + " read as epoch seconds (auto))");
        assertThat(style("X-RateLimit-Remaining", "5", "X-RateLimit-Reset", "2000")).contains("reset 2000 read as delta seconds (auto)");
        assertThat(style("X-RateLimit-Remaining", "5", "X-RateLimit-Reset", Long.toString(NOW.toEpochMilli()))).contains("read as epoch millis (auto)");
        assertThat(style("RateLimit-Limit", "10", "RateLimit-Remaining", "3", "RateLimit-Reset", "4")).startsWith("IETF separate");
        assertThat(style("RateLimit-Policy", "\"d\";q=100;w=60", "RateLimit", "\"d\";r=50;t=30")).startsWith("IETF structured");
        assertThat(style("RateLimit", "limit=100, remaining=50, reset=30")).startsWith("IETF dictionary");
        assertThat(style("Content-Type", "application/json")).isNull();
    }

    @Test
    void windowsRulesAndUnreadHeadersOfASource() {
        Properties p = new Properties();
        p.setProperty("leadpipe.sources", "api");
        p.setProperty("leadpipe.source.api.url", "http://127.0.0.1:1/x");
        p.setProperty("leadpipe.source.api.quota.minute.limit-header", "x-rate-limit-minute");
        p.setProperty("leadpipe.source.api.quota.minute.remaining-header", "x-minute-requests-left");
        Settings settings = Settings.load(Path.of("application.properties"), null, Map.of(), Map.of(), p);
        RateLimits limits = new RateLimits();
        io.leadpipe.config.ApiKeys keys = io.leadpipe.config.ApiKeys.source(settings, "api");
        limits.register("api", "key", new QuotaSpec(RateLimitHeaderNames.read(keys), QuotaWindows.read(keys),
                RateLimitRules.parse("status=403 header=X-RateLimit-Remaining:0 wait=reset"), 50), new RatePolicy(10, Duration.ZERO, 1.0));

        QuotaReading q = limits.quota("api").read(headers("x-rate-limit-minute", "50", "x-minute-requests-left", "7", "x-rate-limit-daily", "600",
                "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "90"), 403, "{}");

        assertThat(q.windowNames()).containsExactly("minute");
        assertThat(q.windows()).containsExactly(new QuotaWindows.Reading("minute", 50L, 7L, Duration.ofMinutes(1)));
        assertThat(q.matchedRule()).contains("status=403 header=X-RateLimit-Remaining:0 wait=reset");
        assertThat(q.ruleWait()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(89), Duration.ofSeconds(90)));
        assertThat(q.unreadHeaders()).containsExactly("x-rate-limit-daily");
        assertThat(q.rules()).containsExactly("status=403 header=X-RateLimit-Remaining:0 wait=reset");
    }
}
