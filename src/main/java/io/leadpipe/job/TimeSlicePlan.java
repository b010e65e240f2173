package io.leadpipe.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * {@code slices = auto}: cuts a job's time range into slices that hold about the same number of records, from
 * the API's own counts. The whole range is counted once, in one round with its first quarterings (they do not depend on it); then, in rounds, every piece holding more than 3/4 of a
 * slice's share is cut in four by time and its parts counted (three requests, made at once; the last part is the
 * rest), until none does; then the slices are cut where each k/n of the records is, inside a piece at the time in
 * proportion to its records. Stretches without records join the slice they fall in, so the slices still cover the
 * whole range. A slice's records are the counts' estimate.
 * The first slice is open below and the last open above: together they ask for what the unsliced job asks for.
 * An API that reports no total gets the range cut evenly by time. Pure: the counting is passed in.
 */
public final class TimeSlicePlan {

    /** The API's count of the records in [from, until) (a null bound: open on that side); null = it reports none. */
    @FunctionalInterface
    public interface Counter {
        Long count(Instant from, Instant until) throws Exception;
    }

    /** One slice: [from, until) and about the records the API counted in it (-1: not counted). */
    public record Range(Instant from, Instant until, long records) {}

    /** The slices, whether they were sized by counts (false: cut evenly by time), and the count requests made. */
    public record Plan(List<Range> ranges, boolean counted, int requests) {}

    private TimeSlicePlan() {
    }

    private static List<Long> countAll(List<Instant[]> asks, Counter counter, java.util.concurrent.ExecutorService counts) throws Exception {
        List<Long> counted = new ArrayList<>();
        if (counts == null) {
            for (Instant[] a : asks) counted.add(counter.count(a[0], a[1]));
            return counted;
        }
        List<java.util.concurrent.Future<Long>> running = new ArrayList<>();
        for (Instant[] a : asks) running.add(counts.submit(() -> counter.count(a[0], a[1])));
        try {
            for (java.util.concurrent.Future<Long> f : running) counted.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
            running.forEach(f -> f.cancel(true));
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return counted;
    }

    /** Each piece to cut is cut in this many parts a round (3 counts, made at once): a long empty stretch is crossed in few rounds. */
    static final int PARTS = 4;

    /**
     * @param grain  the finest step the API's time filter keeps (cut points are whole ones)
     * @param wanted how many slices are wanted, asked again every round (the answer time is learnt as the counts come back)
     * @param budget the most count requests
     * @param counts runs a round's counts (at once, on the key's quota); null: one after another
     */
    public static Plan plan(Instant from, Instant until, Duration grain, IntSupplier wanted, Counter counter, int budget,
                            java.util.concurrent.ExecutorService counts) throws Exception {
        if (!from.isBefore(until)) throw new IllegalArgumentException("from " + from + " must be before " + until);
        // the first round's cuts do not depend on the total: they are asked with it, at once (a round is an answer time)
        List<Instant> firstCuts = new ArrayList<>();
        for (int k = 1; k < PARTS && budget >= PARTS; k++) {
            Instant cut = snap(from.plus(Duration.between(from, until).multipliedBy(k).dividedBy(PARTS)), grain);
            if (cut.isAfter(from) && cut.isBefore(until) && (firstCuts.isEmpty() || cut.isAfter(firstCuts.get(firstCuts.size() - 1)))) firstCuts.add(cut);
        }
        List<Instant[]> firstAsks = new ArrayList<>();
        firstAsks.add(new Instant[]{null, null});
        for (Instant cut : firstCuts) firstAsks.add(new Instant[]{null, cut});
        List<Long> first = countAll(firstAsks, counter, counts);
        Long total = first.get(0);
        int requests = firstAsks.size();
        if (total == null) return new Plan(even(from, until, grain, Math.max(1, wanted.getAsInt())), false, requests);
        List<Range> pieces = new ArrayList<>(List.of(new Range(from, until, total)));
        if (!firstCuts.isEmpty() && !first.contains(null) && total > 1 && total > total / (double) Math.max(1, wanted.getAsInt()) * 0.75) {
            pieces.clear();
            Instant start = from;
            long below = 0;
            for (int k = 0; k < firstCuts.size(); k++) {
                long upTo = Math.max(below, Math.min(total, first.get(k + 1))); // the data moves while it is counted
                pieces.add(new Range(start, firstCuts.get(k), upTo - below));
                start = firstCuts.get(k);
                below = upTo;
            }
            pieces.add(new Range(start, until, total - below));
        }
        java.util.Set<Range> whole = new java.util.HashSet<>(); // one grain wide: cannot be cut
        // cut, in rounds: every piece holding more than three quarters of a slice's share is cut in PARTS by time, its parts
        // counted from its start (one request per cut; the last part is the rest)
        while (requests < budget) {
            double share = total / (double) Math.max(1, wanted.getAsInt());
            List<Range> next = new ArrayList<>();
            List<Instant[]> asks = new ArrayList<>(); // {piece's count-from (null: open), cut}
            List<List<Instant>> cutsOf = new ArrayList<>();
            for (Range p : pieces) {
                List<Instant> cuts = new ArrayList<>();
                if (!whole.contains(p) && p.records() > 1 && p.records() > share * 0.75) {
                    for (int k = 1; k < PARTS && requests + asks.size() < budget; k++) {
                        Instant cut = snap(p.from().plus(Duration.between(p.from(), p.until()).multipliedBy(k).dividedBy(PARTS)), grain);
                        if (cut.isAfter(p.from()) && cut.isBefore(p.until()) && (cuts.isEmpty() || cut.isAfter(cuts.get(cuts.size() - 1)))) {
                            cuts.add(cut);
                            asks.add(new Instant[]{p.from().equals(from) ? null : p.from(), cut});
                        }
                    }
                    if (cuts.isEmpty()) whole.add(p);
                }
                cutsOf.add(cuts);
            }
            if (asks.isEmpty()) break;
            List<Long> counted = countAll(asks, counter, counts);
            requests += asks.size();
            if (counted.contains(null)) break; // the API stopped reporting its total: keep what is known
            int at = 0;
            for (int i = 0; i < pieces.size(); i++) {
                Range p = pieces.get(i);
                List<Instant> cuts = cutsOf.get(i);
                Instant start = p.from();
                long below = 0;
                for (Instant cut : cuts) {
                    long upTo = Math.max(below, Math.min(p.records(), counted.get(at++))); // the data moves while it is counted
                    next.add(new Range(start, cut, upTo - below));
                    start = cut;
                    below = upTo;
                }
                next.add(cuts.isEmpty() ? p : new Range(start, p.until(), p.records() - below));
            }
            pieces = next;
        }
        // pack: n slices, slice k ending where k/n of the records are — inside a piece, at the time in proportion to its
        // records (taken as even within a piece: the pieces are small, so a slice is off by a part of one piece at most)
        int n = (int) Math.max(1, Math.min(wanted.getAsInt(), pieces.stream().filter(p -> p.records() > 0).count()));
        List<Range> slices = new ArrayList<>();
        Instant start = from;
        double startsAt = 0; // records before the slice being cut
        double below = 0; // records before piece i
        int i = 0;
        for (int k = 1; k < n; k++) {
            double goal = total * (double) k / n;
            while (i < pieces.size() - 1 && below + pieces.get(i).records() < goal) below += pieces.get(i++).records();
            Range p = pieces.get(i);
            double part = p.records() == 0 ? 0 : Math.min(1, (goal - below) / p.records());
            Instant cut = snap(p.from().plusMillis((long) (Duration.between(p.from(), p.until()).toMillis() * part)), grain);
            if (!cut.isAfter(start) || !cut.isBefore(until)) continue; // within one grain of the last cut: one slice fewer
            slices.add(new Range(start, cut, Math.round(goal) - Math.round(startsAt)));
            start = cut;
            startsAt = goal;
        }
        slices.add(new Range(start, until, total - Math.round(startsAt)));
        return new Plan(slices, true, requests);
    }

    /** n slices of the same length (in whole grains), the last ending at {@code until}. */
    static List<Range> even(Instant from, Instant until, Duration grain, int n) {
        Duration step = Duration.between(from, until).dividedBy(n);
        List<Range> ranges = new ArrayList<>();
        Instant start = from;
        for (int k = 1; k <= n; k++) {
            Instant end = k == n ? until : snap(from.plus(step.multipliedBy(k)), grain);
            if (!end.isAfter(start)) continue;
            ranges.add(new Range(start, end, -1));
            start = end;
        }
        return ranges;
    }

    /** The instant rounded down to a whole grain. */
    static Instant snap(Instant at, Duration grain) {
        long g = grain.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), g) * g);
    }
}
