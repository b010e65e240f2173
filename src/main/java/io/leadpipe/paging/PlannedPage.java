package io.leadpipe.paging;

/**
 * One page of a parallel pull, planned before the pages below it are stored: its number and position,
 * and the pull it belongs to. It stands in for the pull where a request is built and an answer read
 * ({@code variable.plannedPage}), so each page in flight is asked for and read at its own position.
 *
 * @param servedPageSize records per page the API serves (the pull's largest page so far)
 */
public record PlannedPage(PullPosition pull, int number, String position, int servedPageSize) implements PullPosition {

    @Override public String jobId() { return pull.jobId(); }
    @Override public String source() { return pull.source(); }
    /** The page before this one: the answer read for this position is page {@code number}. */
    @Override public int pageNo() { return number - 1; }
    @Override public int largestPage() { return servedPageSize; }
    @Override public String pullId() { return pull.pullId(); }
    @Override public String filters() { return pull.filters(); }
    @Override public String watermarkParam() { return pull.watermarkParam(); }
    @Override public String watermark() { return pull.watermark(); }
}
