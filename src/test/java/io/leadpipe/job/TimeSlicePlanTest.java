package io.leadpipe.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** slices = auto's cut: slices holding about the same records by the API's counts, covering the whole range. */
class TimeSlicePlanTest {

    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2026-01-31T00:00:00Z");

    /** 1,000 records: 100 over the first 29 days, 900 on the last day — a list that grew late. */
    private static List<Instant> skewed() {
        List<Instant> at = new ArrayList<>();
        for (int i = 0; i < 100; i++) at.add(FROM.plus(Duration.ofMinutes(i * 29L * 24 * 60 / 100)));
        for (int i = 0; i < 900; i++) at.add(UNTIL.minus(Duration.ofDays(1)).plusSeconds(i * 96L));
        return at;
    }

    private static TimeSlicePlan.Counter counting(List<Instant> records, AtomicInteger requests) {
        return (lo, hi) -> {
            requests.incrementAndGet();
            return records.stream().filter(t -> (lo == null || !t.isBefore(lo)) && (hi == null || t.isBefore(hi))).count();
        };
    }

    @Test
    void skewedRecordsAreCutIntoSlicesOfAboutTheSameCountNotTheSameLength() throws Exception {
        List<Instant> records = skewed();
        AtomicInteger requests = new AtomicInteger();

        TimeSlicePlan.Plan plan = TimeSlicePlan.plan(FROM, UNTIL, Duration.ofSeconds(1), () -> 5, counting(records, requests), 64, null);

        assertThat(plan.counted()).isTrue();
        assertThat(plan.ranges()).hasSize(5);
        assertThat(plan.requests()).as("counts asked").isEqualTo(requests.get()).isLessThanOrEqualTo(64);
        // contiguous from FROM to UNTIL, and every record in exactly one slice, as counted
        assertThat(plan.ranges().get(0).from()).isEqualTo(FROM);
        assertThat(plan.ranges().get(plan.ranges().size() - 1).until()).isEqualTo(UNTIL);
        long sum = 0;
        for (int i = 0; i < plan.ranges().size(); i++) {
            TimeSlicePlan.Range r = plan.ranges().get(i);
            if (i > 0) assertThat(r.from()).isEqualTo(plan.ranges().get(i - 1).until());
            long in = records.stream().filter(t -> !t.isBefore(r.from()) && t.isBefore(r.until())).count();
            assertThat(r.records()).as("slice %s: the counts' estimate", r).isCloseTo(in, org.assertj.core.data.Offset.offset(10L));
            // about a fifth each: cut inside the counted pieces in proportion to their records
            assertThat(in).as("slice %s", r).isBetween(180L, 220L);
            sum += in;
        }
        assertThat(sum).isEqualTo(records.size());
        // the last day holds 900 records: it is cut, the 29 days before it are not cut into many empty slices
        assertThat(plan.ranges().stream().filter(r -> r.from().isBefore(UNTIL.minus(Duration.ofDays(1))))).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void theFirstAndLastCountsAreOpenOnTheirOuterSide() throws Exception {
        List<String> asked = new ArrayList<>();
        TimeSlicePlan.plan(FROM, UNTIL, Duration.ofSeconds(1), () -> 4, (lo, hi) -> {
            asked.add(lo + ".." + hi);
            return lo == null && hi == null ? 400L : 100L * Duration.between(lo == null ? FROM : lo, hi).toDays() / 30 * 4 / 4;
        }, 64, null);
        assertThat(asked.get(0)).as("the whole range: what the unsliced job asks for").isEqualTo("null..null");
        assertThat(asked.get(1)).as("the first quarter, open below").isEqualTo("null..2026-01-08T12:00:00Z");
        assertThat(asked.get(2)).as("counted from the range's start too").isEqualTo("null..2026-01-16T00:00:00Z");
    }

    @Test
    void emptyStretchesJoinANeighbourAndAStartOfTimeRangeFindsTheRecords() throws Exception {
        List<Instant> records = new ArrayList<>();
        for (int i = 0; i < 600; i++) records.add(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i * 60L));
        AtomicInteger requests = new AtomicInteger();

        TimeSlicePlan.Plan plan = TimeSlicePlan.plan(Instant.EPOCH, Instant.parse("2026-12-01T00:00:00Z"), Duration.ofSeconds(1), () -> 3,
                counting(records, requests), 64, null);

        assertThat(plan.ranges()).hasSize(3);
        assertThat(plan.ranges()).allSatisfy(r -> assertThat(records.stream().filter(t -> !t.isBefore(r.from()) && t.isBefore(r.until())).count())
                .isBetween(190L, 210L));
        assertThat(plan.ranges().get(0).from()).isEqualTo(Instant.EPOCH);
        assertThat(plan.requests()).as("quarterings from 1970 to the records, then the cuts").isLessThan(40);
    }

    @Test
    void noTotalCutsEvenlyByTimeInWholeGrains() throws Exception {
        TimeSlicePlan.Plan plan = TimeSlicePlan.plan(FROM, Instant.parse("2026-01-11T12:00:00Z"), Duration.ofDays(1), () -> 4, (lo, hi) -> null, 64, null);

        assertThat(plan.counted()).isFalse();
        assertThat(plan.requests()).as("the whole range, and the three quarterings asked with it").isEqualTo(4);
        assertThat(plan.ranges()).extracting(TimeSlicePlan.Range::from).containsExactly(FROM, Instant.parse("2026-01-03T00:00:00Z"),
                Instant.parse("2026-01-06T00:00:00Z"), Instant.parse("2026-01-08T00:00:00Z"));
        assertThat(plan.ranges().get(3).until()).isEqualTo(Instant.parse("2026-01-11T12:00:00Z"));
    }

    @Test
    void aRoundsCountsMadeAtOnceCutAsOneAfterAnother() throws Exception {
        List<Instant> records = skewed();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            TimeSlicePlan.Plan together = TimeSlicePlan.plan(FROM, UNTIL, Duration.ofSeconds(1), () -> 5, counting(records, new AtomicInteger()), 64, pool);
            TimeSlicePlan.Plan inTurn = TimeSlicePlan.plan(FROM, UNTIL, Duration.ofSeconds(1), () -> 5, counting(records, new AtomicInteger()), 64, null);
            assertThat(together).isEqualTo(inTurn);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theTotalIsAskedInOneRoundWithTheFirstQuarteringsAndThePlanIsTheSame() throws Exception {
        List<Instant> records = new ArrayList<>();
        for (int i = 0; i < 600; i++) records.add(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i * 60L));
        // counts made at once in a round: the executor sees a round's asks before the plan reads any of them
        List<Integer> rounds = new ArrayList<>();
        int[] inRound = {0};
        java.util.concurrent.ExecutorService together = new java.util.concurrent.AbstractExecutorService() {
            @Override public void execute(Runnable r) { r.run(); }
            @Override public <T> java.util.concurrent.Future<T> submit(java.util.concurrent.Callable<T> task) {
                if (inRound[0]++ == 0) rounds.add(0);
                rounds.set(rounds.size() - 1, inRound[0]);
                java.util.concurrent.Future<T> done = super.submit(task);
                return new java.util.concurrent.Future<>() {
                    @Override public boolean cancel(boolean b) { return false; }
                    @Override public boolean isCancelled() { return false; }
                    @Override public boolean isDone() { return true; }
                    @Override public T get() throws InterruptedException, java.util.concurrent.ExecutionException { inRound[0] = 0; return done.get(); }
                    @Override public T get(long t, java.util.concurrent.TimeUnit u) throws InterruptedException, java.util.concurrent.ExecutionException { return get(); }
                };
            }
            @Override public void shutdown() { }
            @Override public List<Runnable> shutdownNow() { return List.of(); }
            @Override public boolean isShutdown() { return false; }
            @Override public boolean isTerminated() { return false; }
            @Override public boolean awaitTermination(long t, java.util.concurrent.TimeUnit u) { return true; }
        };
        AtomicInteger requests = new AtomicInteger();
        Instant until = Instant.parse("2026-12-01T00:00:00Z");

        TimeSlicePlan.Plan plan = TimeSlicePlan.plan(Instant.EPOCH, until, Duration.ofSeconds(1), () -> 3, counting(records, requests), 64, together);

        assertThat(rounds.get(0)).as("the whole range and its three quarterings: one round").isEqualTo(4);
        assertThat(rounds.stream().mapToInt(Integer::intValue).sum()).isEqualTo(plan.requests()).isEqualTo(requests.get());
        TimeSlicePlan.Plan inTurn = TimeSlicePlan.plan(Instant.EPOCH, until, Duration.ofSeconds(1), () -> 3, counting(records, new AtomicInteger()), 64, null);
        assertThat(plan).as("the same cut as one count after another").isEqualTo(inTurn);
        assertThat(plan.ranges()).hasSize(3);
    }

    @Test
    void theBudgetAndOneGrainBoundTheCuts() throws Exception {
        // every record in one second: it cannot be cut below the grain
        List<Instant> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) records.add(FROM.plusMillis(i));
        AtomicInteger requests = new AtomicInteger();
        TimeSlicePlan.Plan plan = TimeSlicePlan.plan(FROM, UNTIL, Duration.ofSeconds(1), () -> 8, counting(records, requests), 64, null);
        assertThat(plan.ranges()).hasSize(1);
        assertThat(plan.ranges().get(0).records()).isEqualTo(500);

        AtomicInteger few = new AtomicInteger();
        TimeSlicePlan.Plan capped = TimeSlicePlan.plan(FROM, UNTIL, Duration.ofSeconds(1), () -> 8, counting(skewed(), few), 3, null);
        assertThat(few.get()).isEqualTo(3);
        assertThat(capped.ranges().stream().mapToLong(TimeSlicePlan.Range::records).sum()).isEqualTo(1000);
    }
}
