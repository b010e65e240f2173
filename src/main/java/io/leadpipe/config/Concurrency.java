package io.leadpipe.config;

import java.util.Locale;

/**
 * A "requests in flight" setting: a number (1-64), or {@code auto} — as many as the API's quota rate × the
 * measured time a request keeps its slot × 1.5 need (ratelimit.ApiQuota#inFlightNeeded), at most {@code most} (the setting's
 * max-concurrency). Used by a source's pages of one job and by the CRM's batches.
 */
public record Concurrency(boolean auto, int most) {

    public static final int LIMIT = 64;

    /**
     * @param key        the setting (auto or a number)
     * @param maxKey     the bound of auto
     * @param defaultMax the bound's default
     */
    public static Concurrency read(Settings s, String key, String defaultValue, String maxKey, int defaultMax) {
        String v = s.get(key, defaultValue);
        v = v == null || v.isBlank() ? defaultValue : v.trim();
        if (v.toLowerCase(Locale.ROOT).equals("auto")) return new Concurrency(true, s.getInt(maxKey, defaultMax, 1, LIMIT));
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= LIMIT) return new Concurrency(false, n);
        } catch (NumberFormatException e) {
            // said below
        }
        throw s.invalid(key, v, "must be auto or a number from 1 to " + LIMIT);
    }
}
