package io.leadpipe.ratelimit;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The quota-signal settings: read from application.properties' layers, typos refused, values parsed as the vendors write them. */
class QuotaSignalSettingsTest {

    private static Settings load(String... kv) {
        Map<String, String> cli = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) cli.put(kv[i], kv[i + 1]);
        return Settings.load(Path.of("application.properties"), null, cli, Map.of(), new Properties());
    }

    private static final String P = "leadpipe.source.leads-api.";

    private static QuotaWindows windows(Settings s, String source) {
        return QuotaWindows.read(io.leadpipe.config.ApiKeys.source(s, source));
    }

    @Test
    void aTypoInAQuotaSettingIsRefusedWithTheClosestKey() {
        assertThatThrownBy(() -> load(P + "quota.minute.limit-heder", "x-rate-limit-minute"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean " + P + "quota.minute.limit-header");
        assertThatThrownBy(() -> load(P + "rate-limit-rule", "status=403 body=X"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(P + "rate-limit-rules");
    }

    @Test
    void salesforceUsedOverLimitInOneValue() {
        QuotaWindows w = windows(load(P + "quota.day.used-header", "Sforce-Limit-Info",
                P + "quota.day.used-pattern", "api-usage=(?<used>\\d+)/(?<limit>\\d+)"), "leads-api");
        List<QuotaWindows.Reading> r = w.read(Map.of("Sforce-Limit-Info", "api-usage=18/15000; api-bursts=1/750")::get);
        assertThat(r).containsExactly(new QuotaWindows.Reading("day", 15000L, 14982L, Duration.ofDays(1)));
    }

    @Test
    void apolloUsageWithLimitAndHubSpotIntervalFromAHeader() {
        QuotaWindows w = windows(load(P + "quota.minute.limit-header", "x-rate-limit-minute", P + "quota.minute.used-header", "x-minute-usage",
                P + "quota.window.limit-header", "X-HubSpot-RateLimit-Max", P + "quota.window.remaining-header", "X-HubSpot-RateLimit-Remaining",
                P + "quota.window.interval-header", "X-HubSpot-RateLimit-Interval-Milliseconds"), "leads-api");
        List<QuotaWindows.Reading> r = w.read(Map.of("x-rate-limit-minute", "50", "x-minute-usage", "5", "X-HubSpot-RateLimit-Max", "100",
                "X-HubSpot-RateLimit-Remaining", "97", "X-HubSpot-RateLimit-Interval-Milliseconds", "10000")::get);
        assertThat(r).containsExactly(new QuotaWindows.Reading("minute", 50L, 45L, Duration.ofMinutes(1)),
                new QuotaWindows.Reading("window", 100L, 97L, Duration.ofSeconds(10)));
    }

    @Test
    void aWindowWithoutALengthIsAConfigurationError() {
        assertThatThrownBy(() -> windows(load(P + "quota.window.remaining-header", "X-Left"), "leads-api"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("interval");
    }

    @Test
    void githubRulesRecogniseBothKindsOf403AndNothingElse() {
        RateLimitRules rules = RateLimitRules.parse("status=403 header=X-RateLimit-Remaining:0 wait=reset; status=403 header=Retry-After wait=retry-after");
        assertThat(rules.match(403, Map.of("X-RateLimit-Remaining", "0")::get, "{}")).isPresent();
        assertThat(rules.match(403, Map.of("Retry-After", "60")::get, "{}").map(RateLimitRules.Rule::text)).hasValue("status=403 header=Retry-After wait=retry-after");
        assertThat(rules.match(403, Map.of("X-RateLimit-Remaining", "4999")::get, "{\"message\":\"Resource not accessible\"}")).isEmpty();
        assertThat(rules.match(404, Map.of("X-RateLimit-Remaining", "0")::get, "")).isEmpty();
    }

    @Test
    void aResetRuleWaitsUntilTheAnswersReset() {
        Instant now = Instant.parse("2026-11-28T10:00:00Z");
        RateLimitRules.Rule rule = RateLimitRules.parse("status=403 header=X-RateLimit-Remaining:0 wait=reset").match(403, Map.of("X-RateLimit-Remaining", "0")::get, "").orElseThrow();
        assertThat(RateLimitRules.waitFor(rule, new RateLimitSnapshot(5000L, 0L, now.plusSeconds(42)), Optional.empty(), now)).hasValue(Duration.ofSeconds(42));
        RateLimitRules.Rule daily = RateLimitRules.parse("status=403 body=REQUEST_LIMIT_EXCEEDED wait=24h").match(403, k -> null,
                "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]").orElseThrow();
        assertThat(RateLimitRules.waitFor(daily, new RateLimitSnapshot(null, null, null), Optional.empty(), now)).hasValue(Duration.ofHours(24));
    }

    @Test
    void unreadableRulesAreRefused() {
        assertThatThrownBy(() -> RateLimitRules.parse("status=403")).hasMessageContaining("needs a header= or body=");
        assertThatThrownBy(() -> RateLimitRules.parse("status=403 body=X wait=soon")).hasMessageContaining("wait 'soon'");
        assertThatThrownBy(() -> RateLimitRules.parse("code=403 body=X")).hasMessageContaining("'code'");
    }
}
