package io.leadpipe.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code Retry-After} (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in any of the three formats
 * (IMF-fixdate, obsolete RFC 850, asctime). A date is measured against the response's own {@code Date}
 * header when there is one, so a server whose clock differs from ours still gets the wait it asked for.
 */
public final class RetryAfter {

    private static final List<DateTimeFormatter> DATE_FORMATS = List.of(
            DateTimeFormatter.RFC_1123_DATE_TIME,                                               // Sun, 06 Nov 1994 08:49:37 GMT
            rfc850(),                                                                           // Sunday, 06-Nov-94 08:49:37 GMT
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US));               // Sun Nov  6 08:49:37 1994

    private RetryAfter() {
    }

    /** RFC 850 dates have two-digit years; RFC 9110 reads them as at most 50 years ahead. */
    private static DateTimeFormatter rfc850() {
        return new DateTimeFormatterBuilder().appendPattern("dd-MMM-")
                .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDate.now(ZoneOffset.UTC).minusYears(50))
                .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US);
    }

    /** The wait asked for, or empty when the value is missing or unreadable (then our own backoff applies). */
    public static Optional<Duration> parse(String value, String dateHeader, Instant now) {
        if (value == null || value.isBlank()) return Optional.empty();
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException tooLong) {
                return Optional.empty();
            }
        }
        Optional<Instant> at = httpDate(v);
        if (at.isEmpty()) return Optional.empty();
        Instant reference = httpDate(dateHeader).orElse(now);
        Duration wait = Duration.between(reference, at.get());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    /** The last date parsed: a server's Date header changes once a second, and every answer's is read (for the clock skew). */
    private static volatile Parsed last = new Parsed("", Optional.empty());

    private record Parsed(String value, Optional<Instant> at) {}

    /** Parses an HTTP-date in any of RFC 9110's three formats. */
    public static Optional<Instant> httpDate(String value) {
        if (value == null || value.isBlank()) return Optional.empty();
        Parsed seen = last;
        if (seen.value().equals(value)) return seen.at();
        Optional<Instant> at = parse(value.trim());
        last = new Parsed(value, at);
        return at;
    }

    private static Optional<Instant> parse(String v) {
        for (int i = 0; i < DATE_FORMATS.size(); i++) {
            try {
                if (i == 2) {
                    return Optional.of(LocalDateTime.parse(v, DATE_FORMATS.get(i)).toInstant(ZoneOffset.UTC));
                }
                if (i == 1) {
                    // the weekday is dropped: with a two-digit year it would contradict the century we pick
                    String date = v.substring(v.indexOf(',') + 1).trim();
                    return Optional.of(LocalDateTime.parse(date, DATE_FORMATS.get(i)).toInstant(ZoneOffset.UTC));
                }
                return Optional.of(ZonedDateTime.parse(v, DATE_FORMATS.get(i)).toInstant());
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        return Optional.empty();
    }

    /** IMF-fixdate, the format a server should send. */
    public static String format(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atZone(ZoneOffset.UTC));
    }
}
