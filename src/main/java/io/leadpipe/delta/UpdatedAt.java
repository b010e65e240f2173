package io.leadpipe.delta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A record's updated-at value, in whichever way its vendor writes it, read back as an instant: ISO-8601 with
 * Z or an offset (also Salesforce's {@code +0000} without a colon), with or without a fraction; a local
 * {@code 2023-02-08 05:30:20} (Pipedrive v1, UTC); a date; an HTTP-date; epoch seconds or milliseconds as a
 * number or a numeric string. The largest of these among stored records is the data watermark.
 */
public final class UpdatedAt {

    /** Below this an epoch number is seconds (year 5138), at or above it milliseconds (1973). */
    private static final long MILLIS_FROM = 100_000_000_000L;
    private static final Pattern NUMBER = Pattern.compile("-?\\d{1,19}(\\.\\d+)?");
    /** +0000 / -0530 at the end, which ISO_OFFSET_DATE_TIME wants written +00:00. */
    private static final Pattern COMPACT_OFFSET = Pattern.compile("([+-]\\d{2})(\\d{2})$");
    private static final DateTimeFormatter LOCAL_SPACE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]", Locale.ROOT);

    private UpdatedAt() {
    }

    /** The instant of a JSON value, or null when it is missing, null or not a time. */
    public static Instant parse(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) return null;
        if (value.isNumber()) return epoch(value.asDouble());
        return value.isTextual() ? parse(value.asText()) : null;
    }

    /** The instant of a text, or null when it is not a time leadpipe can read. */
    public static Instant parse(String text) {
        if (text == null) return null;
        String s = text.strip();
        if (s.isEmpty()) return null;
        if (NUMBER.matcher(s).matches()) return epoch(Double.parseDouble(s));
        try {
            if (s.length() == 10) return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            if (Character.isLetter(s.charAt(0))) return ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            if (s.length() > 10 && s.charAt(10) == ' ') return LocalDateTime.parse(s, LOCAL_SPACE).toInstant(ZoneOffset.UTC);
            if (s.endsWith("Z") || s.endsWith("z")) return OffsetDateTime.parse(s.substring(0, s.length() - 1) + "Z").toInstant();
            String colon = COMPACT_OFFSET.matcher(s).replaceFirst("$1:$2");
            if (colon.matches(".*[+-]\\d{2}:\\d{2}$")) return OffsetDateTime.parse(colon).toInstant();
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant epoch(double n) {
        if (Math.abs(n) >= MILLIS_FROM) return Instant.ofEpochMilli((long) n);
        return Instant.ofEpochMilli((long) (n * 1000));
    }

    /** The later of two instants, either may be null. */
    public static Instant later(Instant a, Instant b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.isAfter(b) ? a : b;
    }
}
