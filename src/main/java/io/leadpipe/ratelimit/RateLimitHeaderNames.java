package io.leadpipe.ratelimit;

import io.leadpipe.config.ApiKeys;

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
    public static RateLimitHeaderNames read(ApiKeys k) {
        String format = k.text("headers.reset-format");
        ResetFormat resetFormat;
        try {
            resetFormat = ResetFormat.of(format);
        } catch (IllegalArgumentException e) {
            throw k.invalid("headers.reset-format", format, "must be one of " + ResetFormat.names());
        }
        return new RateLimitHeaderNames(k.text("headers.limit"), k.text("headers.remaining"), k.text("headers.reset"),
                resetFormat, k.text("headers.ietf-limit"), k.text("headers.ietf-remaining"), k.text("headers.ietf-reset"),
                k.text("headers.ietf-policy"), k.text("headers.ietf-ratelimit"), k.text("headers.retry-after"));
    }
}
