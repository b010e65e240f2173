package io.leadpipe.ratelimit;

import io.leadpipe.config.Settings;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RateLimitGovernorTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T10:00:00Z"));
    private final List<Duration> sleeps = new ArrayList<>();
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    /** Sleeping moves the fake clock: the governor sees time pass exactly as it asked. */
    private final RateLimitGovernor.Sleeper sleeper = d -> {
        sleeps.add(d);
        now.set(now.get().plus(d));
        this.duringSleep.run();
    };
    /** What happens while the governor sleeps (an answer coming in). */
    private Runnable duringSleep = () -> { };

    private RateLimitGovernor governor(long floor) {
        return new RateLimitGovernor("test", floor, Duration.ofMillis(250), clock, sleeper);
    }

    /** A governor with floor 1 that has heard of one window of 10 requests without a reset time (rolling), all left. */
    private RateLimitGovernor tenInARollingWindow(Duration length) {
        RateLimitGovernor g = governor(1);
        answer(g, length, 10, null);
        return g;
    }

    /** An answer saying {@code remaining} of that window's 10 are left, to the request let through at {@code permit}. */
    private static void answer(RateLimitGovernor g, Duration length, long remaining, Instant permit) {
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 10L, remaining, length)), permit);
    }

    @Test
    void sendsFreelyWhileAboveTheFloorThenWaitsUntilTheResetPlusMargin() throws Exception {
        RateLimitGovernor g = governor(10);
        g.observe(new RateLimitSnapshot(100L, 13L, now.get().plusSeconds(2)));
        for (int i = 0; i < 3; i++) g.acquire("job");      // 13 → 10
        assertThat(sleeps).isEmpty();
        g.acquire("job");                                     // at the floor: wait for the refill
        assertThat(sleeps).containsExactly(Duration.ofMillis(2250));
    }

    @Test
    void aSmallQuotaKeepsAtMostATenthInReserve() throws Exception {
        RateLimitGovernor g = governor(10);
        g.observe(new RateLimitSnapshot(10L, 9L, now.get().plusSeconds(2)));
        assertThat(g.effectiveFloor()).isEqualTo(1);
        for (int i = 0; i < 8; i++) g.acquire("job");
        assertThat(sleeps).isEmpty();
        g.acquire("job");
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void afterTheResetTheFullLimitIsAssumedUntilTheNextAnswer() throws Exception {
        RateLimitGovernor g = governor(0);
        g.observe(new RateLimitSnapshot(5L, 0L, now.get().plusSeconds(1)));
        g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofMillis(1250));
        assertThat(g.remaining()).isEqualTo(4L); // refilled to 5, one taken
    }

    @Test
    void afterTheResetNoMoreThanTheLimitGoesOutBeforeTheNewWindowsFirstAnswer() throws Exception {
        RateLimitGovernor g = governor(0);
        g.observe(new RateLimitSnapshot(5L, 0L, now.get().plusSeconds(1)));
        for (int i = 0; i < 5; i++) g.acquire("job"); // waits out the reset, then the refilled 5
        assertThat(sleeps).containsExactly(Duration.ofMillis(1250));
        // a sixth before any answer of the new window would be over its limit: it waits for the answer that names
        // the window, then for that window's end
        Instant answeredAt = now.get().plusMillis(300), newReset = now.get().plusSeconds(1);
        duringSleep = () -> {
            if (!now.get().isBefore(answeredAt) && g.resetAt() == null) g.observe(new RateLimitSnapshot(5L, 0L, newReset));
        };
        g.acquire("job");
        assertThat(now.get()).as("sent when the new window's named end had passed, plus the margin").isEqualTo(newReset.plusMillis(250));
        assertThat(sleeps.subList(1, sleeps.size())).as("looked again every 50 ms until the answer came, then waited for the reset")
                .startsWith(Duration.ofMillis(50)).hasSize(7);
    }

    @Test
    void aWindowWhoseEndNoAnswerNamesHoldsItsLimitOnlyForAWhile() throws Exception {
        RateLimitGovernor g = governor(0);
        g.observe(new RateLimitSnapshot(5L, 0L, now.get().plusSeconds(1)));
        for (int i = 0; i < 5; i++) g.acquire("job");
        Instant refilled = now.get();
        g.acquire("job"); // no answer ever comes (the API is down): the request goes after the hold, to fail on its own
        assertThat(Duration.between(refilled, now.get())).isEqualTo(Duration.ofSeconds(2));
    }

    /** A window of 10 whose 10 requests were all let through 200 ms before its reset (within the 250 ms margin): their permits. */
    private List<Instant> tenLetThroughJustBeforeTheReset(RateLimitGovernor g, Instant reset) throws Exception {
        g.observe(new RateLimitSnapshot(10L, 10L, reset));
        now.set(reset.minusMillis(200));
        List<Instant> permits = new ArrayList<>();
        for (int i = 0; i < 10; i++) permits.add(g.acquire("job"));
        return permits;
    }

    @Test
    void requestsJustBeforeTheResetThatTheirAnswersShowInTheOldWindowAreNotCarriedIntoTheNew() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(1);
        List<Instant> permits = tenLetThroughJustBeforeTheReset(g, reset);
        for (int i = 0; i < 8; i++) g.observe(new RateLimitSnapshot(10L, 2L, reset), permits.get(i)); // counted in this window
        // the 2 still in flight may reach the API in the next window: it starts with 8
        for (int i = 0; i < 8; i++) g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofMillis(450));
        assertThat(g.remaining()).isZero();
    }

    @Test
    void aLateAnswerShowingACarriedRequestInTheOldWindowFreesItsPlaceInTheNew() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(1);
        List<Instant> permits = tenLetThroughJustBeforeTheReset(g, reset);
        // no answer before the refill: all 10 may be in the new window, so nothing goes until answers say otherwise
        duringSleep = () -> {
            if (!now.get().isBefore(reset.plusMillis(400)) && g.remaining() == 0 && g.resetAt() == null) {
                for (int i = 0; i < 6; i++) g.observe(new RateLimitSnapshot(10L, 0L, reset), permits.get(i));
            }
        };
        for (int i = 0; i < 6; i++) g.acquire("job");
        assertThat(now.get()).as("sent when the late answers came").isEqualTo(reset.plusMillis(400));
        assertThat(g.remaining()).isZero();
    }

    @Test
    void theRefilledWindowsFirstAnswerSaysWhatItHoldsBeyondTheCarriedRequests() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(1);
        List<Instant> permits = tenLetThroughJustBeforeTheReset(g, reset);
        for (int i = 0; i < 8; i++) g.observe(new RateLimitSnapshot(10L, 2L, reset), permits.get(i));
        Instant first = g.acquire("job"); // the refill: 2 of the new window's 10 may be the carried ones
        g.acquire("job");
        // the new window's first answer: the API counted 1 (the carried 2 reached it in the old window)
        g.observe(new RateLimitSnapshot(10L, 9L, reset.plusSeconds(1)), first);
        assertThat(g.remaining()).as("9 said, less our other request of the window").isEqualTo(8L);
        for (int i = 0; i < 8; i++) g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofMillis(450));
    }

    @Test
    void aBurstAtTheRefillThatReachedTheApiTogetherKeepsWhatIsLeftAfterIt() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(1);
        g.observe(new RateLimitSnapshot(10L, 10L, reset));
        now.set(reset.plusMillis(300)); // nothing carried: the window ended before any of ours
        List<Instant> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) burst.add(g.acquire("job"));
        // the first answer counted all 8 (they arrived together): 2 left, which our own count says too
        g.observe(new RateLimitSnapshot(10L, 2L, reset.plusSeconds(1)), burst.get(0));
        assertThat(g.remaining()).isEqualTo(2L);
        g.acquire("job");
        g.acquire("job");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void requestsLetThroughAfterTheOldResetThatReachTheApiLateAreNotTakenAsRoomByTheFirstAnswer() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(1);
        g.observe(new RateLimitSnapshot(10L, 6L, reset));
        now.set(reset.plusMillis(100)); // the old window is ours until its reset plus the margin: 6 go, and may reach the new one
        for (int i = 0; i < 6; i++) g.acquire("job");
        now.set(reset.plusMillis(250));
        Instant first = g.acquire("job"); // the refill: 10 less the 6 carried
        for (int i = 0; i < 3; i++) g.acquire("job");
        // the first answer counted only itself: the 6 stalled ones reached the API after it
        g.observe(new RateLimitSnapshot(10L, 9L, reset.plusSeconds(1)), first);
        assertThat(g.remaining()).as("9 said, less the 9 others that may have reached it later").isZero();
    }

    /** A window of 10 ending 1 s after {@code start}: 3 requests let through 200 ms before its end, their answers showing them in it. */
    private void threeShownInTheWindowBeforeItsEnd(RateLimitGovernor g, Instant start) throws Exception {
        Instant reset = start.plusSeconds(1);
        g.observe(new RateLimitSnapshot(10L, 10L, reset));
        now.set(start.plusMillis(800)); // within the margin before the reset
        List<Instant> permits = new ArrayList<>();
        for (int i = 0; i < 3; i++) permits.add(g.acquire("job"));
        for (Instant p : permits) g.observe(new RateLimitSnapshot(10L, 7L, reset), p); // shown in this window
    }

    @Test
    void aResetThatMovesLaterForgetsWhichRequestsItsAnswersShowedInTheWindow() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant start = now.get();
        threeShownInTheWindowBeforeItsEnd(g, start);
        now.set(start.plusMillis(900));
        g.observe(new RateLimitSnapshot(10L, 7L, start.plusMillis(1300))); // a delta reset read later: the window ends at 1.3 s
        // within the margin before the new end: these 4 may reach the next window
        fourCarriedThenTheRefill(g, start.plusMillis(1100), start.plusMillis(1550));
        assertThat(g.remaining()).as("10 less the 4 carried, less this one (not less 4 − 3)").isEqualTo(5L);
    }

    @Test
    void anAnswerOfALaterWindowForgetsWhichRequestsTheWindowBeforeShowed() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant start = now.get();
        threeShownInTheWindowBeforeItsEnd(g, start);
        now.set(start.plusMillis(1300));
        g.observe(new RateLimitSnapshot(10L, 9L, start.plusMillis(2000))); // the next window's word: it starts from there
        fourCarriedThenTheRefill(g, start.plusMillis(1800), start.plusMillis(2250));
        assertThat(g.remaining()).as("10 less the 4 carried, less this one").isEqualTo(5L);
    }

    /** Four requests let through at {@code carriedAt} (within the margin before the window's end), then one at {@code refillAt}, the refill. */
    private void fourCarriedThenTheRefill(RateLimitGovernor g, Instant carriedAt, Instant refillAt) throws Exception {
        now.set(carriedAt);
        for (int i = 0; i < 4; i++) g.acquire("job");
        now.set(refillAt);
        g.acquire("job");
    }

    @Test
    void aKeyWhoseAnswersTakeLongHoldsAnUnnamedWindowTwiceAsLong() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(1);
        tenLetThroughJustBeforeTheReset(g, reset);
        g.answeredSincePermit(Duration.ofSeconds(5).toNanos()); // a slow count query
        for (int i = 0; i < 10; i++) g.acquire("job"); // waits out the reset, then the hold: nothing is shown in the old window
        Instant refilled = reset.plusMillis(250);
        assertThat(Duration.between(refilled, now.get())).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aRefusalInTheUnnamedWindowKeepsLateAnswersFromGivingPlacesBack() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(1);
        List<Instant> permits = tenLetThroughJustBeforeTheReset(g, reset);
        duringSleep = () -> {
            if (!now.get().isBefore(reset.plusMillis(400)) && g.resetAt() == null && !delivered.get()) {
                delivered.set(true);
                g.rejected(null, false); // a 429 that says nothing: the new window is full
                for (int i = 0; i < 6; i++) g.observe(new RateLimitSnapshot(10L, 0L, reset), permits.get(i));
            }
        };
        g.acquire("job");
        assertThat(Duration.between(reset.plusMillis(250), now.get())).as("held for the whole hold, not freed by the late answers")
                .isEqualTo(Duration.ofSeconds(2));
    }

    private final java.util.concurrent.atomic.AtomicBoolean delivered = new java.util.concurrent.atomic.AtomicBoolean();

    @Test
    void answersArrivingOutOfOrderNeverRaiseTheEstimate() {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(10);
        g.observe(new RateLimitSnapshot(100L, 40L, reset));
        g.observe(new RateLimitSnapshot(100L, 45L, reset)); // an older answer, overtaken
        assertThat(g.remaining()).isEqualTo(40L);
    }

    @Test
    void aLateAnswerFromAPastWindowIsIgnored() {
        RateLimitGovernor g = governor(0);
        g.observe(new RateLimitSnapshot(100L, 90L, now.get().plusSeconds(10)));
        g.observe(new RateLimitSnapshot(100L, 0L, now.get().minusSeconds(1)));
        assertThat(g.remaining()).isEqualTo(90L);
    }

    @Test
    void aResetOneSecondLaterStartsTheNewWindowFromWhatTheApiSays() throws Exception {
        RateLimitGovernor g = governor(10);
        Instant reset = now.get().plusMillis(600); // epoch seconds, rounded up: the window really ends earlier
        g.observe(new RateLimitSnapshot(20L, 6L, reset));
        for (int i = 0; i < 3; i++) g.acquire("job");                 // our estimate: 3 left
        g.observe(new RateLimitSnapshot(20L, 19L, reset.plusSeconds(1))); // the next window already began
        assertThat(g.remaining()).as("the new window's count, not the old one's").isEqualTo(19L);
        for (int i = 0; i < 17; i++) g.acquire("job");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void remainingGoingBackUpWithTheResetMovedOnIsANewWindow() {
        RateLimitGovernor g = governor(0);
        Instant reset = now.get().plusSeconds(3);
        g.observe(new RateLimitSnapshot(20L, 4L, reset));
        g.observe(new RateLimitSnapshot(20L, 18L, reset.plusMillis(400)));
        assertThat(g.remaining()).isEqualTo(18L);
    }

    @Test
    void aRollingWindowWaitsUntilTheOldestRequestCountedInItLeaves() throws Exception {
        RateLimitGovernor g = governor(0);
        Instant t0 = now.get();
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 3L, 3L, Duration.ofSeconds(10))));
        g.acquire("job");
        now.set(t0.plusSeconds(2));
        g.acquire("job");
        now.set(t0.plusSeconds(4));
        g.acquire("job");                                   // 0 left
        assertThat(sleeps).isEmpty();
        g.acquire("job");                                   // the first leaves the window at t0 + 10 s
        assertThat(sleeps).containsExactly(Duration.ofMillis(6250));
    }

    @Test
    void anAnswerToTheFirstOfSeveralRequestsInFlightDoesNotForgetTheOthers() throws Exception {
        // four batches at once into a rolling window of 6: the first answer says 5 left, counted before the
        // other three reached the API — 2 are left, not 5
        RateLimitGovernor g = governor(0);
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 6L, 6L, Duration.ofSeconds(1))));
        for (int i = 0; i < 4; i++) g.acquire("job");
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 6L, 5L, Duration.ofSeconds(1))));
        g.acquire("job");
        g.acquire("job");
        assertThat(sleeps).isEmpty();
        g.acquire("job");                                   // the window is full: wait
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void aRequestOfOursLeavesARollingWindowOnlyAMarginAfterTheApiCouldHaveCountedIt() throws Exception {
        // the API counts a request when it arrives, up to the margin after we let it go: at t0 + 10.25 s only the
        // request sent at t0 has surely left the API's window, not the ones sent 0.1 s and 0.2 s after it
        RateLimitGovernor g = governor(0);
        Instant t0 = now.get();
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 3L, 3L, Duration.ofSeconds(10))));
        g.acquire("job");
        now.set(t0.plusMillis(100));
        g.acquire("job");
        now.set(t0.plusMillis(200));
        g.acquire("job");                                   // 0 left
        g.acquire("job");                                   // waits for the first to leave, plus the margin
        assertThat(sleeps).containsExactly(Duration.ofMillis(10_050));
        g.acquire("job");                                   // the second leaves 0.1 s later, not already
        assertThat(sleeps).containsExactly(Duration.ofMillis(10_050), Duration.ofMillis(100));
    }

    @Test
    void aRequestOfOursLeavesARollingWindowTheMeasuredTransitAfterIt() throws Exception {
        // the longest time from a permit to its answer among the recent requests (35 ms): the API counted each before
        // its answer, so ours leave its window 35 ms after ours, not the 250 ms reset margin (a ninth of a 2-s window)
        RateLimitGovernor g = governor(0);
        Instant t0 = now.get();
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 3L, 3L, Duration.ofSeconds(10))));
        g.answeredSincePermit(Duration.ofMillis(12).toNanos());
        g.answeredSincePermit(Duration.ofMillis(35).toNanos());
        g.answeredSincePermit(Duration.ofMillis(5).toNanos());
        assertThat(g.windowMargin()).isEqualTo(Duration.ofMillis(35));
        g.acquire("job");
        now.set(t0.plusMillis(100));
        g.acquire("job");
        now.set(t0.plusMillis(200));
        g.acquire("job");                                   // 0 left
        g.acquire("job");                                   // the first leaves at t0 + 10 s + 35 ms
        assertThat(sleeps).containsExactly(Duration.ofMillis(9_835));
    }

    @Test
    void aRequestOfOursLeavesARollingWindowALengthAfterItsOwnAnswer() throws Exception {
        // the API counted each request before answering it: once answered (20 ms after its permit), a request leaves the
        // window a length after that answer — not after the longest transit measured (one slow answer of 500 ms)
        RateLimitGovernor g = governor(0);
        Instant t0 = now.get();
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 2L, 2L, Duration.ofSeconds(10))));
        g.answeredSincePermit(Duration.ofMillis(500).toNanos());
        Instant first = g.acquire("job");
        now.set(t0.plusMillis(20));
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 2L, 1L, Duration.ofSeconds(10))), first);
        Instant second = g.acquire("job");                  // 0 left
        now.set(t0.plusMillis(40));
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 2L, 0L, Duration.ofSeconds(10))), second);
        g.acquire("job");                                   // the first leaves at t0 + 20 ms + 10 s
        assertThat(sleeps).containsExactly(Duration.ofMillis(9_980));
    }

    @Test
    void aFailedAnswerLeavesARollingWindowALengthAfterItselfNotAfterTheLatestRequest() throws Exception {
        // HubSpot's rolling window on a 503 that took 300 ms while the answers so far took 5: the error route hands the
        // governor the permit of the request it answers, so that request leaves a length after its answer, as on a 2xx
        RateLimitGovernor g = governor(0);
        Settings settings = Settings.load(Path.of("application.properties"), null, Map.of(
                "leadpipe.source.leads-api.quota.window.limit-header", "X-HubSpot-RateLimit-Max",
                "leadpipe.source.leads-api.quota.window.remaining-header", "X-HubSpot-RateLimit-Remaining",
                "leadpipe.source.leads-api.quota.window.interval-header", "X-HubSpot-RateLimit-Interval-Milliseconds"), Map.of(), new Properties());
        ApiQuota q = new ApiQuota("test", g, new QuotaSpec(RateLimitHeaderNames.defaults(),
                QuotaWindows.read(io.leadpipe.config.ApiKeys.source(settings, "leads-api")), RateLimitRules.none(), 100), () -> (key, ms) -> { });
        Instant t0 = now.get();
        q.observe(TestHeaders.of("X-HubSpot-RateLimit-Max", "2", "X-HubSpot-RateLimit-Remaining", "2", "X-HubSpot-RateLimit-Interval-Milliseconds", "10000")::get);
        g.answeredSincePermit(Duration.ofMillis(5).toNanos());
        Instant first = q.acquire("job", null);
        now.set(t0.plusMillis(1));
        q.acquire("job", null);                             // 0 left, both in flight
        now.set(t0.plusMillis(300));
        q.observeFailure(new HttpOperationFailedException("http://crm/x", 503, "Unavailable", null, TestHeaders.of("X-HubSpot-RateLimit-Max", "2",
                "X-HubSpot-RateLimit-Remaining", "0", "X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), ""), first);
        q.acquire("job", null);                             // the first was counted by t0 + 300 ms: it leaves at t0 + 10.3 s, not t0 + 10.005 s
        assertThat(sleeps).containsExactly(Duration.ofMillis(10_000));
    }

    @Test
    void anAnswerCountedBeforeOneOfOursLeftTheWindowDoesNotHoldAPhantomRequestForTheRestOfTheRun() throws Exception {
        // Salesforce's rolling window (10 requests in 2 s, floor 1: 9 of ours), one call at a time, each answered 10 ms after
        // its permit. One answer is slow (30 ms): the API counted, at its arrival, a request of ours that left the window
        // before the answer came, so it says one less is left than our count. Later answers say the truth again; they must
        // be believed, not kept under that one's count for good (which sent 8 a window where 9 are allowed)
        Duration length = Duration.ofSeconds(2);
        RateLimitGovernor g = tenInARollingWindow(length);
        Instant t0 = now.get();
        List<Instant> arrivals = new ArrayList<>();  // at the API, which counts a request from its arrival for 2 s
        List<Instant> permits = new ArrayList<>();
        for (int i = 0; permits.isEmpty() || permits.get(permits.size() - 1).isBefore(t0.plusSeconds(12)); i++) {
            Instant permit = g.acquire("job");
            permits.add(permit);
            Instant arrival = permit.plusMillis(4);
            arrivals.add(arrival);
            long counted = arrivals.stream().filter(a -> a.isAfter(arrival.minus(length)) && !a.isAfter(arrival)).count();
            now.set(permit.plusMillis(i == 9 ? 30 : 10));
            answer(g, length, 10 - counted, permit);
        }
        assertThat(arrivals).as("never over the floor (9 of 10)").allSatisfy(a ->
                assertThat(arrivals.stream().filter(b -> b.isAfter(a.minus(length)) && !b.isAfter(a)).count()).isLessThanOrEqualTo(9));
        // from the third window on: 9 a window, as the floor allows (7 before the fix: 28 in these 4 windows)
        assertThat(permits.stream().filter(p -> !p.isBefore(t0.plusSeconds(4)) && p.isBefore(t0.plusSeconds(12))).count()).isEqualTo(4 * 9);
    }

    @Test
    void aFixedWindowThatStartsWithItsFirstRequestIsNeverSentPastItsLimit() throws Exception {
        // People Data Labs: a fixed window per key, started by its first request (10 in 2 s here, floor 1); one request per
        // 100 ms at most, each answered 250 ms after its permit (three in flight). The first answers of a new window say
        // 9, 8, ... left while ours from the window before are still in our rolling count: they are not in the API's new
        // count, so their leaving ours frees nothing there (counted as freeing a slot: 11 in each window after the first)
        Duration length = Duration.ofSeconds(2);
        java.util.ArrayDeque<Object[]> inFlight = new java.util.ArrayDeque<>(); // {answer due, permit, remaining said}
        RateLimitGovernor[] gov = new RateLimitGovernor[1];
        java.util.function.Consumer<Instant> until = target -> {
            while (!inFlight.isEmpty() && !((Instant) inFlight.peekFirst()[0]).isAfter(target)) {
                Object[] a = inFlight.pollFirst();
                now.set((Instant) a[0]);
                answer(gov[0], length, (Long) a[2], (Instant) a[1]);
            }
            now.set(target);
        };
        RateLimitGovernor g = new RateLimitGovernor("test", 1, Duration.ofMillis(250), clock, d -> until.accept(now.get().plus(d)));
        gov[0] = g;
        answer(g, length, 10, null);
        Instant t0 = now.get();
        Instant windowStart = null;
        int inWindow = 0;
        List<Integer> perWindow = new ArrayList<>();
        while (now.get().isBefore(t0.plusSeconds(12))) {
            Instant permit = g.acquire("job");
            Instant arrival = permit.plusMillis(4);
            if (windowStart == null || !arrival.isBefore(windowStart.plus(length))) {
                windowStart = arrival;
                inWindow = 0;
                perWindow.add(0);
            }
            inWindow++;
            perWindow.set(perWindow.size() - 1, inWindow);
            inFlight.addLast(new Object[] {permit.plusMillis(250), permit, (long) Math.max(0, 10 - inWindow)});
            until.accept(permit.plusMillis(100)); // the Throttler's pace
        }
        assertThat(perWindow).as("requests in each of the API's windows").allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(9));
        assertThat(perWindow).as("the API's windows in 12 s").hasSizeGreaterThanOrEqualTo(6);
        assertThat(perWindow.subList(0, 5)).as("the floor's 9 a window, not fewer").allSatisfy(n -> assertThat(n).isEqualTo(9));
    }

    @Test
    void anOvertakenAnswerDoesNotRaiseTheCountAFresherOneLowered() throws Exception {
        // a key shared with another client: A and B of ours in flight, then 5 of theirs. B's answer (3 left) comes first, then
        // A's slower one, counted before the other client's: it says 9 left. Taken as the truth less B (8), it would let 7 more
        // of ours through into a window already holding 7 of 10
        Duration length = Duration.ofSeconds(10);
        RateLimitGovernor g = tenInARollingWindow(length);
        Instant t0 = now.get();
        Instant a = g.acquire("job");
        now.set(t0.plusMillis(1));
        Instant b = g.acquire("job");
        now.set(t0.plusMillis(20));
        answer(g, length, 3, b);   // A, B and the other client's 5
        now.set(t0.plusMillis(30));
        answer(g, length, 9, a);   // counted at A's arrival
        int free = 0;
        while (sleeps.isEmpty() && free < 10) {
            g.acquire("job");
            if (sleeps.isEmpty()) free++;
        }
        assertThat(free).as("requests let through at once: 3 left less the floor of 1").isEqualTo(2);
    }

    @Test
    void aResetRoundedUpIsWaitedForFromItsEarliestAnswerWithNoMarginPastIt() throws Exception {
        // Pipedrive's x-ratelimit-reset: whole seconds left, rounded up (its docs: 2 after the first request of a 2-second
        // window) — every answer's reset is at or after the window's end, so the earliest is the closest and no margin is due
        RateLimitGovernor g = governor(4);
        Instant t0 = now.get();
        Instant first = g.acquire("job");
        now.set(t0.plusMillis(10));
        g.observe(new RateLimitSnapshot(40L, 39L, now.get().plusSeconds(2), true), first);   // reset 2: the window ends by t0 + 2.01 s
        for (int i = 0; i < 34; i++) g.acquire("job");
        Instant last = g.acquire("job");
        now.set(t0.plusMillis(300));
        g.observe(new RateLimitSnapshot(40L, 4L, now.get().plusSeconds(2), true), last);     // 1.7 s left reads 2 as well
        g.acquire("job");                                   // at the floor: until t0 + 2.01 s, not t0 + 2.3 s + 250 ms
        assertThat(sleeps).containsExactly(Duration.ofMillis(1_710));
    }

    @Test
    void anAnswerToARequestPermittedBeforeTheWindowBeganLeavesTheRoundedUpResetAlone() throws Exception {
        RateLimitGovernor g = governor(4);
        Instant t0 = now.get();
        Instant early = g.acquire("job");
        g.observe(new RateLimitSnapshot(40L, 4L, t0.plusSeconds(2), true), early);
        g.acquire("job");                                   // at the floor: until t0 + 2 s, the new window begins
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
        now.set(t0.plusMillis(2_010));
        g.observe(new RateLimitSnapshot(40L, 3L, now.get().plusSeconds(2), true), now.get().minusMillis(10)); // the new window's: ends by t0 + 4.01 s
        // a late answer to a request let through in the old window (counted there 0.5 s before its end: reset 1) says 1 s
        now.set(t0.plusMillis(2_050));
        g.observe(new RateLimitSnapshot(40L, 0L, now.get().plusSeconds(1), true), early);
        g.acquire("job");                                   // 3 left, at the floor: until the new window's end
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(1_960));
    }

    @Test
    void aFixedWindowMarginIsKeptWhateverIsMeasured() throws Exception {
        RateLimitGovernor g = governor(0).windowMargin(Duration.ofMillis(250)); // leadpipe.ratelimit.window-margin-ms = 250
        g.observeWindows(List.of(new QuotaWindows.Reading("window", 1L, 1L, Duration.ofSeconds(10))));
        g.answeredSincePermit(Duration.ofMillis(1).toNanos());
        g.acquire("job");
        g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofMillis(10_250));
    }

    @Test
    void aDeclaredLimitNoAnswerCountsDownIsPacedByOurOwnRequests() throws Exception {
        // Zoho's credits: a documented limit per rolling window, in no header — the requests already in flight when the
        // first answer came count too
        RateLimitGovernor g = governor(0);
        Instant t0 = now.get();
        g.acquire("job");
        g.acquire("job");
        now.set(t0.plusSeconds(1));
        g.observeWindows(List.of(new QuotaWindows.Reading("day", 3L, null, Duration.ofSeconds(10))));
        assertThat(g.windowRemaining("day")).isEqualTo(1L);
        g.acquire("job");
        assertThat(sleeps).isEmpty();
        g.acquire("job");                                   // the first two leave at t0 + 10 s + the margin (250 ms: not measured)
        assertThat(sleeps).containsExactly(Duration.ofMillis(9_250));
    }

    @Test
    void aWindowTheApiSaidIsSpentIsNotSentIntoEvenWithNoneOfOursInIt() throws Exception {
        RateLimitGovernor g = governor(0);
        g.observeWindows(List.of(new QuotaWindows.Reading("day", 100L, 0L, Duration.ofSeconds(30))));
        g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofMillis(30_250));
    }

    @Test
    void withSeveralWindowsTheTightestPaces() throws Exception {
        RateLimitGovernor g = governor(0);
        g.observeWindows(List.of(new QuotaWindows.Reading("minute", 100L, 60L, Duration.ofMinutes(1)),
                new QuotaWindows.Reading("second", 2L, 2L, Duration.ofSeconds(1))));
        g.acquire("job");
        g.acquire("job");
        g.acquire("job");
        assertThat(sleeps).as("the per-second window paces, the minute has room").containsExactly(Duration.ofMillis(1250));
        assertThat(g.windowRemaining("minute")).isEqualTo(57L);
    }

    @Test
    void a429WithRetryAfterHoldsEveryRequestOnTheKey() throws Exception {
        RateLimitGovernor g = governor(0);
        g.rejected(Duration.ofSeconds(3), false);
        g.acquire("job-a");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void a429ThatSaysQuotaIsLeftOnlyWaitsForItsRetryAfter() throws Exception {
        RateLimitGovernor g = governor(10);
        g.observe(new RateLimitSnapshot(600L, 590L, now.get().plusSeconds(50)));
        g.rejected(Duration.ofSeconds(2), true);
        g.acquire("job");
        g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void a429ThatSaysNothingWaitsForTheKnownReset() throws Exception {
        RateLimitGovernor g = governor(10);
        g.observe(new RateLimitSnapshot(600L, 590L, now.get().plusSeconds(50)));
        g.rejected(null, false);
        g.acquire("job");
        assertThat(sleeps).containsExactly(Duration.ofMillis(50_250));
    }

    @Test
    void withoutAnyHeadersNothingIsHeldBack() throws Exception {
        RateLimitGovernor g = governor(10);
        for (int i = 0; i < 1000; i++) g.acquire("job");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void aShutdownEndsAWaitForTheResetAtOnce() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("real-sleep", 0, Duration.ofMillis(250));
        g.observe(new RateLimitSnapshot(10L, 0L, Instant.now().plusSeconds(120)));
        AtomicReference<Thread> waiter = new AtomicReference<>();
        java.util.concurrent.CompletableFuture<Throwable> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            try {
                g.acquire("job");
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> ended.isDone() || waiter.get() != null && waiter.get().getState() == Thread.State.TIMED_WAITING);
        assertThat(ended).as("waiting two minutes for the reset").isNotDone();
        long t0 = System.nanoTime();
        g.stop();
        assertThat(ended.get(2, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(WaitCutShortException.class);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("ms from the stop to the end of the wait").isLessThan(1000);
        assertThatThrownBy(() -> g.acquire("job")).as("no new wait after the stop").isInstanceOf(WaitCutShortException.class);
    }

    @Test
    void threadsSharingTheKeyShareTheBudget() throws Exception {
        RateLimitGovernor g = new RateLimitGovernor("shared", 2, Duration.ofMillis(50));
        g.observe(new RateLimitSnapshot(100L, 30L, Instant.now().plusSeconds(60)));
        List<Thread> threads = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger passed = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    try {
                        g.acquire("t");
                        passed.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        // every thread either through its 20 or held in the wait for the reset (a minute away): nothing more gets through
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> passed.get() >= 28 && threads.stream().allMatch(th -> !th.isAlive() || th.getState() == Thread.State.TIMED_WAITING));
        threads.forEach(Thread::interrupt);
        for (Thread th : threads) th.join();
        assertThat(passed.get()).as("30 left, floor 2: four threads together get 28").isEqualTo(28);
    }
}
