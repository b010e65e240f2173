package io.leadpipe.simulator;

import com.sun.net.httpserver.Headers;

import java.time.Instant;

/**
 * How the simulated APIs announce their quota, written by the simulator itself (never by leadpipe's parsers,
 * so a parser bug cannot hide behind a writer with the same bug): X-RateLimit-* with an epoch or delta reset,
 * the IETF draft's RateLimit-* fields (legacy or structured), or nothing; and Retry-After in seconds or as an
 * HTTP-date.
 */
final class QuotaHeaders {

    static final java.util.List<String> STYLES = java.util.List.of("x-ratelimit-epoch", "x-ratelimit-delta", "ietf-legacy", "ietf-structured", "none");
    static final java.util.List<String> RETRY_AFTER_STYLES = java.util.List.of("seconds", "http-date", "none");

    private QuotaHeaders() {
    }

    /** The quota state of a fixed-window decision, in the given header style. */
    static void write(Headers h, String style, FixedWindowQuota.Decision d, long windowMillis, long nowMillis) {
        long deltaSeconds = Math.max(0, (d.resetEpochMillis() - nowMillis + 999) / 1000);
        switch (style) {
            case "x-ratelimit-epoch", "x-ratelimit-delta" -> {
                h.set("X-RateLimit-Limit", Integer.toString(d.limit()));
                h.set("X-RateLimit-Remaining", Integer.toString(d.remaining()));
                h.set("X-RateLimit-Reset", style.endsWith("epoch") ? Long.toString((d.resetEpochMillis() + 999) / 1000) : Long.toString(deltaSeconds));
            }
            case "ietf-legacy" -> {
                h.set("RateLimit-Limit", Integer.toString(d.limit()));
                h.set("RateLimit-Remaining", Integer.toString(d.remaining()));
                h.set("RateLimit-Reset", Long.toString(deltaSeconds));
            }
            case "ietf-structured" -> {
                h.set("RateLimit-Policy", "\"default\";q=" + d.limit() + ";w=" + Math.max(1, windowMillis / 1000));
                h.set("RateLimit", "\"default\";r=" + d.remaining() + ";t=" + deltaSeconds);
            }
            default -> { } // "none": the API says nothing about its quota
        }
    }

    /** Retry-After for a wait of waitMillis (rounded up to whole seconds, at least one); returns what was sent, null for none. */
    static String retryAfter(Headers h, String style, long nowMillis, long waitMillis) {
        long seconds = Math.max(1, (waitMillis + 999) / 1000);
        String value = switch (style) {
            case "http-date" -> HttpDate.format(Instant.ofEpochMilli(nowMillis + seconds * 1000));
            case "none" -> null;
            default -> Long.toString(seconds);
        };
        if (value != null) h.set("Retry-After", value);
        return value;
    }
}
