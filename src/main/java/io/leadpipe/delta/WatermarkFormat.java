package io.leadpipe.delta;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a vendor writes the watermark it filters on ({@code leadpipe.source.<name>.delta.format}). Every format
 * rounds down to its precision: an earlier watermark asks for a little more, never for less.
 */
public enum WatermarkFormat {
    /** 2026-12-05T14:33:34Z (GitHub since, Pipedrive v2 updated_since, Outreach filter[updatedAt], SOQL dateTime). */
    ISO_8601("iso-8601"),
    /** 2026-12-05T14:33:34.120Z */
    ISO_8601_MILLIS("iso-8601-millis"),
    /** 2026-12-05T14:33:34+00:00 (Zoho's If-Modified-Since) */
    ISO_8601_OFFSET("iso-8601-offset"),
    /** 1796481214 (Stripe created[gte]) */
    EPOCH_SECONDS("epoch-seconds"),
    /** 1796481214120 (HubSpot search lastmodifieddate) */
    EPOCH_MILLIS("epoch-millis"),
    /** 2026-12-05 (UTC) */
    DATE("date"),
    /** Sat, 05 Dec 2026 14:33:34 GMT (RFC 7231 IMF-fixdate) */
    HTTP_DATE("http-date"),
    /** 2026-12-05 14:33:34, UTC (Pipedrive v1 recents since_timestamp: "Format: YYYY-MM-DD HH:MM:SS") */
    SQL_DATETIME("sql-datetime");

    private static final DateTimeFormatter SECONDS_Z = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS_Z = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'+00:00'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SPACE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
    /** IMF-fixdate: a two-digit day (RFC_1123_DATE_TIME would write "5 Dec"). */
    static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private final String setting;

    WatermarkFormat(String setting) {
        this.setting = setting;
    }

    /** The name in the settings (iso-8601, epoch-millis, …). */
    public String setting() {
        return setting;
    }

    /** Epoch formats are numbers, which a JSON body carries as numbers. */
    public boolean numeric() {
        return this == EPOCH_SECONDS || this == EPOCH_MILLIS;
    }

    /** The finest step a written instant keeps (a day for dates): cut points of a time range are whole ones. */
    public java.time.Duration grain() {
        return switch (this) {
            case ISO_8601_MILLIS, EPOCH_MILLIS -> java.time.Duration.ofMillis(1);
            case DATE -> java.time.Duration.ofDays(1);
            default -> java.time.Duration.ofSeconds(1);
        };
    }

    public String format(Instant t) {
        return switch (this) {
            case ISO_8601 -> SECONDS_Z.format(t.truncatedTo(ChronoUnit.SECONDS));
            case ISO_8601_MILLIS -> MILLIS_Z.format(t.truncatedTo(ChronoUnit.MILLIS));
            case ISO_8601_OFFSET -> OFFSET.format(t.truncatedTo(ChronoUnit.SECONDS));
            case EPOCH_SECONDS -> Long.toString(Math.floorDiv(t.toEpochMilli(), 1000));
            case EPOCH_MILLIS -> Long.toString(t.toEpochMilli());
            case DATE -> DAY.format(t);
            case HTTP_DATE -> IMF_FIXDATE.format(t.truncatedTo(ChronoUnit.SECONDS));
            case SQL_DATETIME -> SPACE.format(t.truncatedTo(ChronoUnit.SECONDS));
        };
    }

    /** The format named {@code setting}, or null. */
    public static WatermarkFormat named(String setting) {
        for (WatermarkFormat f : values()) if (f.setting.equalsIgnoreCase(setting.strip())) return f;
        return null;
    }

    public static String names() {
        return Arrays.stream(values()).map(WatermarkFormat::setting).collect(Collectors.joining(", "));
    }
}
