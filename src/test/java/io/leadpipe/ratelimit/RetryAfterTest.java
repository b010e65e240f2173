package io.leadpipe.ratelimit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

    private static final Instant NOW = Instant.parse("1994-11-06T08:49:30Z");

    @Test
    void delaySeconds() {
        assertThat(RetryAfter.parse("120", null, NOW)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 0 ", null, NOW)).contains(Duration.ZERO);
    }

    @Test
    void imfFixdate() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", null, NOW)).contains(Duration.ofSeconds(7));
    }

    @Test
    void theSameDateReadAgainAndAnotherInBetweenEachGiveTheirOwnInstant() {
        // the last date parsed is kept (every answer's Date header is read): a kept value never answers for another
        String a = "Sun, 06 Nov 1994 08:49:37 GMT", b = "Sun, 06 Nov 1994 08:49:38 GMT";
        Instant at = Instant.parse("1994-11-06T08:49:37Z");
        assertThat(RetryAfter.httpDate(a)).contains(at);
        assertThat(RetryAfter.httpDate(a)).contains(at);
        assertThat(RetryAfter.httpDate(b)).contains(at.plusSeconds(1));
        assertThat(RetryAfter.httpDate("not a date")).isEmpty();
        assertThat(RetryAfter.httpDate(" " + a + " ")).contains(at);
        assertThat(RetryAfter.httpDate(a)).contains(at);
    }

    @Test
    void obsoleteRfc850Date() {
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", null, NOW)).contains(Duration.ofSeconds(7));
    }

    @Test
    void asctimeDate() {
        assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", null, NOW)).contains(Duration.ofSeconds(7));
    }

    @Test
    void aDateIsMeasuredAgainstTheServersDateHeaderNotOurClock() {
        // our clock is 5 minutes ahead of the server's: the server still asked for 7 seconds
        Instant ourClock = NOW.plusSeconds(300);
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:30 GMT", ourClock))
                .contains(Duration.ofSeconds(7));
        // without a Date header, our clock is all there is (and a past date means "now")
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", null, ourClock)).contains(Duration.ZERO);
    }

    @Test
    void aMalformedDateHeaderFallsBackToOurClock() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", "yesterday", NOW)).contains(Duration.ofSeconds(7));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "soon", "-5", "1.5", "12s", "99999999999999999999999", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994"})
    void garbageIsIgnored(String value) {
        assertThat(RetryAfter.parse(value, null, NOW)).isEmpty();
    }

    @Test
    void missingIsIgnored() {
        assertThat(RetryAfter.parse(null, null, NOW)).isEmpty();
    }
}
