package io.leadpipe.store;

import io.leadpipe.monitor.JobCounters;
import io.leadpipe.job.JobBudget;
import io.leadpipe.job.PullEvents;
import io.leadpipe.job.PullState;
import io.leadpipe.job.SavedCheckpoint;
import io.leadpipe.job.JobSpec;
import io.leadpipe.paging.PageCodecs;
import org.apache.camel.Exchange;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;

import static io.leadpipe.store.NamedSql.values;

/**
 * Owns every transition of a job's checkpoint row — open (new, resume, incremental), verify, save, done,
 * capped, failed, reset — each written once, here, as named SQL. The pull state ({@code variable.pull})
 * is what it reads and writes; routes/checkpoint.yaml shows when each transition happens.
 */
public final class CheckpointStore implements JobBudget.Budgets {

    static final String PAGE_REPOSITORY = "leadpipe-pages";
    private static final String RELEASE = "lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_since = NULL, lease_heartbeat_at = NULL, lease_expires_at = NULL";
    /** SQLState of a unique-key violation (H2 and PostgreSQL): another process created the row first. */
    private static final String UNIQUE_VIOLATION = "23505";

    private static final NamedSql SAVED_COUNTS = NamedSql.of("saved-counts", "SELECT job_id, requests, lead_count FROM extraction_checkpoint");
    private static final NamedSql READ = NamedSql.of("read", "SELECT status, filters, filter_hash, pull_id, mode, next_cursor, page_no, lead_count, "
            + "api_total_first, api_total_last, requests, duplicate_pages, seen_twice, since_watermark, pull_started_at, "
            + "lease_owner, lease_host, lease_pid, lease_since, lease_expires_at FROM extraction_checkpoint WHERE job_id = :job FOR UPDATE");
    private static final NamedSql CREATE = NamedSql.of("create", "INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, next_cursor, page_no, "
            + "lead_count, status, pull_id, mode, started_at, updated_at, pull_started_at) VALUES (:job, :source, :filters, :filterHash, NULL, 0, 0, 'RUNNING', "
            + ":pullId, 'PULL', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
    /** One writer per job: taken at open in the transaction that read the row (FOR UPDATE), so two processes cannot both take it. */
    private static final NamedSql TAKE_LEASE = NamedSql.of("take-lease", "UPDATE extraction_checkpoint SET lease_owner = :owner, lease_host = :host, "
            + "lease_pid = :pid, lease_since = :now, lease_heartbeat_at = :now, lease_expires_at = :expires WHERE job_id = :job");
    private static final NamedSql RENEW_LEASE = NamedSql.of("renew-lease", "UPDATE extraction_checkpoint SET lease_heartbeat_at = :now, "
            + "lease_expires_at = :expires WHERE job_id = :job AND lease_owner = :owner");
    /** A new pull over the same row (incremental, verification): position and counts back to the first page. */
    private static final NamedSql FRESH_PULL = NamedSql.of("fresh-pull", "UPDATE extraction_checkpoint SET status = 'RUNNING', mode = :mode, "
            + "next_cursor = NULL, page_no = 0, lead_count = 0, pull_id = :pullId, since_watermark = :watermark, pull_started_at = CURRENT_TIMESTAMP, "
            + "api_total_first = NULL, api_total_last = NULL, duplicate_pages = 0, seen_twice = 0, drift = NULL, error = NULL, finished_at = NULL, "
            + "updated_at = CURRENT_TIMESTAMP WHERE job_id = :job");
    private static final NamedSql RESUME = NamedSql.of("resume", "UPDATE extraction_checkpoint SET status = 'RUNNING', error = NULL, pull_id = :pullId, "
            + "updated_at = CURRENT_TIMESTAMP WHERE job_id = :job");
    private static final NamedSql SAVE = NamedSql.of("save", "UPDATE extraction_checkpoint SET next_cursor = :position, page_no = :page, lead_count = :leads, "
            + "api_total_first = :apiTotalFirst, api_total_last = :apiTotal, requests = :requests, duplicate_pages = :duplicatePages, "
            + "seen_twice = :seenTwice, lease_heartbeat_at = :now, lease_expires_at = :expires, updated_at = CURRENT_TIMESTAMP "
            + "WHERE job_id = :job AND lease_owner = :owner");
    private static final NamedSql DONE = NamedSql.of("done", "UPDATE extraction_checkpoint SET status = 'DONE', error = NULL, drift = :drift, "
            + "requests = :requests, finished_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP, " + RELEASE + " WHERE job_id = :job AND lease_owner = :owner");
    private static final NamedSql CAPPED = NamedSql.of("capped", "UPDATE extraction_checkpoint SET status = 'CAPPED', error = :reason, requests = :requests, "
            + "updated_at = CURRENT_TIMESTAMP, " + RELEASE + " WHERE job_id = :job AND lease_owner = :owner");
    private static final NamedSql INTERRUPTED = NamedSql.of("interrupted", "UPDATE extraction_checkpoint SET status = 'INTERRUPTED', error = :reason, "
            + "requests = :requests, updated_at = CURRENT_TIMESTAMP, " + RELEASE + " WHERE job_id = :job AND lease_owner = :owner");
    private static final NamedSql PAUSED = NamedSql.of("paused", "UPDATE extraction_checkpoint SET status = 'PAUSED', error = :reason, "
            + "requests = :requests, updated_at = CURRENT_TIMESTAMP, " + RELEASE + " WHERE job_id = :job AND lease_owner = :owner");
    /** Only by the run holding the lease: a run whose lease was taken over leaves the row to the new holder (or its DONE). */
    private static final NamedSql FAILED = NamedSql.of("failed", "UPDATE extraction_checkpoint SET status = 'FAILED', error = :error, requests = :requests, "
            + "updated_at = CURRENT_TIMESTAMP, " + RELEASE + " WHERE job_id = :job AND lease_owner = :owner");
    /** When the lease was never taken (open failed): a row another process holds is not touched. */
    private static final NamedSql FAILED_UNLEASED = NamedSql.of("failed-unleased", "UPDATE extraction_checkpoint SET status = 'FAILED', error = :error, "
            + "requests = :requests, updated_at = CURRENT_TIMESTAMP WHERE job_id = :job AND lease_owner IS NULL");
    private static final NamedSql FORGET_PAGE_KEYS = NamedSql.of("forget-page-keys", "DELETE FROM CAMEL_MESSAGEPROCESSED WHERE processorName = '"
            + PAGE_REPOSITORY + "' AND messageId LIKE (SELECT pull_id FROM extraction_checkpoint WHERE job_id = :job) || ':%'");
    /** Parallel pages: a page stored past the checkpoint, and the rows the checkpoint has passed (V11). */
    private static final NamedSql STORE_AHEAD = NamedSql.of("store-ahead", "INSERT INTO pages_stored_ahead (job_id, pull_id, page_no, next_position, api_total) "
            + "VALUES (:job, :pullId, :page, :next, :apiTotal)");
    private static final NamedSql PASSED_AHEAD = NamedSql.of("passed-ahead", "DELETE FROM pages_stored_ahead WHERE job_id = :job AND page_no <= :page");
    private static final NamedSql READ_AHEAD = NamedSql.of("read-ahead", "SELECT page_no, next_position, api_total FROM pages_stored_ahead "
            + "WHERE job_id = :job AND pull_id = :pullId ORDER BY page_no");
    private static final NamedSql FORGET_AHEAD = NamedSql.of("forget-ahead", "DELETE FROM pages_stored_ahead WHERE job_id = :job");
    private static final NamedSql DELETE = NamedSql.of("delete", "DELETE FROM extraction_checkpoint WHERE job_id = :job");

    /** The statement a page's checkpoint is saved with (the overhead benchmark's raw loop runs this same one). */
    public static NamedSql saveStatement() {
        return SAVE;
    }

    private final DataSource dataSource;
    private final TransactionTemplate transaction;
    private final PageCodecs pagers;
    private final JobCounters counters;
    private final PullEvents events;
    private final long overlapSeconds;
    private final java.time.Duration leaseTtl;
    /** Leases this store's runs hold, by job: renewed by the heartbeat. */
    private final Map<String, PullState> held = new ConcurrentHashMap<>();
    private final Map<String, JobBudget> budgets = new ConcurrentHashMap<>(); // sliced jobs running: their caps over all slices
    private volatile boolean stopping;

    /**
     * @param overlapSeconds how far before the previous pull's start an incremental pull looks (clock skew, in-flight edits)
     */
    public CheckpointStore(DataSource dataSource, DataSourceTransactionManager transactions, PageCodecs pagers, JobCounters counters,
                           PullEvents events, long overlapSeconds, java.time.Duration leaseTtl) {
        this.dataSource = dataSource;
        this.transaction = new TransactionTemplate(transactions);
        this.pagers = pagers;
        this.counters = counters;
        this.events = events;
        this.overlapSeconds = overlapSeconds;
        this.leaseTtl = leaseTtl;
    }

    /** For the CLI verbs (reset, verify), which run without Camel. */
    public static CheckpointStore forVerbs(Database db) {
        return new CheckpointStore(db.dataSource(), new DataSourceTransactionManager(db.dataSource()), null, null, PullEvents.NONE, 0, java.time.Duration.ZERO);
    }

    /**
     * Opens the job's pull from its declaration ({@code variable.job}, a JobSpec) and its checkpoint row, in one
     * transaction: creates the row for a new job, starts a fresh pull for a DONE incremental job, resumes any
     * other; sets {@code variable.pull}.
     */
    public void open(Exchange exchange) {
        JobSpec spec = exchange.getVariable("job", JobSpec.class);
        String job = spec.jobId();
        String source = spec.source();
        PullState pull = new PullState(job, source, spec.filters(), spec.filterHash(), spec.incremental(),
                spec.maxRequests(), spec.maxLeads(),
                pagers.positional(source), pagers.loopGuard(source), () -> counters.of(job).requests.get(), events, () -> stopping);
        pull.pagesInParallel(pagers.concurrency(source), pagers::plan);
        // a slice: the caps are its job's, over all its slices — already for the checks made while opening
        JobBudget budget = spec.sliceOf() == null ? null : budgets.get(spec.sliceOf());
        pull.budget(budget);
        exchange.setVariable("pull", pull);
        try {
            inTransaction(c -> open(c, pull));
        } catch (CheckpointException e) {
            // two processes created a new job's row at once: the second reads the first's row (and lease) again
            if (!UNIQUE_VIOLATION.equals(e.sqlState())) throw e;
            inTransaction(c -> open(c, pull));
        }
        if (budget != null && !pull.isAlreadyDone() && !pull.isBusy()) budget.pulling(pull);
        if (pull.leaseOwner() != null) {
            held.put(job, pull);
            JobLease.held(pull.leaseOwner());
        }
    }

    private PullState open(Connection c, PullState pull) throws SQLException {
        Row row = read(c, pull.jobId());
        Instant now = Instant.now();
        if (row != null && row.lease().keepsOthersOut(now)) {
            pull.heldElsewhere(row.lease().describe(pull.jobId()));
            return pull;
        }
        SavedCheckpoint saved = row == null ? null : row.saved();
        String owner = UUID.randomUUID().toString();
        if (saved == null) {
            pull.startNew(UUID.randomUUID().toString());
            CREATE.update(c, values("job", pull.jobId(), "source", pull.source(), "filters", pull.filters(), "filterHash", pull.filterHash(), "pullId", pull.pullId()));
        } else if (saved.done() && pull.watermarkParam() != null && saved.pullStartedAt() != null) {
            // an incremental job: a new pull of what changed since the previous one began (less an overlap)
            pull.startIncremental(UUID.randomUUID().toString(), saved.pullStartedAt().minusSeconds(overlapSeconds).toString());
            freshPull(c, pull.jobId(), "INCREMENTAL", pull.pullId(), pull.watermark());
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
            RESUME.update(c, values("job", pull.jobId(), "pullId", pull.pullId()));
            readAhead(c, pull);
        }
        TAKE_LEASE.update(c, values("job", pull.jobId(), "owner", owner, "host", JobLease.HOST, "pid", JobLease.PID,
                "now", at(now), "expires", at(now.plus(leaseTtl))));
        pull.leasedBy(owner, row == null || row.lease().owner() == null ? null : row.lease().describe(pull.jobId()));
        return pull;
    }

    /** The heartbeat: every lease this store's runs hold is extended by the lease time. */
    public void renewLeases() throws SQLException {
        Instant now = Instant.now();
        for (PullState pull : held.values()) {
            withConnection(c -> RENEW_LEASE.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "now", at(now), "expires", at(now.plus(leaseTtl)))));
        }
    }

    /** A graceful stop was asked for: every running pull ends at its next page boundary (PullState.hasNext). */
    public void stopRequested() {
        stopping = true;
    }

    /** Whether a graceful stop was asked for (child lists end at their next page boundary too). */
    public boolean stopping() {
        return stopping;
    }

    /** Jobs this store's runs still hold. */
    public int running() {
        return held.size();
    }

    /** The pull stopped between pages on a shutdown signal: checkpointed, resumable, lease released. */
    public void interrupted(PullState pull) throws SQLException {
        pull.markInterrupted(null);
        release(pull);
        withConnection(c -> INTERRUPTED.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "reason", pull.stopReason(), "requests", pull.requestsTotal())));
    }

    /**
     * The grace time of a stop ran out with jobs still inside a page (a long rate-limit wait, a slow answer):
     * they are marked INTERRUPTED at their last saved page and their leases released, so the process can exit
     * now. A page still in flight then finds its lease gone and rolls back.
     */
    public void interruptAll() {
        for (PullState pull : held.values()) {
            try {
                pull.markInterrupted("stopped by a shutdown signal inside page " + (pull.pageNo() + 1) + "; the checkpoint of page " + pull.pageNo() + " stands");
                release(pull);
                withConnection(c -> INTERRUPTED.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "reason", pull.stopReason(), "requests", pull.requestsTotal())));
            } catch (SQLException | RuntimeException e) {
                // exiting: the lease of a process that is gone is taken over by the next run on this host
            }
        }
    }

    private void release(PullState pull) {
        if (pull.leaseOwner() == null) return;
        held.remove(pull.jobId(), pull);
        JobLease.released(pull.leaseOwner());
    }

    private static OffsetDateTime at(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    /** Pages an earlier run stored past the checkpoint (parallel pages): the resumed pull skips them. */
    private static void readAhead(Connection c, PullState pull) throws SQLException {
        try (PreparedStatement ps = READ_AHEAD.prepare(c, values("job", pull.jobId(), "pullId", pull.pullId())); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) pull.storedAheadEarlier(rs.getInt("page_no"), rs.getString("next_position"), nullableLong(rs, "api_total"));
        }
    }

    /**
     * The page's position and counts; runs in the page's transaction, after its leads and fingerprint. With
     * parallel pages: a page stored past the checkpoint gets its row, rows the checkpoint passed go.
     */
    public void save(PullState pull) throws SQLException {
        Instant now = Instant.now();
        PullState.StoredAhead stored = pull.takeStoredAhead();
        if (stored != null) {
            withConnection(c -> STORE_AHEAD.update(c, values("job", pull.jobId(), "pullId", pull.pullId(), "page", stored.pageNo(),
                    "next", stored.next(), "apiTotal", stored.apiTotal())));
        }
        if (pull.takePassedAhead()) withConnection(c -> PASSED_AHEAD.update(c, values("job", pull.jobId(), "page", pull.pageNo())));
        int rows = withConnection(c -> SAVE.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "position", pull.position(),
                "page", pull.pageNo(), "leads", pull.leads(), "apiTotalFirst", pull.apiTotalFirst(), "apiTotal", pull.apiTotal(),
                "requests", pull.requestsTotal(), "duplicatePages", pull.duplicatePages(), "seenTwice", pull.seenTwice(),
                "now", at(now), "expires", at(now.plus(leaseTtl)))));
        if (rows == 0) throw new LeaseLostException(pull.jobId());
    }

    public void done(PullState pull) throws SQLException {
        pull.markDone();
        release(pull);
        withConnection(c -> DONE.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "drift", pull.drift(), "requests", pull.requestsTotal())));
    }

    public void capped(PullState pull) throws SQLException {
        pull.markCapped();
        release(pull);
        withConnection(c -> CAPPED.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "reason", pull.capReason(), "requests", pull.requestsTotal())));
    }

    /**
     * The API asked us to come back later than leadpipe.ratelimit.max-wait: a clean stop, not a failure —
     * position and counts as saved, lease released, the reason (with the date to come back) recorded.
     */
    public void paused(PullState pull, String reason, Exchange exchange) throws SQLException {
        io.leadpipe.ratelimit.WaitTooLongException tooLong = null;
        for (Throwable c = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class); c != null && tooLong == null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof io.leadpipe.ratelimit.WaitTooLongException w) tooLong = w;
        }
        pull.markPaused(reason, tooLong == null ? null : tooLong.comeBackAt());
        release(pull);
        withConnection(c -> PAUSED.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "reason", reason, "requests", pull.requestsTotal())));
    }

    /** The job stopped on an error: the reason is recorded, the position and counts stay exactly as saved. */
    public void failed(PullState pull, String error) throws SQLException {
        if (pull == null) return; // failed before the pull was declared: there is no row to mark
        if (stopping && pull.leaseOwner() != null) {
            // a wait or a call cut short by the stop is not the job's failure
            pull.markInterrupted("stopped by a shutdown signal after page " + pull.pageNo() + " (" + error + "); run again to continue");
            release(pull);
            withConnection(c -> INTERRUPTED.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "reason", pull.stopReason(), "requests", pull.requestsTotal())));
            return;
        }
        pull.markFailed(error);
        release(pull);
        if (pull.leaseOwner() != null) {
            withConnection(c -> FAILED.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(), "error", error, "requests", pull.requestsTotal())));
        } else {
            withConnection(c -> FAILED_UNLEASED.update(c, values("job", pull.jobId(), "error", error, "requests", pull.requestsTotal())));
        }
    }

    /**
     * Starts a verification pass: the job re-reads its list from the first page as a new pull, storing what
     * it had missed (upserts make the rest harmless). False when the job has no checkpoint.
     */
    public boolean startVerification(String job) {
        return inTransaction(c -> {
            refuseWhileHeld(c, job);
            return freshPull(c, job, "VERIFY", UUID.randomUUID().toString(), null) > 0;
        });
    }

    /** Forgets a job's checkpoint and its pull's page fingerprints; its stored leads stay. False when there was none. */
    public boolean reset(String job) {
        return inTransaction(c -> {
            refuseWhileHeld(c, job);
            FORGET_PAGE_KEYS.update(c, values("job", job));
            FORGET_AHEAD.update(c, values("job", job));
            return DELETE.update(c, values("job", job)) > 0;
        });
    }

    /**
     * Forgets a sliced job's checkpoints — its slices' and its own — in one transaction: all of them, or, when a
     * live run holds any one, none (JobBusyException naming it). Returns those that had a checkpoint.
     */
    public java.util.Set<String> resetAll(java.util.List<String> jobs) {
        return inTransaction(c -> {
            for (String job : jobs) refuseWhileHeld(c, job);
            java.util.Set<String> forgotten = new java.util.TreeSet<>();
            for (String job : jobs) {
                FORGET_PAGE_KEYS.update(c, values("job", job));
                FORGET_AHEAD.update(c, values("job", job));
                if (DELETE.update(c, values("job", job)) > 0) forgotten.add(job);
            }
            return forgotten;
        });
    }

    /** reset and verify rewrite the row a running pull writes to: not while a live process holds the job (the row stays locked until the caller commits). */
    private static void refuseWhileHeld(Connection c, String job) throws SQLException {
        Row row = read(c, job);
        if (row != null && row.lease().keepsOthersOut(Instant.now())) throw new JobBusyException(row.lease().describe(job));
    }

    /** The one way a row starts over: the old pull's page fingerprints go, position and counts go back to zero. */
    private static int freshPull(Connection c, String job, String mode, String pullId, String watermark) throws SQLException {
        FORGET_PAGE_KEYS.update(c, values("job", job));
        FORGET_AHEAD.update(c, values("job", job));
        return FRESH_PULL.update(c, values("job", job, "mode", mode, "pullId", pullId, "watermark", watermark));
    }

    private record Row(SavedCheckpoint saved, JobLease lease) {}

    private static Row read(Connection c, String job) throws SQLException {
        try (PreparedStatement ps = READ.prepare(c, values("job", job)); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            OffsetDateTime pullStarted = rs.getObject("pull_started_at", OffsetDateTime.class);
            JobLease lease = new JobLease(rs.getString("lease_owner"), rs.getString("lease_host"), nullableLong(rs, "lease_pid"),
                    instant(rs, "lease_since"), instant(rs, "lease_expires_at"));
            return new Row(new SavedCheckpoint(rs.getString("status"), rs.getString("filters"), rs.getString("filter_hash"), rs.getString("pull_id"),
                    rs.getString("mode"), rs.getString("next_cursor"), rs.getInt("page_no"), rs.getLong("lead_count"),
                    nullableLong(rs, "api_total_first"), nullableLong(rs, "api_total_last"), rs.getLong("requests"),
                    rs.getInt("duplicate_pages"), rs.getLong("seen_twice"), rs.getString("since_watermark"),
                    pullStarted == null ? null : pullStarted.toInstant()), lease);
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /**
     * A sliced job's run begins: its maxRequests and maxLeads count over all its slices — each slice's checkpoint
     * as it is now, then the live pulls of the slices that run. Ended by {@link #end}.
     */
    @Override
    public JobBudget start(String job, java.util.Collection<String> sliceJobs) throws SQLException {
        Map<String, JobBudget.Saved> saved = new java.util.HashMap<>();
        withConnection(c -> {
            try (PreparedStatement ps = SAVED_COUNTS.prepare(c, Map.of()); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (sliceJobs.contains(rs.getString(1))) saved.put(rs.getString(1), new JobBudget.Saved(rs.getLong(2), rs.getLong(3)));
                }
            }
            return null;
        });
        JobBudget budget = new JobBudget(job, sliceJobs.size(), saved);
        budgets.put(job, budget);
        return budget;
    }

    @Override
    public void end(String job) {
        budgets.remove(job);
    }

    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** On the current transaction's connection when there is one (the page's), else on its own. */
    private <T> T withConnection(SqlWork<T> work) throws SQLException {
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            return work.run(c);
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    private <T> T inTransaction(SqlWork<T> work) {
        return transaction.execute(tx -> {
            try {
                return withConnection(work);
            } catch (SQLException e) {
                throw new CheckpointException(e);
            }
        });
    }

    /** A database error in a checkpoint transition (unchecked so it can leave a transaction callback). */
    public static final class CheckpointException extends RuntimeException {
        CheckpointException(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        String sqlState() {
            return ((SQLException) getCause()).getSQLState();
        }
    }

    /** A verb that would rewrite a job's checkpoint found it held by a live run: nothing was done. */
    public static final class JobBusyException extends IllegalStateException {
        JobBusyException(String holder) {
            super(holder + "; nothing was done to it — wait for it to finish or stop it first");
        }
    }

    /** Another process took the job over (this one's lease had expired): this run stops without writing. */
    public static final class LeaseLostException extends IllegalStateException {
        LeaseLostException(String job) {
            super("job " + job + " was taken over by another process (this process's lease on it had expired): this run stops; the other one continues");
        }
    }
}
