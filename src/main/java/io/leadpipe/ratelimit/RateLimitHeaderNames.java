package io.leadpipe.ratelimit;

import io.leadpipe.config.Settings;

/**
 * Which response headers carry the quota, per source: many vendors prefix their own
 * (e.g. X-HubSpot-RateLimit-Remaining), so every name is configurable.
 */
public record RateLimitHeaderNames(String limit, String remaining, String reset, ResetFormat resetFormat,
                                   String ietfLimit, String ietfRemaining, String ietfReset,
                                   String ietfPolicy, String ietfRateLimit, String retryAfter) {

    public static RateLimitHeaderNames defaults() {
        return new RateLimitHeaderNames("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", ResetFormat.AUTO,
                "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy", "RateLimit", "Retry-After");
    }

    /** Every header name read for the quota, for `probe`. */
    public java.util.List<String> all() {
        return java.util.List.of(limit, remaining, reset, ietfLimit, ietfRemaining, ietfReset, ietfPolicy, ietfRateLimit, retryAfter);
    }

    /** {@code leadpipe.source.<name>.headers.*}, each defaulting to the common name. */
    public static RateLimitHeaderNames from(Settings s, String source) {
        RateLimitHeaderNames d = defaults();
        String p = "leadpipe.source." + source + ".headers.";
        String format = s.get(p + "reset-format", "auto");
        ResetFormat resetFormat;
        try {
            resetFormat = ResetFormat.of(format);
        } catch (IllegalArgumentException e) {
            throw s.invalid(p + "reset-format", format, "must be auto, epoch-seconds, epoch-millis or delta-seconds");
        }
        return new RateLimitHeaderNames(s.get(p + "limit", d.limit), s.get(p + "remaining", d.remaining), s.get(p + "reset", d.reset),
                resetFormat, s.get(p + "ietf-limit", d.ietfLimit), s.get(p + "ietf-remaining", d.ietfRemaining),
                s.get(p + "ietf-reset", d.ietfReset), s.get(p + "ietf-policy", d.ietfPolicy), s.get(p + "ietf-ratelimit", d.ietfRateLimit),
                s.get(p + "retry-after", d.retryAfter));
    }
}
