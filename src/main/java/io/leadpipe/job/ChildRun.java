package io.leadpipe.job;

import io.leadpipe.config.ChildRequest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The children phase of one run of a parent → child job ({@code variable.childRun}), shared by the child
 * lists pulled at once: the job's declaration of its children, this run's counts, and the first failure,
 * which stops the other lists at their next page boundary and fails the job.
 */
public final class ChildRun {

    /** A child list that failed after its retries: which parent, and why (the exception the job fails with). */
    public record Failure(ChildPull list, Throwable cause, String explained) {}

    private final Pull job;
    private final String childSource;
    private final String childFilters;
    private final ChildRequest request;
    private final BooleanSupplier stopRequested;
    private final java.util.function.ObjIntConsumer<String> pageStoredEvent;
    private final AtomicReference<Failure> failure = new AtomicReference<>();
    private final AtomicLong pagesThisRun = new AtomicLong();
    private final AtomicLong leadsThisRun = new AtomicLong();
    private long afterSeq;
    private long maxRequests;
    private long maxLeads;
    private long leadsBefore;
    private boolean morePending = true;

    public ChildRun(Pull job, String childSource, String childFilters, ChildRequest request, BooleanSupplier stopRequested) {
        this(job, childSource, childFilters, request, stopRequested, (jobId, records) -> { });
    }

    /** @param pageStoredEvent told of each child page stored (job, records): the job's metrics and counters */
    public ChildRun(Pull job, String childSource, String childFilters, ChildRequest request, BooleanSupplier stopRequested,
                    java.util.function.ObjIntConsumer<String> pageStoredEvent) {
        this.pageStoredEvent = pageStoredEvent;
        this.job = job;
        this.childSource = childSource;
        this.childFilters = childFilters;
        this.request = request;
        this.stopRequested = stopRequested;
    }

    /** The route's loop over batches of parents: another batch, unless none is left or the job is stopping. */
    public boolean hasNext() {
        return morePending && !stopping();
    }

    /** A sibling list failed, a shutdown signal came, or a cap was reached: lists end at their next page boundary. */
    public boolean stopping() {
        return failure.get() != null || stopRequested.getAsBoolean() || capped() != null;
    }

    /**
     * The job's caps: every request the job made (the parents', the children's, over all its runs) against
     * maxRequests, and the child leads of this pull against maxLeads (0 = none).
     * @param leadsBefore the child leads this pull had stored before this run
     */
    public void caps(long maxRequests, long maxLeads, long leadsBefore) {
        this.maxRequests = maxRequests;
        this.maxLeads = maxLeads;
        this.leadsBefore = leadsBefore;
    }

    /**
     * Why a cap stops the children (null: within them); asked before every child page. Requests and leads only
     * grow, so once reached a cap stays reached without being remembered.
     */
    public String capped() {
        long requests = maxRequests > 0 ? job.requestsTotal() : 0;
        long leads = leadsBefore + leadsThisRun.get();
        if (maxRequests > 0 && requests >= maxRequests) return requests + " requests made, cap " + maxRequests;
        if (maxLeads > 0 && leads >= maxLeads) return leads + " child leads received, cap " + maxLeads;
        return null;
    }

    public boolean interrupted() {
        return failure.get() == null && stopRequested.getAsBoolean();
    }

    /** The next batch of parents starts after this one (parents are taken in the order the parent list brought them). */
    public void batchTaken(long lastSeq, boolean empty) {
        if (empty) morePending = false;
        else afterSeq = lastSeq;
    }

    public long afterSeq() {
        return afterSeq;
    }

    /** Keeps the first failure: the one the job fails with. */
    public void failed(ChildPull list, Throwable cause, String explained) {
        failure.compareAndSet(null, new Failure(list, cause, explained));
    }

    public Failure failure() {
        return failure.get();
    }

    void pageStored(int records) {
        pagesThisRun.incrementAndGet();
        leadsThisRun.addAndGet(records);
        pageStoredEvent.accept(job.jobId(), records);
    }

    public long pagesThisRun() { return pagesThisRun.get(); }
    public long leadsThisRun() { return leadsThisRun.get(); }
    public Pull job() { return job; }
    public String jobId() { return job.jobId(); }
    public String pullId() { return job.pullId(); }
    public String childSource() { return childSource; }
    public String childFilters() { return childFilters; }
    public ChildRequest request() { return request; }
}
