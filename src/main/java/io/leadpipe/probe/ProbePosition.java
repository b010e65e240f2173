package io.leadpipe.probe;

import io.leadpipe.paging.PullPosition;

/** The first page of a pull that stores nothing (a delta's when {@code since} is set): what the page fetch needs to build the request. */
record ProbePosition(String jobId, String source, String filters, java.time.Instant since) implements PullPosition {

    @Override public String position() { return null; }
    @Override public int pageNo() { return 0; }
    @Override public int largestPage() { return 0; }
    @Override public String pullId() { return "probe"; }
    @Override public String watermarkParam() { return since == null ? null : "since"; }
    @Override public String watermark() { return since == null ? null : since.toString(); }
}
