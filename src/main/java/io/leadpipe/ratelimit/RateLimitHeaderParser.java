package io.leadpipe.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads the quota from response headers, in the first style that is present:
 * X-RateLimit-* (reset as epoch seconds, epoch millis or delta seconds), the IETF draft's separate
 * RateLimit-Limit/-Remaining/-Reset, its structured form (RateLimit-Policy: "p";q=100;w=60 with
 * RateLimit: "p";r=50;t=30), or its older dictionary form (RateLimit: limit=100, remaining=50, reset=30).
 * A missing or malformed value is ignored, never fatal.
 */
public final class RateLimitHeaderParser {

    private final RateLimitHeaderNames names;

    public RateLimitHeaderParser(RateLimitHeaderNames names) {
        this.names = names;
    }

    /** What one answer's quota headers said, and the style they were read in (null: none recognised). */
    public record Reading(RateLimitSnapshot snapshot, String style) {}

    public RateLimitHeaderNames names() {
        return names;
    }

    /** @param header case-insensitive header lookup (first value), null when absent */
    public RateLimitSnapshot parse(Function<String, String> header, Instant now) {
        return read(header, now).snapshot();
    }

    /** {@link #parse}, naming the style that matched (for `probe`, which shows what leadpipe understood). */
    public Reading read(Function<String, String> header, Instant now) {
        // the Date header only matters for an absolute reset: parsed lazily (it showed in profiles)
        java.util.function.Supplier<Optional<Instant>> serverDate = () -> RetryAfter.httpDate(header.apply("Date"));
        RateLimitSnapshot s = xRateLimit(header, now, serverDate);
        if (s.remaining() != null) return new Reading(s, xRateLimitStyle(header));
        RateLimitSnapshot ietf = ietfSeparate(header, now);
        String separate = "IETF separate (" + names.ietfLimit() + ", " + names.ietfRemaining() + ", " + names.ietfReset() + ": reset in delta seconds)";
        if (ietf.remaining() != null) return new Reading(ietf, separate);
        RateLimitSnapshot structured = ietfStructured(header, now);
        String structuredStyle = "IETF structured (" + names.ietfPolicy() + " with " + names.ietfRateLimit() + ")";
        if (structured.remaining() != null) return new Reading(structured, structuredStyle);
        RateLimitSnapshot dictionary = ietfDictionary(header, now);
        if (dictionary.remaining() != null) return new Reading(dictionary, "IETF dictionary (" + names.ietfRateLimit() + ": limit=, remaining=, reset=)");
        if (!s.isEmpty()) return new Reading(s, xRateLimitStyle(header));
        if (!ietf.isEmpty()) return new Reading(ietf, separate);
        return new Reading(structured, structured.isEmpty() ? null : structuredStyle);
    }

    private String xRateLimitStyle(Function<String, String> header) {
        Long reset = number(header.apply(names.reset()));
        String format = reset == null ? "" : ": reset " + reset + " read as " + names.resetFormat().resolve(reset).name().toLowerCase(Locale.ROOT).replace('_', ' ')
                + (names.resetFormat() == ResetFormat.AUTO ? " (auto)" : "");
        return "X-RateLimit (" + names.limit() + ", " + names.remaining() + ", " + names.reset() + format + ")";
    }

    public Optional<Duration> retryAfter(Function<String, String> header, Instant now) {
        return RetryAfter.parse(header.apply(names.retryAfter()), header.apply("Date"), now);
    }

    private RateLimitSnapshot xRateLimit(Function<String, String> h, Instant now, java.util.function.Supplier<Optional<Instant>> serverDate) {
        Long limit = number(h.apply(names.limit()));
        Long remaining = number(h.apply(names.remaining()));
        Long reset = number(h.apply(names.reset()));
        Instant resetAt = null;
        if (reset != null) {
            // a reset beyond what an Instant holds is read as "very far" (capped), not as a crash
            Instant farthest = WaitTimes.after(now, Duration.ofSeconds(Long.MAX_VALUE));
            resetAt = switch (names.resetFormat().resolve(reset)) {
                case DELTA_SECONDS, DELTA_SECONDS_UP -> WaitTimes.after(now, Duration.ofSeconds(reset));
                case EPOCH_SECONDS -> reset > farthest.getEpochSecond() ? farthest : skewCorrected(Instant.ofEpochSecond(reset), now, serverDate);
                case EPOCH_MILLIS -> skewCorrected(Instant.ofEpochMilli(reset), now, serverDate);
                case AUTO -> throw new IllegalStateException("resolved above");
            };
        }
        // rounded up, and computed before it was sent: the window ends at or before this reset
        return new RateLimitSnapshot(limit, remaining, resetAt, resetAt != null && names.resetFormat() == ResetFormat.DELTA_SECONDS_UP);
    }

    /** An absolute reset is on the server's clock: move it onto ours using the response's Date. */
    private static Instant skewCorrected(Instant resetOnServerClock, Instant now, java.util.function.Supplier<Optional<Instant>> serverDateOnDemand) {
        Optional<Instant> serverDate = serverDateOnDemand.get();
        if (serverDate.isEmpty()) return resetOnServerClock;
        // Date has one-second resolution: only correct skews larger than that
        Duration skew = Duration.between(serverDate.get(), now);
        return skew.abs().compareTo(Duration.ofSeconds(2)) > 0 ? resetOnServerClock.plus(skew) : resetOnServerClock;
    }

    private RateLimitSnapshot ietfSeparate(Function<String, String> h, Instant now) {
        Long reset = number(h.apply(names.ietfReset()));
        return new RateLimitSnapshot(number(h.apply(names.ietfLimit())), number(h.apply(names.ietfRemaining())),
                reset == null ? null : WaitTimes.after(now, Duration.ofSeconds(reset)));
    }

    /** RateLimit-Policy: "name";q=100;w=60 and RateLimit: "name";r=50;t=30 — the most constrained item wins. */
    private RateLimitSnapshot ietfStructured(Function<String, String> h, Instant now) {
        List<Item> limits = items(h.apply(names.ietfRateLimit()));
        Map<String, Item> policies = new LinkedHashMap<>();
        for (Item p : items(h.apply(names.ietfPolicy()))) policies.put(p.name, p);
        Item tightest = null;
        for (Item i : limits) {
            if (i.params.get("r") == null) continue;
            if (tightest == null || i.params.get("r") < tightest.params.get("r")) tightest = i;
        }
        if (tightest == null) return new RateLimitSnapshot(null, null, null);
        Item policy = policies.get(tightest.name);
        if (policy == null && policies.size() == 1) policy = policies.values().iterator().next();
        Long limit = policy == null ? null : policy.params.get("q");
        Long t = tightest.params.get("t");
        if (t == null && policy != null) t = policy.params.get("w");
        return new RateLimitSnapshot(limit, tightest.params.get("r"), t == null ? null : WaitTimes.after(now, Duration.ofSeconds(t)));
    }

    /** Older drafts: RateLimit: limit=100, remaining=50, reset=30. */
    private RateLimitSnapshot ietfDictionary(Function<String, String> h, Instant now) {
        String v = h.apply(names.ietfRateLimit());
        if (v == null) return new RateLimitSnapshot(null, null, null);
        Map<String, Long> dict = new LinkedHashMap<>();
        for (String part : v.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2) {
                String key = kv[0].trim().toLowerCase(Locale.ROOT);
                // Close sends the reset in fractional seconds (reset=0.75): rounded up, never early
                Long n = key.equals("reset") ? secondsUp(kv[1]) : number(kv[1]);
                if (n != null) dict.put(key, n);
            }
        }
        Long reset = dict.get("reset");
        return new RateLimitSnapshot(dict.get("limit"), dict.get("remaining"), reset == null ? null : WaitTimes.after(now, Duration.ofSeconds(reset)));
    }

    private record Item(String name, Map<String, Long> params) {}

    /** A small reader for RFC 8941 lists of items with integer parameters; anything else is skipped. */
    private static List<Item> items(String value) {
        List<Item> out = new ArrayList<>();
        if (value == null) return out;
        for (String member : splitOutsideQuotes(value, ',')) {
            List<String> parts = splitOutsideQuotes(member, ';');
            if (parts.isEmpty()) continue;
            String name = parts.get(0).trim();
            if (name.contains("=")) continue; // a dictionary member, not an item
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) name = name.substring(1, name.length() - 1);
            Map<String, Long> params = new LinkedHashMap<>();
            for (String param : parts.subList(1, parts.size())) {
                String[] kv = param.split("=", 2);
                if (kv.length == 2) {
                    Long n = number(kv[1]);
                    if (n != null) params.put(kv[0].trim(), n);
                }
            }
            out.add(new Item(name, params));
        }
        return out;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') quoted = !quoted;
            if (c == sep && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().isBlank()) parts.add(cur.toString());
        return parts;
    }

    /** A non-negative whole number, or null for anything else (garbage is ignored, not fatal). */
    /** Whole seconds, or decimal seconds rounded up. */
    private static Long secondsUp(String v) {
        Long whole = number(v);
        if (whole != null || v == null || !v.trim().matches("\\d{1,12}\\.\\d{1,6}")) return whole;
        return (long) Math.ceil(Double.parseDouble(v.trim()));
    }

    static Long number(String v) {
        if (v == null) return null;
        String t = v.trim();
        if (t.isEmpty() || t.length() > 18 || !t.chars().allMatch(Character::isDigit)) return null;
        return Long.parseLong(t);
    }
}
