package io.leadpipe.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The learner of an API that announces no quota, without a server: a simulated API accepting {@code limit}
 * requests in any second, a client sending as fast as the learned rate lets it (evenly, per second).
 */
class LearnedRateTest {

    private final SharedWindowTest.MovableClock clock = new SharedWindowTest.MovableClock(Instant.parse("2026-12-05T17:00:00Z"));
    private final LearnedRate learned = new LearnedRate("stripe", clock);

    /** A rolling one-second window of {@code limit} requests, no headers: only a 429 says it is spent. */
    private final class HiddenLimit {
        final int limit;
        final ArrayDeque<Instant> accepted = new ArrayDeque<>();
        int refusals;

        HiddenLimit(int limit) {
            this.limit = limit;
        }

        /** One second of requests, each spaced by the rate the learner allows at that moment; a 429 is retried after a second's backoff. */
        void second(int configured) {
            Instant end = clock.instant().plusSeconds(1);
            while (clock.instant().isBefore(end)) {
                Instant now = clock.instant();
                while (!accepted.isEmpty() && !accepted.peekFirst().isAfter(now.minusSeconds(1))) accepted.pollFirst();
                if (accepted.size() >= limit) {
                    refusals++;
                    learned.refused(configured);
                    clock.advance(Duration.ofSeconds(1));
                    continue;
                }
                accepted.addLast(now);
                learned.accepted(configured);
                clock.advance(Duration.ofMillis(1000 / learned.cap(configured)));
            }
        }
    }

    @Test
    void nothingLearnedWithoutA429() {
        HiddenLimit api = new HiddenLimit(10);
        for (int s = 0; s < 30; s++) api.second(8);
        assertThat(api.refusals).isZero();
        assertThat(learned.cap(8)).isEqualTo(8);
        assertThat(learned.rate()).isNull();
        assertThat(learned.describe(8)).isNull();
    }

    @Test
    void aRateTwiceTheLimitCostsOne429AndSettlesBelowTheLimit() {
        HiddenLimit api = new HiddenLimit(10);
        for (int s = 0; s < 15; s++) api.second(20);
        assertThat(api.refusals).as("one 429 per job, not one per second").isEqualTo(1);
        assertThat(learned.cap(20)).isBetween(5, 9);
        assertThat(learned.describe(20)).contains("configured 20").contains("refused at 10/s").contains("1 429");
    }

    @Test
    void creepsBackUpWhileAcceptedAndCutsAgainAtTheLimit() {
        HiddenLimit api = new HiddenLimit(10);
        api.second(20);
        int afterCut = learned.cap(20);
        assertThat(afterCut).isLessThan(10);
        // accepted for a step: one request per second more
        for (int s = 0; s < LearnedRate.STEP.toSeconds() + 1; s++) api.second(20);
        assertThat(learned.cap(20)).isEqualTo(afterCut + 1);
        // over minutes it probes the limit again: about one 429 per climb, never one per window
        for (int s = 0; s < 300; s++) api.second(20);
        assertThat(api.refusals).isBetween(2, 300 / (int) LearnedRate.STEP.toSeconds() / 2);
        assertThat(learned.cap(20)).isBetween(5, 10);
    }

    @Test
    void a429WithNothingAcceptedBeforeItTeachesNoRate() {
        learned.refused(20);
        assertThat(learned.rate()).as("no rate of ours was refused").isNull();
        assertThat(learned.cap(20)).isEqualTo(20);
    }

    @Test
    void neverAboveTheConfiguredRateAndAtLeastOnePerSecond() {
        learned.accepted(3);
        clock.advance(Duration.ofMillis(300));
        learned.accepted(3);
        learned.refused(3);
        assertThat(learned.cap(3)).isEqualTo(1);
        for (int s = 0; s < 200; s++) {
            clock.advance(Duration.ofSeconds(1));
            learned.accepted(3);
        }
        assertThat(learned.cap(3)).isEqualTo(3);
        assertThat(learned.cap(2)).as("an API on the key configured lower keeps its own").isEqualTo(2);
    }

    @Test
    void a429BurstFromRequestsSentBeforeTheCutCutsOnce() {
        for (int i = 0; i < 40; i++) {
            learned.accepted(50);
            clock.advance(Duration.ofMillis(25));
        }
        learned.refused(50);
        int once = learned.cap(50);
        clock.advance(Duration.ofMillis(20));
        learned.refused(50);
        learned.refused(50);
        assertThat(learned.cap(50)).isEqualTo(once).isEqualTo(29); // 39 accepted in the second before: three quarters
        assertThat(learned.refusals()).isEqualTo(1);
    }
}
