package io.leadpipe.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * {@code slices = auto}: cuts a job's time range into slices that hold about the same number of records, from
 * the API's own counts. The whole range is counted once; then the piece with the most records is halved in
 * time and its first half counted (one request: the second half is the rest), until no piece holds more than
 * half a slice's share; then neighbouring pieces are packed into slices of about a share each. Stretches
 * without records join the slice they fall in, so the slices still cover the whole range.
 * The first slice is open below and the last open above: together they ask for what the unsliced job asks for.
 * An API that reports no total gets the range cut evenly by time. Pure: the counting is passed in.
 */
public final class TimeSlicePlan {

    /** The API's count of the records in [from, until) (a null bound: open on that side); null = it reports none. */
    @FunctionalInterface
    public interface Counter {
        Long count(Instant from, Instant until) throws Exception;
    }

    /** One slice: [from, until) and the records the API counted in it (-1: not counted). */
    public record Range(Instant from, Instant until, long records) {}

    /** The slices, whether they were sized by counts (false: cut evenly by time), and the count requests made. */
    public record Plan(List<Range> ranges, boolean counted, int requests) {}

    private TimeSlicePlan() {
    }

    /**
     * @param grain  the finest step the API's time filter keeps (cut points are whole ones)
     * @param wanted how many slices are wanted, asked again after every count (the answer time is learnt as they go)
     * @param budget the most count requests
     */
    public static Plan plan(Instant from, Instant until, Duration grain, IntSupplier wanted, Counter counter, int budget) throws Exception {
        if (!from.isBefore(until)) throw new IllegalArgumentException("from " + from + " must be before " + until);
        Long total = counter.count(null, null);
        int requests = 1;
        if (total == null) return new Plan(even(from, until, grain, Math.max(1, wanted.getAsInt())), false, requests);
        List<Range> pieces = new ArrayList<>(List.of(new Range(from, until, total)));
        java.util.Set<Range> whole = new java.util.HashSet<>(); // one grain wide: cannot be cut
        // cut: halve the piece with the most records while it holds more than half a slice (asked again each time:
        // the answer time is learnt as the counts come back); halving finds where the records are in a long range
        while (requests < budget) {
            double share = total / (double) Math.max(1, wanted.getAsInt());
            Range biggest = pieces.stream().filter(p -> !whole.contains(p)).max(Comparator.comparingLong(Range::records)).orElse(null);
            if (biggest == null || biggest.records() <= 1 || biggest.records() <= share / 2) break;
            Instant mid = snap(biggest.from().plus(Duration.between(biggest.from(), biggest.until()).dividedBy(2)), grain);
            if (!mid.isAfter(biggest.from()) || !mid.isBefore(biggest.until())) {
                whole.add(biggest);
                continue;
            }
            Long left = counter.count(biggest.from().equals(from) ? null : biggest.from(), mid);
            requests++;
            if (left == null) break;
            long l = Math.max(0, Math.min(biggest.records(), left)); // the data moves while it is counted
            int at = pieces.indexOf(biggest);
            pieces.set(at, new Range(biggest.from(), mid, l));
            pieces.add(at + 1, new Range(mid, biggest.until(), biggest.records() - l));
        }
        // pack: neighbouring pieces into n slices, each cut at the piece boundary nearest to k/n of the records
        int n = (int) Math.max(1, Math.min(wanted.getAsInt(), pieces.stream().filter(p -> p.records() > 0).count()));
        long[] upTo = new long[pieces.size()];
        long sum = 0;
        for (int i = 0; i < pieces.size(); i++) upTo[i] = sum += pieces.get(i).records();
        List<Range> slices = new ArrayList<>();
        int last = -1; // the last piece of the previous slice
        for (int k = 1; k <= n; k++) {
            int end = pieces.size() - 1;
            if (k < n) {
                double goal = total * (double) k / n;
                long held = last < 0 ? 0 : upTo[last];
                end = last + 1;
                while (end < pieces.size() - 1 - (n - k) && upTo[end] == held) end++; // a slice holds some records
                for (int i = end; i < pieces.size() - (n - k); i++) {
                    if (Math.abs(upTo[i] - goal) < Math.abs(upTo[end] - goal)) end = i;
                }
            }
            long before = last < 0 ? 0 : upTo[last];
            slices.add(new Range(last < 0 ? from : pieces.get(last).until(), pieces.get(end).until(), upTo[end] - before));
            last = end;
        }
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
