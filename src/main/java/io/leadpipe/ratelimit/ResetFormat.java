package io.leadpipe.ratelimit;

import java.util.Locale;

/**
 * How a provider writes its reset header. AUTO tells them apart by size. DELTA_SECONDS_UP: seconds left, rounded up
 * (documented so, e.g. Pipedrive's 2 right after the first request of its 2-second window): the window ends by then.
 */
public enum ResetFormat {
    AUTO, EPOCH_SECONDS, EPOCH_MILLIS, DELTA_SECONDS, DELTA_SECONDS_UP;

    /** The formats as a setting writes them (auto, epoch-seconds, ...), for an error message. */
    public static String names() {
        return String.join(", ", java.util.Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }

    public static ResetFormat of(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** AUTO: above 10^12 it is epoch milliseconds, above 10^9 epoch seconds (after 2001), else seconds from now. */
    ResetFormat resolve(long value) {
        if (this != AUTO) return this;
        if (value >= 1_000_000_000_000L) return EPOCH_MILLIS;
        if (value >= 1_000_000_000L) return EPOCH_SECONDS;
        return DELTA_SECONDS;
    }
}
