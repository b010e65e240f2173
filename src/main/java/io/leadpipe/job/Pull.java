package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import io.leadpipe.paging.PullPosition;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * One run of a job ({@code variable.pull}): where the pull stands (the checkpoint's values), what this run
 * did, and how it ended. It changes only through its commands — the opening ones, {@link #pageStored},
 * {@link #duplicatePage}, {@link #startPage}, {@link #checkCaps}, {@link #failedWith}, … — which routes call by
 * name through {@link PullLoop} and the {@code PullRepository}; its getters only read, and no command shares a
 * getter's name (Simple's {@code ${variable.pull.interrupted}} would call an {@code interrupted(..)}). No SQL, Camel or
 * metrics here: the repository writes it, PullEvents hear of it.
 */
public final class Pull implements PullPosition {

    /** How the repository found the job when it opened the pull. */
    public enum Opening { NEW, RESUME, INCREMENTAL, ALREADY_DONE, BUSY }

    /** A new pull over the job (a first one, an incremental one, a verification pass) or the one its checkpoint continues. */
    public enum Mode { PULL, INCREMENTAL, VERIFY }

    /** A page stored past the checkpoint, as its row in pages_stored_ahead. */
    public record StoredAhead(int pageNo, String next, Long apiTotal) {}

    static final long FAILURE_REPORT_WAIT_MS = 30_000;

    private final JobSpec spec;
    private final boolean positional;
    private final LoopGuard guard;
    /** Requests this process made for the job (retries included), and the count when this run began. */
    private final LongSupplier requestsInProcess;
    private final long requestsAtStart;
    /** A graceful stop (SIGTERM, Ctrl-C): the loop ends at the next page boundary. */
    private final BooleanSupplier stopRequested;
    private final long startedAt = System.currentTimeMillis();
    /** One page of this pull is stored at a time, its transaction committed under this lock (PageTransaction). */
    private final ReentrantLock storeLock = new ReentrantLock();
    private final PagesAhead ahead = new PagesAhead();

    // the checkpoint: where the pull stands
    private Opening opening;
    private String resumedFrom;
    private String leaseOwner;
    private String takenOverFrom;
    private String pullId;
    private Mode mode = Mode.PULL;
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
    /** Times this run's query reached the API's max-results and started again after its last record (paging.QueryCut). */
    private int queryCutsThisRun;
    private long storedBefore;
    private long storedAfter;
    private long storedThisPull;
    private int concurrency = 1;
    private int inFlight;
    /** concurrency = auto: the pages in flight followed the quota and the answer time (up to {@code concurrency}). */
    private boolean pagesFollowQuota;
    private final java.util.TreeSet<Integer> waitingToStart = new java.util.TreeSet<>();
    private int mostInFlight;
    /** What the page's transaction writes besides the checkpoint: a page stored ahead, or rows the checkpoint passed. */
    private StoredAhead storedAhead;
    private boolean passedAhead;
    private boolean failureClaimed;
    private boolean failureReported;

    // the outcome
    private boolean more = true;
    private PullStatus status = PullStatus.RUNNING;
    private String stopReason;
    private String capReason;
    private volatile JobBudget budget;
    private String error;
    private boolean endRecorded = true;
    private String drift;
    private long driftRecords;
    private Instant pausedUntil;
    private String children;
    private long childLists;
    private long childListsShort;

    public Pull(JobSpec spec, boolean positional, LoopGuard guard, LongSupplier requestsInProcess, BooleanSupplier stopRequested) {
        this.spec = spec;
        this.positional = positional;
        this.guard = guard;
        this.requestsInProcess = requestsInProcess;
        this.requestsAtStart = requestsInProcess.getAsLong();
        this.stopRequested = stopRequested;
    }

    // ---- opening: the repository decides which, and writes the row in the same transaction

    /** A job without a checkpoint: the first page of a new pull. */
    public synchronized void startNew(String newPullId) {
        opening = Opening.NEW;
        pullId = newPullId;
        mode = Mode.PULL;
        freshPosition();
        checkCaps();
    }

    /** A DONE incremental job: a new pull of what changed since {@code since}. */
    public synchronized void startIncremental(String newPullId, String since) {
        opening = Opening.INCREMENTAL;
        pullId = newPullId;
        mode = Mode.INCREMENTAL;
        watermark = since;
        freshPosition();
    }

    /** A job that is not DONE continues where its checkpoint says, whatever stopped it (crash, failure, cap). */
    public synchronized void resume(SavedCheckpoint saved) {
        opening = Opening.RESUME;
        resumedFrom = saved.status();
        pullId = saved.pullId() == null ? spec.jobId() + "-v1" : saved.pullId();
        mode = saved.mode() == null ? Mode.PULL : Mode.valueOf(saved.mode());
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
        checkCaps();
    }

    /** A one-off job that is DONE: nothing to pull until it is reset. */
    public synchronized void skipAsDone(SavedCheckpoint saved) {
        opening = Opening.ALREADY_DONE;
        pullId = saved.pullId();
        mode = saved.mode() == null ? Mode.PULL : Mode.valueOf(saved.mode());
        page = saved.page();
        leads = saved.leads();
        status = PullStatus.DONE;
        more = false;
        stopReason = "already DONE";
    }

    /** Another live process holds the job's lease: this run does nothing. */
    public synchronized void heldElsewhere(String whoHoldsIt) {
        opening = Opening.BUSY;
        status = PullStatus.BUSY;
        more = false;
        stopReason = whoHoldsIt;
    }

    /** This run holds the job's lease under this owner id; {@code previous} describes a lease it took over (or null). */
    public synchronized void leasedBy(String owner, String previous) {
        leaseOwner = owner;
        takenOverFrom = previous;
    }

    /** Up to {@code concurrency} pages in flight (1: one page at a time); PagePlanner plans them. */
    public synchronized void pagesInParallel(int concurrency) {
        this.concurrency = Math.max(1, concurrency);
    }

    /** Read at resume: a page stored past the checkpoint in an earlier run (a row of pages_stored_ahead). */
    public synchronized void storedAheadEarlier(int pageNo, String next, Long total) {
        ahead.hold(pageNo, next, total);
        passedAhead = true; // its row goes when the checkpoint passes it
    }

    /** A slice's pull: its caps are the sliced job's, counted over all its slices. */
    public void budget(JobBudget shared) {
        this.budget = shared;
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
        return more && !stopRequested.getAsBoolean();
    }

    /** Before the page is stored: the loop guard (same cursor twice, a cycle, the same page again, past the total). */
    public synchronized void inspect(FetchedPage fetched) {
        // a window of a query cut at max-results re-reads what shares the value it starts after: no page bound from the total there
        Long total = fetched.apiTotal() != null ? fetched.apiTotal() : io.leadpipe.paging.QueryCut.window(position) != null ? null : apiTotal;
        guard.check(position, fetched, total, duplicatePagesThisRun);
    }

    /** The loop guard for a page asked for at {@code askedAt} (a parallel page's own position). */
    public synchronized void inspect(FetchedPage fetched, String askedAt) {
        guard.check(askedAt, fetched, fetched.apiTotal() != null ? fetched.apiTotal() : apiTotal, duplicatePagesThisRun, true);
    }

    /**
     * Before a page of a parallel window is fetched: whether it may start — no cap reached, nothing failed, no
     * stop asked for. Pages that started finish (caps are overshot by at most the pages in flight).
     */
    public synchronized boolean startPage() {
        if (!hasNext() || !checkCaps()) return false;
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        return true;
    }

    /**
     * The most pages in flight so far this run: twice the pages stored (at least 2), up to the concurrency — the
     * first answers (a new connection, a cold JVM) are slow, and a burst sized by them would start at the bound.
     */
    private int slowStart() {
        return Math.min(concurrency, Math.max(2, 2 * pagesThisRun));
    }

    /** How often a page waiting for its turn (concurrency = auto) asks again how many pages are wanted in flight. */
    static final long WANTED_RECHECK_MS = 50;

    /**
     * concurrency = auto: as {@link #startPage()}, once fewer than {@code wanted} pages (at most the concurrency)
     * are in flight — {@code wanted} follows the quota's rate and the API's answer time, so it is asked again
     * while the page waits. Waiting pages start in page order (the window's threads each hold one), so pages are
     * stored in order as far as their answers allow. A kill still finds at most the pages in flight.
     */
    public synchronized boolean startPageWhenWanted(int pageNo, java.util.function.IntSupplier wanted) throws InterruptedException {
        pagesFollowQuota = true;
        waitingToStart.add(pageNo);
        try {
            while (hasNext() && checkCaps()
                    && (waitingToStart.first() != pageNo || inFlight >= Math.min(slowStart(), Math.max(1, wanted.getAsInt())))) {
                wait(WANTED_RECHECK_MS);
            }
            return startPage();
        } finally {
            waitingToStart.remove(pageNo);
            notifyAll(); // the next page in order may start
        }
    }

    /**
     * Records of the page about to be stored that this pull had already stored (drift on offset paging):
     * counted when the page is stored, so a page stored again after its transaction was rolled back counts once.
     */
    public synchronized void seenTwice(long records) {
        seenTwiceOnPage = records;
    }

    /** The page's leads are stored: count them and move to the next position (or hold the page: see {@link #place}). */
    public synchronized void pageStored(FetchedPage fetched) {
        seenTwice += seenTwiceOnPage;
        seenTwiceOnPage = 0;
        leads += fetched.records();
        leadsThisRun += fetched.records();
        io.leadpipe.paging.QueryCut.Window window = io.leadpipe.paging.QueryCut.window(fetched.next());
        if (window != null && window.start()) queryCutsThisRun++;
        place(fetched);
    }

    /** A page this pull already stored (the API sent it twice): counted, not stored, and the position moves on. */
    public synchronized void duplicatePage(FetchedPage fetched) {
        duplicatePages++;
        duplicatePagesThisRun++;
        place(fetched);
    }

    /**
     * The checkpoint is the highest page below which every page is stored. The page after it moves it on —
     * through any pages stored ahead that now join up; a page further on is held (its row written in its
     * page's transaction, see {@link #takeStoredAhead}) until the pages below it are stored.
     */
    private void place(FetchedPage fetched) {
        pagesThisRun++;
        if (inFlight > 0) inFlight--;
        notifyAll(); // a page waiting for its turn (startPageWhenWanted) may start
        largestPage = Math.max(largestPage, fetched.records());
        if (fetched.pageNo() > page + 1) {
            ahead.hold(fetched.pageNo(), fetched.next(), fetched.apiTotal());
            storedAhead = new StoredAhead(fetched.pageNo(), fetched.next(), fetched.apiTotal());
        } else {
            advance(fetched.pageNo(), fetched.next(), fetched.apiTotal());
            for (PagesAhead.Ahead a; (a = ahead.joinUp(page)) != null; ) {
                advance(page + 1, a.next(), a.apiTotal());
                passedAhead = true;
            }
        }
        checkCaps();
    }

    private void advance(int pageNo, String next, Long total) {
        page = pageNo;
        if (total != null) apiTotal = total;
        if (apiTotalFirst == null) apiTotalFirst = apiTotal;
        position = next;
        // a cap, a failure or a stop ended the loop: pages still in flight are stored, but do not restart it
        if (status != PullStatus.RUNNING) return;
        more = next != null;
        if (!more) stopReason = "the API gave no next page";
    }

    /** The row the page's transaction writes for a page stored past the checkpoint, once (null: none). */
    public synchronized StoredAhead takeStoredAhead() {
        StoredAhead s = storedAhead;
        storedAhead = null;
        return s;
    }

    /** Whether the checkpoint moved past pages stored ahead, whose rows the page's transaction then deletes. */
    public synchronized boolean takePassedAhead() {
        boolean p = passedAhead;
        passedAhead = false;
        return p;
    }

    /**
     * The job's credit budget (maxRequests over all its runs, maxLeads; 0 = none): when reached, the loop
     * ends with status CAPPED; the checkpoint is kept, so raising the cap continues from there. True: within.
     */
    public synchronized boolean checkCaps() {
        long maxRequests = spec.maxRequests();
        long maxLeads = spec.maxLeads();
        JobBudget shared = budget;
        long requests = maxRequests > 0 ? (shared == null ? requestsTotal() : shared.requests()) : 0;
        long received = maxLeads > 0 ? (shared == null ? leads : shared.leads()) : 0;
        String whose = shared == null ? "" : " " + shared.whose();
        String reason = null;
        if (maxRequests > 0 && requests >= maxRequests) reason = requests + " requests made" + whose + ", cap " + maxRequests;
        else if (maxLeads > 0 && received >= maxLeads) reason = received + " leads received" + whose + ", cap " + maxLeads;
        if (reason != null && more) capReached(reason);
        return reason == null;
    }

    /** A cap is reached (this pull's, its sliced job's, or a parent → child job's children's): CAPPED; raising it continues. */
    public synchronized void capReached(String reason) {
        more = false;
        status = PullStatus.CAPPED;
        capReason = reason;
        stopReason = "cap reached: " + reason;
    }

    /**
     * True for the first of the job's failures, false after: with pages in parallel, every page in flight may
     * fail (or find the lease released by the first failure), and the job fails once. The later ones wait
     * (bounded) until the first has been recorded and reported: the job's route must not return before its
     * run report exists.
     */
    public synchronized boolean claimFailure() throws InterruptedException {
        if (!failureClaimed) {
            failureClaimed = true;
            return true;
        }
        long until = System.currentTimeMillis() + FAILURE_REPORT_WAIT_MS;
        for (long left; !failureReported && (left = until - System.currentTimeMillis()) > 0; ) wait(left);
        return false;
    }

    /** The first failure is recorded and its run report written (routes/checkpoint.yaml, job-failed). */
    public synchronized void failureReported() {
        failureReported = true;
        notifyAll();
    }

    // ---- the end

    /** The drift meter's verdict at the end of the pull (null sentence: no drift past the threshold). */
    public synchronized void drifted(String sentence, long records) {
        drift = sentence;
        driftRecords = records;
    }

    public synchronized void done() {
        status = PullStatus.DONE;
    }

    /** Stopped between pages (a shutdown signal; {@code why} null) or inside one ({@code why} says where). */
    public synchronized void interruptedBy(String why) {
        if (why != null) stopReason = why;
        else if (status != PullStatus.INTERRUPTED) stopReason = "stopped by a shutdown signal after page " + page + ", checkpointed; run again to continue";
        status = PullStatus.INTERRUPTED;
        more = false;
    }

    /**
     * The API asked for a wait longer than leadpipe.ratelimit.max-wait (a quota that refills tomorrow): the
     * pull stops cleanly, checkpointed, and says when to come back; the next run resumes it.
     */
    public synchronized void paused(String why, Instant comeBackAt) {
        status = PullStatus.PAUSED;
        error = why;
        pausedUntil = comeBackAt;
        more = false;
        stopReason = "paused: " + why;
    }

    public synchronized void failedWith(String why) {
        status = PullStatus.FAILED;
        error = why;
        more = false;
        stopReason = "failed: " + why;
    }

    /** The database did not take the row saying how the run ended (PullRepository.failed): no run report reads it. */
    public synchronized void endNotRecorded() {
        endRecorded = false;
    }

    /** Leads stored for the job before this run, after it, and distinct leads stored by this pull. */
    public synchronized void storedBefore(long n) {
        storedBefore = n;
    }

    public synchronized void storedAfter(long forJob, long forThisPull) {
        storedAfter = forJob;
        storedThisPull = forThisPull;
    }

    // ---- parent → child jobs (routes/children.yaml): this pull's records are parents, its leads the children's

    /** The leads are the child lists': their records this run and in this pull, and the sum of the lists' totals (null: not every list reported one). */
    public synchronized void childrenCounted(long pagesThisRun, long receivedThisRun, long receivedInPull, Long listsTotal, String summary) {
        children = summary;
        this.pagesThisRun += (int) pagesThisRun;
        leadsThisRun = receivedThisRun;
        leads = receivedInPull;
        apiTotal = listsTotal;
        apiTotalFirst = listsTotal;
    }

    /** The child lists, and how many of them stored a different number of records than their API's total. */
    public synchronized void childListsShort(long lists, long listsShort) {
        childLists = lists;
        childListsShort = listsShort;
    }

    // ---- questions (they only read)

    /** Every request made for the job: before this run (the checkpoint's count), and in it (retries included). */
    public long requestsTotal() {
        return requestsBefore + (requestsInProcess.getAsLong() - requestsAtStart);
    }

    /** "300/5000 (6%)", or "300" when the API reports no total. */
    public String progress() {
        Long total = apiTotal;
        return total == null || total == 0 ? Long.toString(leads) : leads + "/" + total + " (" + Math.min(100, leads * 100 / total) + "%)";
    }

    /** Whether the loop ended on a shutdown signal (or is about to: the stop came while it had a next page). */
    public synchronized boolean isInterrupted() {
        return status == PullStatus.INTERRUPTED || status == PullStatus.RUNNING && more && stopRequested.getAsBoolean();
    }

    public boolean isAlreadyDone() { return opening == Opening.ALREADY_DONE; }
    public boolean isBusy() { return opening == Opening.BUSY; }
    public boolean isCapped() { return status == PullStatus.CAPPED; }
    public boolean isFailed() { return status == PullStatus.FAILED; }
    public synchronized boolean isEndRecorded() { return endRecorded; }
    public boolean isVerification() { return mode == Mode.VERIFY; }

    /** Why the loop stopped (or will): no next page, a cap, a failure, or already DONE. Null while it runs. */
    public String stopReason() { return stopReason; }

    public JobSpec spec() { return spec; }
    @Override public String jobId() { return spec.jobId(); }
    @Override public String source() { return spec.source(); }
    @Override public String filters() { return spec.filters(); }
    @Override public String watermarkParam() { return spec.incremental(); }
    @Override public String position() { return position; }
    @Override public int pageNo() { return page; }
    @Override public int largestPage() { return largestPage; }
    @Override public String pullId() { return pullId; }
    @Override public String watermark() { return watermark; }

    public String filterHash() { return spec.filterHash(); }
    public long maxRequests() { return spec.maxRequests(); }
    public long maxLeads() { return spec.maxLeads(); }
    public boolean positional() { return positional; }
    public Opening opening() { return opening; }
    public String resumedFrom() { return resumedFrom; }
    public String leaseOwner() { return leaseOwner; }
    public String takenOverFrom() { return takenOverFrom; }
    public Mode mode() { return mode; }
    public long leads() { return leads; }
    public Long apiTotalFirst() { return apiTotalFirst; }
    public Long apiTotal() { return apiTotal; }
    public int duplicatePages() { return duplicatePages; }
    public long seenTwice() { return seenTwice; }
    public int pagesThisRun() { return pagesThisRun; }
    public long leadsThisRun() { return leadsThisRun; }
    public int duplicatePagesThisRun() { return duplicatePagesThisRun; }
    public synchronized int queryCutsThisRun() { return queryCutsThisRun; }
    public long storedBefore() { return storedBefore; }
    public long storedAfter() { return storedAfter; }
    public long storedThisPull() { return storedThisPull; }
    public PullStatus status() { return status; }
    public String capReason() { return capReason; }
    public String error() { return error; }
    public String drift() { return drift; }
    public long driftRecords() { return driftRecords; }
    public Instant pausedUntil() { return pausedUntil; }
    public String children() { return children; }
    public long childLists() { return childLists; }
    public long childListsShort() { return childListsShort; }
    public long startedAt() { return startedAt; }
    public int concurrency() { return concurrency; }
    public synchronized int mostInFlight() { return mostInFlight; }
    /** concurrency = auto: the pages in flight followed the quota and the answer time, up to {@link #concurrency()}. */
    public synchronized boolean pagesFollowQuota() { return pagesFollowQuota; }
    public synchronized int pagesAhead() { return ahead.size(); }
    /** Page numbers stored past the checkpoint: the planner skips them. */
    public synchronized Set<Integer> pagesStoredAhead() { return ahead.numbers(); }
    public ReentrantLock storeLock() { return storeLock; }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "pull %s of job %s: page %d, %d leads, next %s, %s", pullId, spec.jobId(), page, leads, position, status);
    }
}
