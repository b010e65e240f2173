package io.leadpipe.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** How waits are bounded and written: a wait far in the future is capped, and shown with its full date. */
public final class WaitTimes {

    /** Longer waits are read as this long: still far past any max-wait, and safe to add to an Instant. */
    static final Duration LONGEST = Duration.ofDays(366L * 10_000);

    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);

    private WaitTimes() {
    }

    /** now + wait, never overflowing (a Retry-After of 10^18 seconds is 10,000 years here). */
    public static Instant after(Instant now, Duration wait) {
        return now.plus(wait.compareTo(LONGEST) > 0 ? LONGEST : wait);
    }

    /** 2026-11-29 00:15:00 UTC, in this machine's zone. */
    public static String fullDate(Instant at) {
        return FULL.format(at.atZone(ZoneId.systemDefault()));
    }

    /**
     * The time a wait ends, for a log line: the time of day when it is today and within the hour, else the
     * full date (a time of day alone reads as "today", which a wait past midnight is not).
     */
    public static String until(Instant now, Instant at) {
        ZoneId zone = ZoneId.systemDefault();
        boolean sameDay = LocalDate.ofInstant(now, zone).equals(LocalDate.ofInstant(at, zone));
        if (sameDay && Duration.between(now, at).compareTo(Duration.ofHours(1)) <= 0) {
            return LocalTime.ofInstant(at, zone).truncatedTo(ChronoUnit.MILLIS).toString();
        }
        return fullDate(at);
    }

    /** 15 min, 2 h 5 min, 3 days 4 h, 1157 days — for people. */
    public static String human(Duration d) {
        long s = d.getSeconds();
        if (s < 60) return String.format(Locale.ROOT, "%.2f s", d.toMillis() / 1000.0);
        if (s < 3600) return (s / 60) + " min" + (s % 60 == 0 ? "" : " " + (s % 60) + " s");
        if (s < 86_400) return (s / 3600) + " h" + (s % 3600 / 60 == 0 ? "" : " " + (s % 3600 / 60) + " min");
        long days = s / 86_400;
        return days + (days == 1 ? " day" : " days") + (days >= 100 || s % 86_400 / 3600 == 0 ? "" : " " + (s % 86_400 / 3600) + " h");
    }

    /** "15m", "900s", "1h", "500ms", "2d" — a setting's duration; null when it cannot be read. */
    public static Duration parse(String value) {
        if (value == null) return null;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,12})\\s*(ms|s|m|min|h|d)\\s*").matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) return null;
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
