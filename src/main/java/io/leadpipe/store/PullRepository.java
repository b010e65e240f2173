package io.leadpipe.store;

import io.leadpipe.job.JobBudget;
import io.leadpipe.job.JobSpec;
import io.leadpipe.job.Pull;
import io.leadpipe.job.PullEvents;
import io.leadpipe.job.SavedCheckpoint;
import io.leadpipe.paging.PageCodecs;
import io.leadpipe.ratelimit.WaitTooLongException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

import static io.leadpipe.store.CheckpointSql.*;
import static io.leadpipe.store.HeldLeases.at;
import static io.leadpipe.store.NamedSql.values;

/**
 * The one owner of a job's checkpoint (its row, its pages stored ahead, its page fingerprints) and of its
 * lease: opens the pull (new, resume, incremental) and writes each of its transitions — page saved, done,
 * capped, interrupted, paused, failed — as one named statement (CheckpointSql), a page's inside the page's
 * transaction. routes/checkpoint.yaml shows when each happens.
 */
public final class PullRepository implements JobBudget.Budgets {

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.extract");

    /** Why a run could ask its database nothing more (the record of a run's end was refused). */
    public enum DatabaseGone {
        /** H2 closed its file (a failed write: a full disk). */
        CLOSED("closed during the run"),
        /** The pool gave no connection in its whole wait (leadpipe.db.connection-wait-ms). */
        NO_CONNECTION("gave no connection within leadpipe.db.connection-wait-ms when the run's end was to be recorded");

        private final String words;

        DatabaseGone(String words) {
            this.words = words;
        }

        /** In words that follow "the database". */
        public String words() {
            return words;
        }
    }

    /** Why the database could not be asked for a run's end; null while it can. */
    private volatile DatabaseGone endRefusedBecause;

    /** The page fingerprints' processor name in Camel's idempotent repository (reset and verify forget them by it). */
    public static final String PAGE_REPOSITORY = CheckpointSql.PAGE_REPOSITORY;

    /** SQLState of a unique-key violation (H2 and PostgreSQL): another process created the row first. */
    private static final String UNIQUE_VIOLATION = "23505";

    /** The statement a page's checkpoint is saved with (the overhead benchmark's raw loop runs this same one). */
    public static NamedSql saveStatement() {
        return SAVE;
    }

    private final DataSource dataSource;
    private final TransactionTemplate transaction;
    private final PageCodecs pagers;
    private final java.util.function.ToLongFunction<String> requestsMade;
    private final PullEvents events;
    private final long overlapSeconds;
    private final HeldLeases leases;
    private final SliceBudgets budgets;
    private volatile boolean stopping;

    /**
     * @param requestsMade requests this process made for a job so far (retries included)
     * @param overlapSeconds how far before the previous pull's start an incremental pull looks (clock skew, in-flight edits)
     */
    public PullRepository(DataSource dataSource, DataSourceTransactionManager transactions, PageCodecs pagers,
                          java.util.function.ToLongFunction<String> requestsMade, PullEvents events, long overlapSeconds, Duration leaseTtl) {
        this.dataSource = dataSource;
        this.transaction = new TransactionTemplate(transactions);
        this.pagers = pagers;
        this.requestsMade = requestsMade;
        this.events = events;
        this.overlapSeconds = overlapSeconds;
        this.leases = new HeldLeases(dataSource, leaseTtl);
        this.budgets = new SliceBudgets(dataSource);
    }

    /** A pull of the job ({@code variable.pull}), not opened yet: where it stands is {@link #open(Pull)}'s to find. */
    public Pull newPull(JobSpec spec) {
        Pull pull = new Pull(spec, pagers.positional(spec.source()), pagers.loopGuard(spec.source()),
                () -> requestsMade.applyAsLong(spec.jobId()), () -> stopping);
        pull.pagesInParallel(pagers.concurrency(spec.source()));
        // a slice: the caps are its job's, over all its slices — already for the checks made while opening
        pull.budget(budgets.of(spec.sliceOf()));
        return pull;
    }

    /**
     * Opens the pull from its checkpoint row, in one transaction: creates the row for a new job, starts a fresh
     * pull for a DONE incremental job, resumes any other, and takes the job's lease — unless another live
     * process holds it (BUSY) or a one-off job is DONE already.
     */
    public void open(Pull pull) {
        try {
            inTransaction(transaction, dataSource, c -> open(c, pull));
            // a file that closed under an earlier pull is open again (H2FileGuard: under `serve`, once space was freed):
            // the process ends as usual
            endRefusedBecause = null;
        } catch (CheckpointException e) {
            // two processes created a new job's row at once: the second reads the first's row (and lease) again
            if (!UNIQUE_VIOLATION.equals(e.sqlState())) throw e;
            inTransaction(transaction, dataSource, c -> open(c, pull));
        }
        if (pull.isAlreadyDone() || pull.isBusy()) return;
        JobBudget budget = budgets.of(pull.spec().sliceOf());
        if (budget != null) budget.pulling(pull);
        leases.took(pull);
        events.started(pull);
    }

    /** Incremental jobs whose source declares its delta: their watermark from the data, and their settings kept. */
    private DeltaWatermarks deltaWatermarks;

    public PullRepository deltaWatermarks(DeltaWatermarks watermarks) {
        this.deltaWatermarks = watermarks;
        return this;
    }

    private Pull open(Connection c, Pull pull) throws SQLException {
        Row row = read(c, pull.jobId());
        Instant now = Instant.now();
        if (row != null && row.lease().keepsOthersOut(now)) {
            pull.heldElsewhere(row.lease().describe(pull.jobId()));
            return pull;
        }
        SavedCheckpoint saved = row == null ? null : row.saved();
        if (saved == null) {
            pull.startNew(PullIds.next());
            CREATE.update(c, values("job", pull.jobId(), "source", pull.source(), "filters", pull.filters(), "filterHash", pull.filterHash(), "pullId", pull.pullId()));
            if (deltaWatermarks != null) deltaWatermarks.started(c, pull);
        } else if (saved.done() && pull.watermarkParam() != null && saved.pullStartedAt() != null) {
            // an incremental job: a new pull of what changed since — by the source's delta (the largest updated-at
            // stored), else since the previous pull began; less an overlap either way
            String pullId = PullIds.next();
            io.leadpipe.delta.Watermark w = deltaWatermarks == null ? null : deltaWatermarks.nextPull(c, pull, pullId, saved.pullStartedAt());
            boolean declared = deltaWatermarks != null && deltaWatermarks.delta(pull.source()) != null;
            pull.startIncremental(pullId, w != null ? w.since().toString() : declared ? null : saved.pullStartedAt().minusSeconds(overlapSeconds).toString());
            freshPull(c, pull.jobId(), Pull.Mode.INCREMENTAL.name(), pull.pullId(), pull.watermark());
        } else if (saved.done()) {
            pull.skipAsDone(saved);
            return pull;
        } else {
            pull.resume(saved);
            if (!saved.filterHash().equals(pull.filterHash())) {
                throw new IllegalStateException("job '" + pull.jobId() + "' has a checkpoint for filters '" + saved.filters()
                        + "' but is now declared with '" + pull.filters() + "': run `leadpipe reset " + pull.jobId()
                        + "` to start it over with the new filters");
            }
            if (deltaWatermarks != null) deltaWatermarks.resumed(c, pull);
            RESUME.update(c, values("job", pull.jobId(), "pullId", pull.pullId()));
            readAhead(c, pull);
        }
        String owner = UUID.randomUUID().toString();
        TAKE_LEASE.update(c, values("job", pull.jobId(), "owner", owner, "host", JobLease.HOST, "pid", JobLease.PID,
                "now", at(now), "expires", leases.expiry(now)));
        pull.leasedBy(owner, row == null || row.lease().owner() == null ? null : row.lease().describe(pull.jobId()));
        return pull;
    }

    /** Pages an earlier run stored past the checkpoint (parallel pages): the resumed pull skips them. */
    private static void readAhead(Connection c, Pull pull) throws SQLException {
        try (PreparedStatement ps = READ_AHEAD.prepare(c, values("job", pull.jobId(), "pullId", pull.pullId())); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) pull.storedAheadEarlier(rs.getInt("page_no"), rs.getString("next_position"), nullableLong(rs, "api_total"));
        }
    }

    /**
     * The page's position and counts; runs in the page's transaction, after its leads and fingerprint. With
     * parallel pages: a page stored past the checkpoint gets its row, rows the checkpoint passed go.
     */
    public void save(Pull pull) throws SQLException {
        Instant now = Instant.now();
        Pull.StoredAhead stored = pull.takeStoredAhead();
        if (stored != null) {
            withConnection(c -> STORE_AHEAD.update(c, values("job", pull.jobId(), "pullId", pull.pullId(), "page", stored.pageNo(),
                    "next", stored.next(), "apiTotal", stored.apiTotal())));
        }
        if (pull.takePassedAhead()) withConnection(c -> PASSED_AHEAD.update(c, values("job", pull.jobId(), "page", pull.pageNo())));
        int rows = withConnection(c -> SAVE.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "position", pull.position(),
                "page", pull.pageNo(), "leads", pull.leads(), "apiTotalFirst", pull.apiTotalFirst(), "apiTotal", pull.apiTotal(),
                "requests", pull.requestsTotal(), "duplicatePages", pull.duplicatePages(), "seenTwice", pull.seenTwice(),
                "now", at(now), "expires", leases.expiry(now))));
        if (rows == 0) throw new LeaseLostException(pull.jobId());
    }

    public void done(Pull pull) throws SQLException {
        // written first: a run whose lease was taken over must not report DONE (the job's failure handling ends it)
        int rows = withConnection(c -> DONE.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "drift", pull.drift(), "requests", pull.requestsTotal())));
        if (rows == 0) throw new LeaseLostException(pull.jobId());
        pull.done();
        leases.released(pull);
        events.finished(pull);
    }

    /** The credit budget is spent (the pull is CAPPED already): raising the cap continues from the checkpoint. */
    public void capped(Pull pull) throws SQLException {
        end(pull, CAPPED, stopped(pull, pull.capReason()));
    }

    /** The pull stopped between pages on a shutdown signal: checkpointed, resumable, lease released. */
    public void interrupted(Pull pull) throws SQLException {
        pull.interruptedBy(null);
        end(pull, INTERRUPTED, stopped(pull, pull.stopReason()));
    }

    /**
     * The API asked us to come back later than leadpipe.ratelimit.max-wait: a clean stop, not a failure —
     * position and counts as saved, lease released, the reason (with the date to come back) recorded.
     */
    public void paused(Pull pull, String reason, Throwable cause) throws SQLException {
        WaitTooLongException tooLong = org.apache.camel.util.ObjectHelper.getException(WaitTooLongException.class, cause);
        pull.paused(reason, tooLong == null ? null : tooLong.comeBackAt());
        end(pull, PAUSED, stopped(pull, reason));
    }

    /** The job stopped on an error: {@link #failed(Pull, String, Throwable)} without the exception. */
    public void failed(Pull pull, String error) {
        failed(pull, error, null);
    }

    /**
     * The job stopped on an error: the reason is recorded, the position and counts stay exactly as saved. Recording it
     * can fail too (a full disk, a database gone): the job ends FAILED all the same, its checkpoint still holds the last
     * stored page, and one line says so, instead of a second failure that would hide the first. When the failure is that
     * the H2 file closed under the process, it is not asked again (the pool would wait leadpipe.db.connection-wait-ms for a
     * connection that a closed file cannot give).
     */
    public void failed(Pull pull, String error, Throwable cause) {
        if (pull == null) return; // failed before the pull was declared: there is no row to mark
        boolean write = cause == null || !io.leadpipe.job.FailureKinds.databaseClosed(cause);
        try {
            if (stopping && pull.leaseOwner() != null) {
                // a wait or a call cut short by the stop is not the job's failure
                pull.interruptedBy("stopped by a shutdown signal after page " + pull.pageNo() + " (" + error + "); run again to continue");
                end(pull, INTERRUPTED, stopped(pull, pull.stopReason()), write);
            } else {
                pull.failedWith(error);
                if (pull.leaseOwner() != null) end(pull, FAILED, stopped(pull, error), write);
                else end(pull, FAILED_UNLEASED, values("job", pull.jobId(), "error", error), write);
            }
            // the pool has told its H2FileGuard already (H2BrokenConnections): the steps after this one are refused at once
            if (!write) notRecorded(pull, "not asked: the database file closed after the failure", DatabaseGone.CLOSED);
        } catch (SQLException | org.springframework.dao.DataAccessException e) {
            // gone for good when H2 closed its file; out of reach when the pool could not give a connection in its whole wait
            DatabaseGone gone = io.leadpipe.job.FailureKinds.databaseClosed(e) ? DatabaseGone.CLOSED
                    : e instanceof org.springframework.jdbc.CannotGetJdbcConnectionException ? DatabaseGone.NO_CONNECTION : null;
            LOG.debug("the record of job {}'s end was refused", pull.jobId(), e);
            notRecorded(pull, "the database said: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), gone);
        }
    }

    private void notRecorded(Pull pull, String why, DatabaseGone databaseGone) {
        pull.endNotRecorded();
        // a closed file stays the reason: a slice failing after it on the pool's wait is its consequence
        if (databaseGone != null && endRefusedBecause != DatabaseGone.CLOSED) endRefusedBecause = databaseGone;
        LOG.warn("job {}: how the run ended is not recorded in the database ({}); its checkpoint keeps the last stored page, and no run report is written",
                pull.jobId(), why);
    }

    /**
     * Whether the database was gone when a run's end was to be recorded (its H2 file closed, or the pool gave no
     * connection in its whole wait): waiting on it again is in vain for this run.
     */
    public boolean databaseRefusedAnEnd() {
        return endRefusedBecause != null;
    }

    /** Why the database was gone when a run's end was to be recorded; null when it was not. */
    public DatabaseGone whyDatabaseRefusedAnEnd() {
        return endRefusedBecause;
    }

    private static Map<String, Object> stopped(Pull pull, String reason) {
        return values("job", pull.jobId(), "owner", pull.leaseOwner(), "reason", reason, "requests", pull.requestsTotal());
    }

    /** The run ended: the lease is released, monitoring hears of it, and the row says how. */
    private void end(Pull pull, NamedSql statement, Map<String, Object> values) throws SQLException {
        end(pull, statement, values, true);
    }

    private void end(Pull pull, NamedSql statement, Map<String, Object> values, boolean write) throws SQLException {
        leases.released(pull);
        events.finished(pull);
        if (write) withConnection(c -> statement.update(c, values));
    }

    // ---- the leases this process holds

    /** The heartbeat: every lease this repository's runs hold is extended by the lease time. */
    public void renewLeases() throws SQLException {
        leases.renew();
    }

    /** A graceful stop was asked for: every running pull ends at its next page boundary (its loop sees no next page). */
    public void stopRequested() {
        stopping = true;
    }

    /** Whether a graceful stop was asked for (child lists end at their next page boundary too). */
    public boolean stopping() {
        return stopping;
    }

    /** Jobs this repository's runs still hold. */
    public int running() {
        return leases.pulls().size();
    }

    /** Waits (polling) until no pull of this process runs, at most {@code grace}: whether none runs now. */
    public boolean awaitNoneRunning(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        while (running() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return running() == 0;
    }

    /**
     * The grace time of a stop ran out with jobs still inside a page (a long rate-limit wait, a slow answer):
     * they are marked INTERRUPTED at their last saved page and their leases released, so the process can exit
     * now. A page still in flight then finds its lease gone and rolls back.
     */
    public void interruptAll() {
        for (Pull pull : leases.pulls()) {
            try {
                pull.interruptedBy("stopped by a shutdown signal inside page " + (pull.pageNo() + 1) + "; the checkpoint of page " + pull.pageNo() + " stands");
                end(pull, INTERRUPTED, stopped(pull, pull.stopReason()));
            } catch (SQLException | RuntimeException e) {
                // exiting: the lease of a process that is gone is taken over by the next run on this host
            }
        }
    }

    // ---- sliced jobs' budgets (SliceBudgets): a slice's caps are its job's, over all its slices

    @Override
    public JobBudget start(String job, Collection<String> sliceJobs) throws SQLException {
        return budgets.start(job, sliceJobs);
    }

    @Override
    public void end(String job) {
        budgets.end(job);
    }

    /** On the current transaction's connection when there is one (the page's), else on its own. */
    private <T> T withConnection(SqlWork<T> work) throws SQLException {
        return CheckpointSql.withConnection(dataSource, work);
    }

    /** Another process took the job over (this one's lease had expired): this run stops without writing. */
    public static final class LeaseLostException extends IllegalStateException {
        LeaseLostException(String job) {
            super("job " + job + " was taken over by another process (this process's lease on it had expired): this run stops; the other one continues");
        }
    }
}
