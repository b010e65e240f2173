package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import io.leadpipe.paging.PlannedPage;
import io.leadpipe.paging.PullPosition;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One job's pull, as the extract route carries it ({@code variable.pull}): what the job declared, where
 * the pull stands (the checkpoint's values), what this run did, and how it ended. The loop's decisions
 * are its methods — {@link #hasNext()}, {@link #inspect}, {@link #accept}, {@link #skipDuplicate},
 * {@link #withinCaps()} — and {@link #stopReason()} says in one place why the loop stopped.
 * Only the checkpoint store writes it to the database.
 */
public final class PullState implements PullPosition {

    /** How {@code open} found the job. */
    public enum Opening { NEW, RESUME, INCREMENTAL, ALREADY_DONE, BUSY }

    // declared by the job (routes/jobs.yaml)
    private final String jobId;
    private final String source;
    private final String filters;
    private final String filterHash;
    private final String watermarkParam;
    private final long maxRequests;
    private final long maxLeads;
    private final boolean positional;
    private final LoopGuard guard;
    private final PullEvents events;
    /** Requests this process made for the job (retries included), and the count when this run began. */
    private final LongSupplier requestsInProcess;
    /** A graceful stop (SIGTERM, Ctrl-C): the loop ends at the next page boundary. */
    private final java.util.function.BooleanSupplier stopRequested;
    private final long requestsAtStart;
    private final long startedAt = System.currentTimeMillis();

    // the checkpoint: where the pull stands
    private Opening opening;
    private String resumedFrom;
    private String leaseOwner;
    private String takenOverFrom;
    private String pullId;
    private String mode = "PULL";
    private String position;
    private String watermark;
    private int page;
    private volatile long leads; // volatile: a sliced job's budget sums its slices' leads without their locks
    private Long apiTotalFirst;
    private Long apiTotal;
    private int duplicatePages;
    private long seenTwice;
    private long seenTwiceOnPage;
    private long requestsBefore;

    // this run
    private int pagesThisRun;
    private int largestPage;
    private long leadsThisRun;
    private int duplicatePagesThisRun;
    private long storedBefore;
    private long storedAfter;
    private long storedThisPull;

    // the outcome
    private boolean more = true;
    private String status = "RUNNING";
    private String stopReason;
    private String capReason;
    private volatile JobBudget budget;
    private long childLists;
    private long childListsShort; // a slice's: the job's caps over all its slices (null: the pull's own)
    private String error;
    private String drift;
    private long driftRecords;
    private java.time.Instant pausedUntil;
    private String children;

    // parallel pages (leadpipe.source.<name>.concurrency > 1 on offset/page paging with a total)
    /** Plans the pages after the checkpoint: position and number of each, skipping pages already stored. */
    public interface Planner {
        List<PlannedPage> plan(PullPosition pull, long total, Set<Integer> stored, int max);
    }

    /** Pages planned per pass of the loop, per page in flight: a pass waits for its slowest page once, so passes are long. */
    static final int WINDOW_PER_SLOT = 64;
    private int concurrency = 1;
    private Planner planner;
    private List<PlannedPage> window = List.of();
    /** Pages stored past the checkpoint (each also a row of pages_stored_ahead): page → where the page after it is. */
    private final TreeMap<Integer, Ahead> ahead = new TreeMap<>();
    /** What the page store writes besides the checkpoint: a page stored ahead, or rows the checkpoint has passed. */
    private StoredAhead storedAhead;
    private boolean passedAhead;
    private int inFlight;
    private boolean failureHandled;
    private boolean failureReported;
    static final long FAILURE_REPORT_WAIT_MS = 30_000;
    private int mostInFlight;
    /** One page of this pull is stored at a time, its transaction committed under this lock (PageTransaction). */
    private final ReentrantLock storeLock = new ReentrantLock();

    private record Ahead(String next, Long apiTotal) {}

    /** A page stored past the checkpoint, as its row in pages_stored_ahead. */
    public record StoredAhead(int pageNo, String next, Long apiTotal) {}

    public PullState(String jobId, String source, String filters, String filterHash, String watermarkParam,
                     long maxRequests, long maxLeads, boolean positional, LoopGuard guard,
                     LongSupplier requestsInProcess, PullEvents events) {
        this(jobId, source, filters, filterHash, watermarkParam, maxRequests, maxLeads, positional, guard, requestsInProcess, events, () -> false);
    }

    public PullState(String jobId, String source, String filters, String filterHash, String watermarkParam,
                     long maxRequests, long maxLeads, boolean positional, LoopGuard guard,
                     LongSupplier requestsInProcess, PullEvents events, java.util.function.BooleanSupplier stopRequested) {
        this.stopRequested = stopRequested;
        this.jobId = jobId;
        this.source = source;
        this.filters = filters;
        this.filterHash = filterHash;
        this.watermarkParam = watermarkParam == null || watermarkParam.isBlank() ? null : watermarkParam;
        this.maxRequests = maxRequests;
        this.maxLeads = maxLeads;
        this.positional = positional;
        this.guard = guard;
        this.requestsInProcess = requestsInProcess;
        this.requestsAtStart = requestsInProcess.getAsLong();
        this.events = events;
    }

    // ---- opening: the checkpoint store decides which, and writes the row in the same transaction

    /** A job without a checkpoint: the first page of a new pull. */
    public void startNew(String newPullId) {
        opening = Opening.NEW;
        pullId = newPullId;
        mode = "PULL";
        freshPosition();
        events.started(this);
        withinCaps();
    }

    /** A DONE incremental job: a new pull of what changed since {@code since}. */
    public void startIncremental(String newPullId, String since) {
        opening = Opening.INCREMENTAL;
        pullId = newPullId;
        mode = "INCREMENTAL";
        watermark = since;
        freshPosition();
        events.started(this);
    }

    /** A job that is not DONE continues where its checkpoint says, whatever stopped it (crash, failure, cap). */
    public void resume(SavedCheckpoint saved) {
        opening = Opening.RESUME;
        resumedFrom = saved.status();
        pullId = saved.pullId() == null ? jobId + "-v1" : saved.pullId();
        mode = saved.mode() == null ? "PULL" : saved.mode();
        position = saved.nextCursor();
        page = saved.page();
        leads = saved.leads();
        apiTotalFirst = saved.apiTotalFirst();
        apiTotal = saved.apiTotalLast();
        requestsBefore = saved.requests();
        duplicatePages = saved.duplicatePages();
        seenTwice = saved.seenTwice();
        watermark = saved.watermark();
        // a checkpoint whose last saved page had no next position only needs marking DONE
        more = position != null || page == 0;
        if (!more) stopReason = "the checkpoint's last page had no next page";
        events.started(this);
        withinCaps();
    }

    /** A one-off job that is DONE: nothing to pull until it is reset. */
    public void skipAsDone(SavedCheckpoint saved) {
        opening = Opening.ALREADY_DONE;
        pullId = saved.pullId();
        mode = saved.mode();
        page = saved.page();
        leads = saved.leads();
        status = "DONE";
        more = false;
        stopReason = "already DONE";
    }

    /** Another live process holds the job's lease: this run does nothing. */
    public void heldElsewhere(String whoHoldsIt) {
        opening = Opening.BUSY;
        status = "BUSY";
        more = false;
        stopReason = whoHoldsIt;
    }

    /** This run holds the job's lease under this owner id; {@code previous} describes a lease it took over (or null). */
    public void leasedBy(String owner, String previous) {
        leaseOwner = owner;
        takenOverFrom = previous;
    }

    private void freshPosition() {
        position = null;
        page = 0;
        leads = 0;
        apiTotalFirst = null;
        apiTotal = null;
        duplicatePages = 0;
        seenTwice = 0;
        seenTwiceOnPage = 0;
        more = true;
        ahead.clear();
    }

    // ---- the loop

    /** The loop goes on while the API has a next page, no cap was reached, nothing failed and no stop was asked for. */
    public synchronized boolean hasNext() {
        if (more && stopRequested.getAsBoolean()) {
            more = false;
            status = "INTERRUPTED";
            stopReason = "stopped by a shutdown signal after page " + page + ", checkpointed; run again to continue";
        }
        return more;
    }

    /** Before the page is stored: the loop guard (same cursor twice, a cycle, the same page again, past the total). */
    public synchronized void inspect(FetchedPage fetched) {
        guard.check(position, fetched, fetched.apiTotal() != null ? fetched.apiTotal() : apiTotal, duplicatePagesThisRun);
    }

    /** The loop guard for a page asked for at {@code askedAt} (a parallel page's own position). */
    public synchronized void inspect(FetchedPage fetched, String askedAt) {
        guard.check(askedAt, fetched, fetched.apiTotal() != null ? fetched.apiTotal() : apiTotal, duplicatePagesThisRun, true);
    }

    /**
     * True the first time the job's failure is handled, false after: with pages in parallel, every page in
     * flight may fail (or find the lease released by the first failure), and the job fails once.
     */
    public synchronized boolean firstFailure() throws InterruptedException {
        if (!failureHandled) {
            failureHandled = true;
            return true;
        }
        // the others wait (bounded) until the first has recorded and reported the failure: the job's route
        // must not return before its run report exists
        long until = System.currentTimeMillis() + FAILURE_REPORT_WAIT_MS;
        for (long left; !failureReported && (left = until - System.currentTimeMillis()) > 0; ) wait(left);
        return false;
    }

    /** The first failure is recorded and its run report written (routes/checkpoint.yaml, job-failed). */
    public synchronized void failureReported() {
        failureReported = true;
        notifyAll();
    }

    /** The page's leads are stored: count them and move to the next position (or hold the page: see {@link #place}). */
    public synchronized void accept(FetchedPage fetched) {
        seenTwice += seenTwiceOnPage;
        seenTwiceOnPage = 0;
        leads += fetched.records();
        leadsThisRun += fetched.records();
        place(fetched);
        events.pageStored(this, fetched);
    }

    /** A page this pull already stored (the API sent it twice): counted, not stored, and the position moves on. */
    public synchronized void skipDuplicate(FetchedPage fetched) {
        duplicatePages++;
        duplicatePagesThisRun++;
        place(fetched);
        events.duplicatePage(this);
    }

    /**
     * Records of the page about to be stored that this pull had already stored (drift on offset paging):
     * counted when the page is accepted, so a page stored again after its transaction was rolled back counts once.
     */
    public synchronized void seenTwice(long records) {
        seenTwiceOnPage = records;
    }

    /**
     * The checkpoint is the highest page below which every page is stored. The page after it moves it on —
     * through any pages stored ahead that now join up; a page further on is held (its row written in its
     * page's transaction, see {@link #takeStoredAhead}) until the pages below it are stored.
     */
    private void place(FetchedPage fetched) {
        pagesThisRun++;
        if (inFlight > 0) inFlight--;
        largestPage = Math.max(largestPage, fetched.records());
        if (fetched.pageNo() > page + 1) {
            ahead.put(fetched.pageNo(), new Ahead(fetched.next(), fetched.apiTotal()));
            storedAhead = new StoredAhead(fetched.pageNo(), fetched.next(), fetched.apiTotal());
        } else {
            advance(fetched.pageNo(), fetched.next(), fetched.apiTotal());
            for (Ahead a; (a = ahead.remove(page + 1)) != null; ) {
                advance(page + 1, a.next(), a.apiTotal());
                passedAhead = true;
            }
        }
        withinCaps();
    }

    private void advance(int pageNo, String next, Long total) {
        page = pageNo;
        if (total != null) apiTotal = total;
        if (apiTotalFirst == null) apiTotalFirst = apiTotal;
        position = next;
        // a cap, a failure or a stop ended the loop: pages still in flight are stored, but do not restart it
        if (!"RUNNING".equals(status)) return;
        more = next != null;
        if (!more) stopReason = "the API gave no next page";
    }

    // ---- parallel pages

    /** Set at open: up to {@code concurrency} pages in flight, planned by {@code planner} (1: one page at a time). */
    public void pagesInParallel(int concurrency, Planner planner) {
        this.concurrency = Math.max(1, concurrency);
        this.planner = planner;
    }

    /** Read at resume: a page stored past the checkpoint in an earlier run (a row of pages_stored_ahead). */
    public synchronized void storedAheadEarlier(int pageNo, String next, Long total) {
        ahead.put(pageNo, new Ahead(next, total));
        passedAhead = true; // its row goes when the checkpoint passes it
    }

    /**
     * Whether the loop's next pass fetches a window of pages in parallel: concurrency above 1, the API's
     * total known, and a page of this run read (the size the API really serves). Plans the window.
     */
    public synchronized boolean isParallel() {
        window = List.of();
        if (concurrency <= 1 || planner == null || apiTotal == null || largestPage == 0 || !more) return false;
        window = planner.plan(this, apiTotal, ahead.keySet(), concurrency * WINDOW_PER_SLOT);
        return !window.isEmpty();
    }

    /** The window {@link #isParallel} planned: the pages the loop's pass splits over. */
    public synchronized List<PlannedPage> nextWindow() {
        List<PlannedPage> w = window;
        window = List.of();
        return w;
    }

    /**
     * Before a page of a window is fetched: whether it may start — no cap reached, nothing failed, no stop
     * asked for. Pages that started finish (caps are overshot by at most the pages in flight).
     */
    public synchronized boolean mayStart() {
        if (!hasNext() || !withinCaps()) return false;
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        return true;
    }

    /** The row the page store writes for a page stored past the checkpoint, once (null: none). */
    public synchronized StoredAhead takeStoredAhead() {
        StoredAhead s = storedAhead;
        storedAhead = null;
        return s;
    }

    /** Whether the checkpoint moved past pages stored ahead, whose rows the page store then deletes. */
    public synchronized boolean takePassedAhead() {
        boolean p = passedAhead;
        passedAhead = false;
        return p;
    }

    public ReentrantLock storeLock() {
        return storeLock;
    }

    public int concurrency() { return concurrency; }
    public synchronized int pagesAhead() { return ahead.size(); }
    public synchronized int mostInFlight() { return mostInFlight; }

    /**
     * The job's credit budget (maxRequests over all its runs, maxLeads; 0 = none): when reached, the loop
     * ends with status CAPPED; the checkpoint is kept, so raising the cap continues from there.
     */
    public synchronized boolean withinCaps() {
        JobBudget shared = budget;
        long requests = maxRequests > 0 ? (shared == null ? requestsTotal() : shared.requests()) : 0;
        long received = maxLeads > 0 ? (shared == null ? leads : shared.leads()) : 0;
        String whose = shared == null ? "" : " " + shared.whose();
        String reason = null;
        if (maxRequests > 0 && requests >= maxRequests) reason = requests + " requests made" + whose + ", cap " + maxRequests;
        else if (maxLeads > 0 && received >= maxLeads) reason = received + " leads received" + whose + ", cap " + maxLeads;
        if (reason != null && more) {
            more = false;
            status = "CAPPED";
            capReason = reason;
            stopReason = "cap reached: " + reason;
        }
        return reason == null;
    }

    // ---- the end

    /** A slice's pull: its caps are the sliced job's, counted over all its slices. */
    public void budget(JobBudget shared) {
        this.budget = shared;
    }

    /** The drift meter's verdict at the end of the pull (null sentence: no drift past the threshold). */
    public void drifted(String sentence, long records) {
        drift = sentence;
        driftRecords = records;
    }

    public void markDone() {
        status = "DONE";
        events.finished(this);
    }

    public void markInterrupted(String why) {
        status = "INTERRUPTED";
        more = false;
        if (why != null) stopReason = why;
        events.finished(this);
    }

    public void markCapped() {
        events.finished(this);
    }

    /**
     * The API asked for a wait longer than leadpipe.ratelimit.max-wait (a quota that refills tomorrow): the
     * pull stops cleanly, checkpointed, and says when to come back; the next run resumes it.
     */
    public void markPaused(String why, java.time.Instant comeBackAt) {
        status = "PAUSED";
        error = why;
        pausedUntil = comeBackAt;
        more = false;
        stopReason = "paused: " + why;
        events.finished(this);
    }

    /** When the API said requests may resume, for a PAUSED pull; else null. */
    public java.time.Instant pausedUntil() {
        return pausedUntil;
    }

    public boolean isPaused() {
        return "PAUSED".equals(status);
    }

    public void markFailed(String why) {
        status = "FAILED";
        error = why;
        more = false;
        stopReason = "failed: " + why;
        events.finished(this);
    }

    /** Leads stored for the job before this run, after it, and distinct leads stored by this pull. */
    public void storedBefore(long n) {
        storedBefore = n;
    }

    public void storedAfter(long forJob, long forThisPull) {
        storedAfter = forJob;
        storedThisPull = forThisPull;
    }

    // ---- parent → child jobs (routes/children.yaml): this pull's records are parents, its leads the children's

    /** The leads are the child lists': their records this run and in this pull, and the sum of the lists' totals (null: not every list reported one). */
    public void childrenCounted(long pagesThisRun, long receivedThisRun, long receivedInPull, Long listsTotal, String summary) {
        children = summary;
        this.pagesThisRun += (int) pagesThisRun;
        leadsThisRun = receivedThisRun;
        leads = receivedInPull;
        apiTotal = listsTotal;
        apiTotalFirst = listsTotal;
    }

    /** The child lists, and how many of them stored a different number of records than their API's total. */
    public void childListsShort(long lists, long listsShort) {
        childLists = lists;
        childListsShort = listsShort;
    }

    public long childLists() { return childLists; }
    public long childListsShort() { return childListsShort; }

    /** The children stopped on a shutdown signal (the parents' loop had ended): checkpointed, resumable. */
    public void childrenStopped(String why) {
        more = false;
        status = "INTERRUPTED";
        stopReason = why;
    }

    /** A cap stopped the children with lists still to pull: CAPPED at their saved positions; raising the cap continues. */
    public void childrenCapped(String why) {
        more = false;
        status = "CAPPED";
        capReason = why;
        stopReason = "cap reached: " + why;
    }

    /** A parent → child job's parents and child leads ("200 parents: 198 done, …"), for the run report; null otherwise. */
    public String children() {
        return children;
    }

    // ---- questions

    /** Every request made for the job: before this run (the checkpoint's count), and in it (retries included). */
    public long requestsTotal() {
        return requestsBefore + (requestsInProcess.getAsLong() - requestsAtStart);
    }

    /** "300/5000 (6%)", or "300" when the API reports no total. */
    public String progress() {
        return apiTotal == null || apiTotal == 0 ? Long.toString(leads)
                : leads + "/" + apiTotal + " (" + Math.min(100, leads * 100 / apiTotal) + "%)";
    }

    public boolean isAlreadyDone() {
        return opening == Opening.ALREADY_DONE;
    }

    public boolean isBusy() {
        return opening == Opening.BUSY;
    }

    public boolean isInterrupted() {
        return "INTERRUPTED".equals(status);
    }

    public boolean isCapped() {
        return "CAPPED".equals(status);
    }

    public boolean isVerification() {
        return "VERIFY".equals(mode);
    }

    /** Why the loop stopped (or will): no next page, a cap, a failure, or already DONE. Null while it runs. */
    public String stopReason() {
        return stopReason;
    }

    @Override public String jobId() { return jobId; }
    @Override public String source() { return source; }
    @Override public String position() { return position; }
    @Override public int pageNo() { return page; }
    @Override public int largestPage() { return largestPage; }
    @Override public String pullId() { return pullId; }
    @Override public String filters() { return filters; }
    @Override public String watermarkParam() { return watermarkParam; }
    @Override public String watermark() { return watermark; }

    public String filterHash() { return filterHash; }
    public boolean positional() { return positional; }
    public Opening opening() { return opening; }
    public String resumedFrom() { return resumedFrom; }
    public String leaseOwner() { return leaseOwner; }
    public String takenOverFrom() { return takenOverFrom; }
    public String mode() { return mode; }
    public long leads() { return leads; }
    public Long apiTotalFirst() { return apiTotalFirst; }
    public Long apiTotal() { return apiTotal; }
    public int duplicatePages() { return duplicatePages; }
    public long seenTwice() { return seenTwice; }
    public int pagesThisRun() { return pagesThisRun; }
    public long leadsThisRun() { return leadsThisRun; }
    public int duplicatePagesThisRun() { return duplicatePagesThisRun; }
    public long storedBefore() { return storedBefore; }
    public long storedAfter() { return storedAfter; }
    public long storedThisPull() { return storedThisPull; }
    public String status() { return status; }
    public String capReason() { return capReason; }
    public String error() { return error; }
    public String drift() { return drift; }
    public long driftRecords() { return driftRecords; }
    public long startedAt() { return startedAt; }
    public long maxRequests() { return maxRequests; }
    public long maxLeads() { return maxLeads; }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "pull %s of job %s: page %d, %d leads, next %s, %s", pullId, jobId, page, leads, position, status);
    }
}
