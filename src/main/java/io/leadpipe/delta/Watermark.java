package io.leadpipe.delta;

import java.time.Duration;
import java.time.Instant;

/**
 * The watermark a delta pull asks from, and where it came from — said in the run report and in status.
 *
 * @param since  what the delta request carries (already less the overlap)
 * @param origin the data (the largest updated-at stored), or the clock (the previous pull's start)
 * @param basis  the instant before the overlap was taken off
 */
public record Watermark(Instant since, Origin origin, Instant basis) {

    public enum Origin {
        /** The largest updated-at among the records stored: the API's own clock, so skew cannot lose an edit. */
        DATA,
        /**
         * The previous pull's start, earlier than the largest updated-at stored: a record edited while that pull
         * ran, on a page already read (a list not sorted by updated-at), is asked for again — and an updated-at in
         * the future (an API clock ahead, a mis-scaled value) cannot push the watermark past edits not yet made.
         */
        PULL_START,
        /** The previous pull's start by leadpipe's clock: used only where records carry no updated-at. */
        CLOCK,
        /** None: the API has no "changed since" filter, every pull is a full one. */
        FULL,
        /** None yet: the first pull is a full one. */
        FIRST,
        /**
         * None: the previous sync is older than the source's feed of deletions reaches back (delta.history-days), so
         * this pull is a full one, whose completeness reconciles the deletions the feed no longer lists.
         */
        BEYOND_HISTORY
    }

    /**
     * The next delta's watermark, less the overlap: the largest updated-at stored, but never later than the
     * previous pull's start; the previous pull's start where records carry no updated-at. Null when there is
     * neither (a first, full pull).
     */
    public static Watermark next(Instant largestStored, Instant previousPullStart, Duration overlap) {
        if (largestStored != null && previousPullStart != null && largestStored.isAfter(previousPullStart))
            return new Watermark(previousPullStart.minus(overlap), Origin.PULL_START, previousPullStart);
        if (largestStored != null) return new Watermark(largestStored.minus(overlap), Origin.DATA, largestStored);
        if (previousPullStart != null) return new Watermark(previousPullStart.minus(overlap), Origin.CLOCK, previousPullStart);
        return null;
    }

    /** One line for the run report and status, from the delta fields of a report (store.DeltaWatermarks#describe). */
    public static String reportLine(java.util.Map<String, Object> d) {
        if (d == null) return null;
        Object used = d.get("deltaWatermark");
        String from = switch (Origin.valueOf(String.valueOf(d.get("deltaWatermarkFrom")))) {
            case DATA -> "the largest updated-at stored, " + d.get("deltaWatermarkBasis") + ", less " + d.get("deltaOverlapSeconds") + " s overlap";
            case PULL_START -> "the previous pull's start, " + d.get("deltaWatermarkBasis") + ", earlier than the largest updated-at stored, less "
                    + d.get("deltaOverlapSeconds") + " s overlap";
            case CLOCK -> "the previous pull's start by leadpipe's clock, " + d.get("deltaWatermarkBasis") + ", less " + d.get("deltaOverlapSeconds")
                    + " s overlap (the records carry no updated-at)";
            case FULL -> "none: the API has no \"changed since\" filter, a full pull";
            case FIRST -> "none: the first pull is a full one";
            case BEYOND_HISTORY -> "none: the previous sync, " + d.get("deltaWatermarkBasis") + ", is older than the source's feed of deletions reaches back"
                    + " (its delta.history-days): a full pull, which marks what it no longer lists deleted";
        };
        return "watermark " + (used == null ? "—" : used) + " (from " + from + "); " + d.get("deltaChanged") + " changed, " + d.get("deltaNew") + " new, "
                + d.get("deltaUnchanged") + " re-read unchanged, " + d.get("deltaDeleted") + " deleted at the source";
    }
}
