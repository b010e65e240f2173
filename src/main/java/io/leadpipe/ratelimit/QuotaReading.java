package io.leadpipe.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one answer said about a source's quota, as a pull reads it (for `probe`): the X-RateLimit/IETF
 * reading and the style it matched, the configured windows it carried, Retry-After, the rate-limit rule
 * the answer matched and the wait that rule names, and quota-like headers no setting reads.
 *
 * @param style         the header style that matched, null when none did
 * @param windowNames   the configured quota windows (second, minute, hour, day, window)
 * @param rules         every rate-limit rule of the source, as configured
 * @param unreadHeaders headers that look like a quota signal but that no setting of the source reads
 */
public record QuotaReading(Instant at, RateLimitSnapshot snapshot, String style, List<String> windowNames, List<QuotaWindows.Reading> windows,
                           Optional<Duration> retryAfter, Optional<String> matchedRule, Optional<Duration> ruleWait, List<String> rules,
                           List<String> unreadHeaders) {

    /** Header names vendors use for quota signals. */
    static final Pattern LOOKS_LIKE_QUOTA = Pattern.compile("(?i)rate-?limit|quota|limit|requests-left|usage");
}
