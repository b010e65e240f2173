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
        /** The previous pull's start by leadpipe's clock: used only where records carry no updated-at. */
        CLOCK
    }

    /**
     * The next delta's watermark: the largest updated-at stored where there is one, else the previous pull's
     * start by our clock; less the overlap either way. Null when there is neither (a first, full pull).
     */
    public static Watermark next(Instant largestStored, Instant previousPullStart, Duration overlap) {
        if (largestStored != null) return new Watermark(largestStored.minus(overlap), Origin.DATA, largestStored);
        if (previousPullStart != null) return new Watermark(previousPullStart.minus(overlap), Origin.CLOCK, previousPullStart);
        return null;
    }

    /** For the run report: "2026-12-05T14:28:34Z (largest updated-at stored 2026-12-05T14:33:34Z, less 300 s overlap)". */
    public String explain() {
        long overlapSeconds = Duration.between(since, basis).toSeconds();
        return since + " (" + (origin == Origin.DATA ? "largest updated-at stored " : "previous pull's start by leadpipe's clock ")
                + basis + ", less " + overlapSeconds + " s overlap)";
    }

    /** One line for the run report and status, from the delta fields of a report (store.DeltaWatermarks#describe). */
    public static String reportLine(java.util.Map<String, Object> d) {
        if (d == null) return null;
        Object used = d.get("deltaWatermark");
        String from = switch (String.valueOf(d.get("deltaWatermarkFrom"))) {
            case "DATA" -> "the largest updated-at stored, " + d.get("deltaWatermarkBasis") + ", less " + d.get("deltaOverlapSeconds") + " s overlap";
            case "CLOCK" -> "the previous pull's start by leadpipe's clock, " + d.get("deltaWatermarkBasis") + ", less " + d.get("deltaOverlapSeconds")
                    + " s overlap (the records carry no updated-at)";
            case "FULL" -> "none: the API has no \"changed since\" filter, a full pull";
            default -> "none: the first pull is a full one";
        };
        return "watermark " + (used == null ? "—" : used) + " (from " + from + "); " + d.get("deltaChanged") + " changed, " + d.get("deltaNew") + " new, "
                + d.get("deltaUnchanged") + " re-read unchanged, " + d.get("deltaDeleted") + " deleted at the source";
    }
}
