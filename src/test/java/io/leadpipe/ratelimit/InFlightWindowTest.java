package io.leadpipe.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many requests in flight on one key (slices, parallel pages): requests the governor let through after an API
 * window began are in that window at the API even when no answer has said so yet. A new window is started from
 * what the API says or from the limit, less what was sent into it since it began.
 */
class InFlightWindowTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    private final RateLimitGovernor.Sleeper sleeper = d -> now.set(now.get().plus(d));

    private void at(String offset) {
        now.set(Instant.parse("2026-11-28T10:00:00Z").plus(Duration.parse(offset)));
    }

    @Test
    void theRefillCountsWhatWasSentBetweenTheResetAndTheEndOfTheMargin() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), clock, sleeper);
        Instant reset = Instant.parse("2026-11-28T10:00:01Z");
        at("PT0.7S");
        g.observe(new RateLimitSnapshot(10L, 3L, reset));
        g.acquire("a");                 // 0.7 s: old window
        at("PT1.05S");
        g.acquire("b");                 // 1.05 s: still counted against the old window (margin), at the API in the new one
        g.acquire("c");
        at("PT1.3S");                   // past reset + margin: the window refills
        g.acquire("d");
        assertThat(g.remaining()).as("10 − b − c − d").isEqualTo(7L);
    }

    /**
     * Under load a request can stall between its permit and the wire: one permitted just before the reset reaches
     * the API after it, in the next window. Seen as the one 429 of a bench run (the 11th request of a 10-request
     * window). A permit within the margin before the reset counts in both windows, as the cluster's window does.
     */
    @Test
    void permitsGivenWithinTheMarginBeforeTheResetCountInTheNextWindowToo() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), clock, sleeper);
        at("PT0.5S");
        g.observe(new RateLimitSnapshot(10L, 5L, Instant.parse("2026-11-28T10:00:01Z")));
        at("PT0.9S");
        g.acquire("a");                 // within 250 ms of the reset: may reach the API after it
        g.acquire("b");
        at("PT1.3S");                   // past reset + margin: the window refills
        g.acquire("c");
        assertThat(g.remaining()).as("10 − a − b − c").isEqualTo(7L);
        // the same from an answer: the first answer of the next window is lowered by a and b too
        RateLimitGovernor h = new RateLimitGovernor("test", 0, Duration.ofMillis(250), clock, sleeper);
        at("PT0.5S");
        h.observe(new RateLimitSnapshot(10L, 5L, Instant.parse("2026-11-28T10:00:01Z")));
        at("PT0.9S");
        h.acquire("a");
        h.acquire("b");
        at("PT1.1S");
        h.observe(new RateLimitSnapshot(10L, 10L, Instant.parse("2026-11-28T10:00:02Z"))); // an answer that overtook them
        assertThat(h.remaining()).as("10 − a − b").isEqualTo(8L);
    }

    /**
     * One of three instances on a key (node share 1/3 of 9 = 3 per window). Two requests sent just after the reset,
     * still on the old window's share, reach the API in the new window; when the first answer from the new window
     * comes, both count against this instance's share there. It counted only the one answered, and sent two more.
     */
    @Test
    void aNodeShareCountsEveryRequestSentIntoTheNewWindowBeforeItsFirstAnswer() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), 1.0 / 3, clock, sleeper);
        at("PT0.5S");
        g.observe(new RateLimitSnapshot(9L, 9L, Instant.parse("2026-11-28T10:00:01Z")));
        at("PT0.9S");
        g.acquire("a");
        at("PT1.05S");
        g.acquire("b");                 // the old window's share (within the margin), at the API in the new one
        g.acquire("c");
        at("PT1.1S");
        g.observe(new RateLimitSnapshot(9L, 8L, Instant.parse("2026-11-28T10:00:02Z"))); // b's answer
        int more = 0;
        while (true) {
            g.acquire("d");
            if (!now.get().isBefore(Instant.parse("2026-11-28T10:00:02Z"))) break;
            more++;
        }
        assertThat(2 + more).as("this instance's requests at the API in the window 1 s–2 s (b, c and %d more): its share is 3", more)
                .isLessThanOrEqualTo(3);
    }

    private static Instant second(int s) {
        return Instant.parse("2026-11-28T10:00:00Z").plusSeconds(s);
    }

    /**
     * A node share holds in a new window before the window's first answer comes. It used to be ignored until then:
     * four jobs of one instance each sent a request at the refill, 4 where a share of 3 allowed 3 (in the cluster
     * bench two busy instances of three made 8 requests in a 10-request window, not 6). The new window's end is
     * expected one window after the last one.
     */
    @Test
    void aNodeShareHoldsInANewWindowBeforeItsFirstAnswer() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), 1.0 / 3, clock, sleeper);
        at("PT0.5S");
        g.observe(new RateLimitSnapshot(9L, 5L, second(1)));
        at("PT1.5S");
        g.observe(new RateLimitSnapshot(9L, 8L, second(2))); // refilled: windows of 1 s
        at("PT2.3S");                   // the window 2 s–3 s has begun; no answer from it yet
        for (int i = 0; i < 3; i++) g.acquire("job-" + i);
        assertThat(now.get()).as("three requests: the share").isEqualTo(second(2).plusMillis(300));
        g.acquire("job-3");             // the fourth job waits for the window after
        assertThat(now.get()).isEqualTo(second(3).plusMillis(250));
    }

    /**
     * A used share whose window no answer has named yet (its length not known either) looks again shortly for the
     * first answer, but not for ever: an API that never answers must still make its requests fail, not wait.
     */
    @Test
    void aUsedShareWaitsForAnUnnamedWindowOnlyBriefly() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), 1.0 / 3, clock, sleeper);
        at("PT0.5S");
        g.observe(new RateLimitSnapshot(9L, 5L, second(1)));
        at("PT1.3S");                   // refilled; no answer from the new window ever comes (the API went down)
        for (int i = 0; i < 3; i++) g.acquire("job-" + i);
        g.acquire("job-3");
        assertThat(now.get()).as("waited a moment for the window's first answer, then went").isBetween(second(3).plusMillis(300), second(3).plusMillis(400));
    }

    /** An expected window end is only a guess: the window's first answer replaces it, also when it is sooner. */
    @Test
    void theWindowsFirstAnswerReplacesTheExpectedEnd() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), 1.0 / 3, clock, sleeper);
        at("PT0.5S");
        g.observe(new RateLimitSnapshot(9L, 5L, second(1)));
        at("PT5.5S");
        g.observe(new RateLimitSnapshot(9L, 8L, second(6))); // idle in between: 5 s from reset to reset
        at("PT6.3S");
        for (int i = 0; i < 3; i++) g.acquire("job-" + i);  // the share; the window's end expected at 11 s
        g.observe(new RateLimitSnapshot(9L, 6L, second(7))); // the API: it ends at 7 s
        g.acquire("job-3");
        assertThat(now.get()).as("waited for the API's end of the window, not the expected one").isEqualTo(second(7).plusMillis(250));
    }

    @Test
    void anAnswerFromTheNextWindowIsLoweredByWhatWasSentIntoItSinceItBegan() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), clock, sleeper);
        at("PT0.5S");
        g.observe(new RateLimitSnapshot(10L, 9L, Instant.parse("2026-11-28T10:00:01Z")));
        at("PT1.01S");
        for (int i = 0; i < 4; i++) g.acquire("job"); // sent into the new window, answers not back yet
        at("PT1.1S");
        // the answer to the first of them says 9 left: the three after it reached the API after it
        g.observe(new RateLimitSnapshot(10L, 9L, Instant.parse("2026-11-28T10:00:02Z")));
        assertThat(g.remaining()).isEqualTo(6L);
    }

    @Test
    void theFirstAnswerIsLoweredByTheOtherRequestsSentBeforeAnyAnswerCame() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("test", 0, Duration.ofMillis(250), clock, sleeper);
        at("PT0.1S");
        for (int i = 0; i < 8; i++) g.acquire("slice-" + i); // eight slices start at once, knowing nothing yet
        at("PT0.3S");
        g.observe(new RateLimitSnapshot(10L, 9L, Instant.parse("2026-11-28T10:00:01Z"))); // the first to arrive
        assertThat(g.remaining()).isEqualTo(2L);
    }
}
