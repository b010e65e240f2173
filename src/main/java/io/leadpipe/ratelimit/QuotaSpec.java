package io.leadpipe.ratelimit;

import io.leadpipe.config.ApiKeys;

/**
 * What one API says about its quota and how hard we may call it: the rate-limit header names, the windows
 * announced without a reset time, the answers besides 429 that mean "slow down", and the Throttler's cap.
 */
public record QuotaSpec(RateLimitHeaderNames headers, QuotaWindows windows, RateLimitRules rules, int maxRequestsPerSecond) {

    public static QuotaSpec read(ApiKeys k) {
        String rules = k.text("rate-limit-rules", "");
        RateLimitRules parsed;
        try {
            parsed = RateLimitRules.parse(rules == null ? "" : rules);
        } catch (IllegalArgumentException e) {
            throw k.invalid("rate-limit-rules", rules, e.getMessage());
        }
        return new QuotaSpec(RateLimitHeaderNames.read(k), QuotaWindows.read(k), parsed, k.integer("max-requests-per-second"));
    }
}
