package io.leadpipe.job;

import io.leadpipe.monitor.JobCounters;

import io.leadpipe.paging.FetchedPage;

/** Keeps the per-job counters that progress lines, alerts and metrics read in step with the pull. */
public final class PullCounters implements PullEvents {

    private final JobCounters counters;
    private final PullEvents metrics;

    public PullCounters(JobCounters counters, PullEvents metrics) {
        this.counters = counters;
        this.metrics = metrics;
    }

    @Override
    public void started(Pull pull) {
        JobCounters.Counts c = counters.of(pull.jobId());
        c.running = true;
        c.status = "RUNNING";
        c.startedAt = System.currentTimeMillis();
        c.expectedSeconds = null;
        c.drift = 0;
        c.consecutive429.set(0);
        c.leads.set(0);
        c.pages.set(0);
        c.source = pull.source();
        position(c, pull);
        metrics.started(pull);
    }

    @Override
    public void pageStored(Pull pull, FetchedPage page) {
        JobCounters.Counts c = counters.of(pull.jobId());
        position(c, pull);
        c.leads.addAndGet(page.records());
        c.pageDone(System.currentTimeMillis(), pull.largestPage()); // the API's real page size (it may clamp the one asked for)
        metrics.pageStored(pull, page);
    }

    @Override
    public void duplicatePage(Pull pull) {
        JobCounters.Counts c = counters.of(pull.jobId());
        position(c, pull);
        c.duplicatePages.incrementAndGet();
        metrics.duplicatePage(pull);
    }

    @Override
    public void finished(Pull pull) {
        JobCounters.Counts c = counters.of(pull.jobId());
        c.running = false;
        c.finishedAt = System.currentTimeMillis();
        c.status = pull.status().name();
        c.drift = pull.driftRecords();
        metrics.finished(pull);
    }

    private static void position(JobCounters.Counts c, Pull pull) {
        c.apiTotal = pull.apiTotal();
        c.leadsSoFar = pull.leads();
        c.page = pull.pageNo();
        c.cursor = pull.position();
    }
}
