package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import io.leadpipe.paging.PullPosition;

import java.util.function.Supplier;

/**
 * One parent's child list in a parent → child job (the child-list route's {@code variable.pull}): the parent,
 * where its list stands (the child_lists row: cursor, page, leads), and the loop's decisions for it. Its
 * leads are the job's (jobId, and the job's pull id in lead_jobs) but belong to the child source.
 */
public final class ChildPull implements PullPosition {

    private final ChildRun run;
    private final long seq;
    private final String parentId;
    private final String filters;
    private final Supplier<LoopGuard> guards;
    private LoopGuard guard;
    private String position;
    private int page;
    private long leads;
    private Long apiTotal;
    private int largestPage;
    private int duplicatePagesThisRun;
    private boolean more;

    public ChildPull(ChildRun run, long seq, String parentId, String position, int page, long leads, Supplier<LoopGuard> guards) {
        this.run = run;
        this.seq = seq;
        this.parentId = parentId;
        this.filters = run.request().filters(run.childFilters(), parentId);
        this.position = position;
        this.page = page;
        this.leads = leads;
        this.guards = guards;
        // a row that is not DONE has a next page: its first one (page 0), or the saved cursor
        this.more = true;
    }

    /** Another page of this list, unless it ended, or the job is stopping (a sibling failed, a shutdown signal). */
    public boolean hasNext() {
        return more && !run.stopping();
    }

    /** The loop guard, per child list: the same cursor twice, a cycle, more pages than the list's own total. */
    public void inspect(FetchedPage fetched) {
        if (guard == null) guard = guards.get(); // made when the list is pulled, not for every pending parent
        guard.check(position, fetched, fetched.apiTotal() != null ? fetched.apiTotal() : apiTotal, duplicatePagesThisRun);
    }

    public void accept(FetchedPage fetched) {
        leads += fetched.records();
        run.pageStored(fetched.records());
        advance(fetched);
    }

    public void skipDuplicate(FetchedPage fetched) {
        duplicatePagesThisRun++;
        run.pageStored(0);
        advance(fetched);
    }

    private void advance(FetchedPage fetched) {
        largestPage = Math.max(largestPage, fetched.records());
        page = fetched.pageNo();
        if (fetched.apiTotal() != null) apiTotal = fetched.apiTotal();
        position = fetched.next();
        more = !fetched.last();
    }

    /** The page key the idempotent repository remembers: per pull and per parent (empty lists all look alike). */
    public String pageKey(FetchedPage fetched) {
        return run.pullId() + ":c" + seq + ":" + fetched.fingerprint();
    }

    public boolean done() {
        return !more;
    }

    public long seq() { return seq; }
    public String parentId() { return parentId; }
    public long leads() { return leads; }
    public Long apiTotal() { return apiTotal; }
    public ChildRun run() { return run; }

    @Override public String jobId() { return run.jobId(); }
    @Override public String source() { return run.childSource(); }
    @Override public String position() { return position; }
    @Override public int pageNo() { return page; }
    @Override public int largestPage() { return largestPage; }
    /** The job's pull: lead_jobs records the child leads under it, so the run report's counts are the job's. */
    @Override public String pullId() { return run.pullId(); }
    @Override public String filters() { return filters; }
    @Override public String watermarkParam() { return null; }
    @Override public String watermark() { return null; }

    @Override
    public String endpoint(String sourceEndpoint) {
        return run.request().endpoint(sourceEndpoint, parentId);
    }

    @Override
    public String toString() {
        return "children of parent " + parentId + " (#" + seq + "): page " + page + ", " + leads + " leads, next " + position;
    }
}
