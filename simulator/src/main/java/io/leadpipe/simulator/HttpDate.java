package io.leadpipe.simulator;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The simulator's own HTTP-date writer: IMF-fixdate (RFC 9110 §5.6.7), the one format a server should send. */
final class HttpDate {

    // a two-digit day ("Sun, 06 Nov 1994"): RFC_1123_DATE_TIME would write "6 Nov", which IMF-fixdate does not allow
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDate() {
    }

    static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }
}
