package io.leadpipe.ratelimit;

import io.leadpipe.config.ApiKeys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Quota windows a vendor announces without a reset time, beside (or instead of) X-RateLimit/IETF:
 * HubSpot's {@code X-HubSpot-RateLimit-Max/-Remaining} with {@code -Interval-Milliseconds}, Apollo's
 * minute/hour/day counters, Salesforce's {@code Sforce-Limit-Info: api-usage=18/15000}. Configured per
 * source as {@code leadpipe.source.<name>.quota.<slot>.*}, slot one of second, minute, hour, day (each
 * with that length unless told otherwise) or window (length from a header or the interval setting).
 */
public final class QuotaWindows {

    /** The slots and their default lengths (window: none, it must be told). */
    public static final Map<String, Duration> SLOTS = slots();

    /** What one answer said about one window. Any of limit and remaining may be unknown; length never is. */
    public record Reading(String window, Long limit, Long remaining, Duration length) {}

    /** How one window is announced. */
    record Window(String name, String limitHeader, String remainingHeader, String usedHeader, Pattern usedPattern,
                  String intervalHeader, Duration interval, Pattern valuePattern, Long declaredLimit) {

        Reading read(Function<String, String> header) {
            Long limit = RateLimitHeaderParser.number(number(value(header, limitHeader)));
            if (limit == null) limit = declaredLimit; // a limit the vendor documents but does not send (Dataverse)
            Long remaining = RateLimitHeaderParser.number(number(value(header, remainingHeader)));
            String usage = value(header, usedHeader);
            if (usage != null && remaining == null) {
                Matcher m = usedPattern.matcher(usage);
                if (m.find()) {
                    Long used = RateLimitHeaderParser.number(group(m, "used", 1));
                    Long limitInValue = RateLimitHeaderParser.number(group(m, "limit", 2));
                    if (limit == null) limit = limitInValue;
                    if (used != null && limit != null) remaining = Math.max(0, limit - used);
                }
            }
            Long intervalMillis = RateLimitHeaderParser.number(value(header, intervalHeader));
            Duration length = intervalMillis != null && intervalMillis > 0 ? Duration.ofMillis(intervalMillis) : interval;
            if ((limit == null && remaining == null) || length == null) return null;
            return new Reading(name, limit, remaining, length);
        }

        /** The number in a limit or remaining value that holds more (People Data Labs: {'minute': 1200, 'day': None}). */
        private String number(String value) {
            if (value == null || valuePattern == null) return value;
            Matcher m = valuePattern.matcher(value);
            return m.find() && m.groupCount() >= 1 ? m.group(1) : null;
        }

        private static String value(Function<String, String> header, String name) {
            return name == null ? null : header.apply(name);
        }

        private static String group(Matcher m, String name, int index) {
            if (m.pattern().pattern().contains("(?<" + name + ">")) return m.group(name);
            return m.groupCount() >= index ? m.group(index) : null;
        }
    }

    private final List<Window> windows;

    private QuotaWindows(List<Window> windows) {
        this.windows = windows;
    }

    public static QuotaWindows none() {
        return new QuotaWindows(List.of());
    }

    /** {@code leadpipe.source.<name>.quota.<slot>.*}: a slot is in use when it names a limit, remaining or used header. */
    public static QuotaWindows read(ApiKeys k) {
        List<Window> windows = new ArrayList<>();
        for (Map.Entry<String, Duration> slot : SLOTS.entrySet()) {
            String q = "quota." + slot.getKey() + ".";
            String limit = k.optional(q + "limit-header");
            String remaining = k.optional(q + "remaining-header");
            String used = k.optional(q + "used-header");
            // a declared limit alone is a window leadpipe counts itself (Zoho's credits: documented, in no header)
            if (limit == null && remaining == null && used == null && k.optional(q + "limit") == null) continue;
            String patternText = k.optional(q + "used-pattern");
            if (patternText == null) patternText = "(\\d+)(?:/(\\d+))?"; // used, or used/limit
            Pattern pattern;
            try {
                pattern = Pattern.compile(patternText);
            } catch (PatternSyntaxException e) {
                throw k.invalid(q + "used-pattern", patternText, "must be a regular expression (" + e.getDescription() + ")");
            }
            Pattern valuePattern = null;
            String valueText = k.optional(q + "value-pattern");
            if (valueText != null) {
                try {
                    valuePattern = Pattern.compile(valueText);
                } catch (PatternSyntaxException e) {
                    throw k.invalid(q + "value-pattern", valueText, "must be a regular expression (" + e.getDescription() + ")");
                }
                if (valuePattern.matcher("").groupCount() < 1) throw k.invalid(q + "value-pattern", valueText, "must hold the number in group 1, e.g. 'minute': (\\d+)");
            }
            Long declaredLimit = null;
            String limitText = k.optional(q + "limit");
            if (limitText != null) {
                declaredLimit = RateLimitHeaderParser.number(limitText);
                if (declaredLimit == null || declaredLimit < 1) throw k.invalid(q + "limit", limitText, "must be a whole number of requests, e.g. 6000");
            }
            String intervalText = k.optional(q + "interval");
            Duration interval = slot.getValue();
            if (intervalText != null) {
                interval = WaitTimes.parse(intervalText);
                if (interval == null || interval.isZero()) throw k.invalid(q + "interval", intervalText, "must be a duration such as 10s, 1m, 1h or 1d");
            }
            String intervalHeader = k.optional(q + "interval-header");
            if (interval == null && intervalHeader == null) {
                String named = limit != null ? "limit-header" : remaining != null ? "remaining-header" : used != null ? "used-header" : "limit";
                throw k.invalid(q + named, k.optional(q + named),
                        "the window's length is not known: set " + k.key(q + "interval-header") + " or " + k.key(q + "interval"));
            }
            windows.add(new Window(slot.getKey(), limit, remaining, used, pattern, intervalHeader, interval, valuePattern, declaredLimit));
        }
        return new QuotaWindows(List.copyOf(windows));
    }

    /** What this answer said about each configured window it carried. */
    public List<Reading> read(Function<String, String> header) {
        List<Reading> out = new ArrayList<>();
        for (Window w : windows) {
            Reading r = w.read(header);
            if (r != null) out.add(r);
        }
        return out;
    }

    public boolean isEmpty() {
        return windows.isEmpty();
    }

    /** The configured windows (slot names), for `probe`. */
    public List<String> names() {
        return windows.stream().map(Window::name).toList();
    }

    /** Every header name the configured windows read, for `probe`. */
    public List<String> headerNames() {
        List<String> names = new ArrayList<>();
        for (Window w : windows) {
            for (String n : new String[] {w.limitHeader(), w.remainingHeader(), w.usedHeader(), w.intervalHeader()}) if (n != null) names.add(n);
        }
        return names;
    }

    private static Map<String, Duration> slots() {
        Map<String, Duration> m = new LinkedHashMap<>();
        m.put("second", Duration.ofSeconds(1));
        m.put("minute", Duration.ofMinutes(1));
        m.put("hour", Duration.ofHours(1));
        m.put("day", Duration.ofDays(1));
        m.put("window", null);
        return java.util.Collections.unmodifiableMap(m);
    }
}
