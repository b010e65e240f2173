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
        return parse(s, key, v, () -> s.getInt(maxKey, defaultMax, 1, LIMIT));
    }

    /** A process-wide pair (the CRM's batches in flight): both defaults are application.properties'. */
    public static Concurrency read(Settings s, String key, String maxKey) {
        return parse(s, key, s.getText(key).trim(), () -> s.getInt(maxKey, 1, LIMIT));
    }

    private static Concurrency parse(Settings s, String key, String v, java.util.function.IntSupplier autoMost) {
        if (v.toLowerCase(Locale.ROOT).equals("auto")) return new Concurrency(true, autoMost.getAsInt());
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= LIMIT) return new Concurrency(false, n);
        } catch (NumberFormatException e) {
            // said below
        }
        throw s.invalid(key, v, "must be auto or a number from 1 to " + LIMIT);
    }
}
