package io.leadpipe.simulator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** IMF-fixdate for the simulator's Retry-After; whole seconds, as HTTP-dates are. */
final class RetryAfterDates {
    private RetryAfterDates() {
    }

    static String format(long epochMillis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC));
    }
}
