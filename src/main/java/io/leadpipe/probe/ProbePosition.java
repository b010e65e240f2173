package io.leadpipe.probe;

import io.leadpipe.paging.PullPosition;

/** The first page of a pull that stores nothing: what the page fetch needs to build the request. */
record ProbePosition(String jobId, String source, String filters) implements PullPosition {

    @Override public String position() { return null; }
    @Override public int pageNo() { return 0; }
    @Override public int largestPage() { return 0; }
    @Override public String pullId() { return "probe"; }
    @Override public String watermarkParam() { return null; }
    @Override public String watermark() { return null; }
}
