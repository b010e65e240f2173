package io.leadpipe.ratelimit;

import java.util.Locale;

/** How a provider writes its reset header. AUTO tells them apart by size. */
public enum ResetFormat {
    AUTO, EPOCH_SECONDS, EPOCH_MILLIS, DELTA_SECONDS;

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
