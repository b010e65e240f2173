package io.leadpipe.store;

import io.leadpipe.job.JobSpec;
import io.leadpipe.job.Pull;
import io.leadpipe.job.PullEvents;
import io.leadpipe.job.PullStatus;
import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.PageCodecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.leadpipe.testing.MigratedDatabase;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checkpoint's transitions and the job's lease, against a real H2 file database (no Camel routes). */
class PullRepositoryTest {

    @RegisterExtension
    final MigratedDatabase store = new MigratedDatabase();
    private final List<String> events = new ArrayList<>();


    private PullRepository repository() {
        return repository(store.db().dataSource());
    }

    private PullRepository repository(javax.sql.DataSource dataSource) {
        PullEvents heard = new PullEvents() {
            @Override
            public void started(Pull pull) {
                events.add("started " + pull.jobId());
            }

            @Override
            public void finished(Pull pull) {
                events.add("finished " + pull.jobId() + " " + pull.status());
            }
        };
        return new PullRepository(dataSource, new DataSourceTransactionManager(dataSource), new PageCodecs(), job -> 0L, heard, 300,
                Duration.ofMinutes(1));
    }

    private static JobSpec job(String filters, String incremental) {
        return new JobSpec("job-a", "api", filters, 0, 0, incremental, "", null, null);
    }

    private static Pull open(PullRepository repository, JobSpec spec) {
        Pull pull = repository.newPull(spec);
        repository.open(pull);
        return pull;
    }

    /** job-a opened on {@code repository}, its page 1 (cursor c1: leads a, b) stored and its checkpoint saved. */
    private static Pull onePageSaved(PullRepository repository) throws Exception {
        Pull pull = open(repository, job("", null));
        pull.pageStored(page(1, "c1", "a", "b"));
        repository.save(pull);
        return pull;
    }

    private static FetchedPage page(int no, String next, String... ids) {
        return new FetchedPage(no, List.of(ids), List.of(ids), next, 10L, 2, "p:" + no);
    }

    /** The row as the file holds it: read past the guard, which refuses everything once a run knows the file closed. */
    private Map<String, Object> row(String job) throws Exception {
        try (Connection c = ((H2FileGuard) store.db().dataSource()).getTargetDataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT status, next_cursor, page_no, lead_count, mode, lease_owner, error FROM extraction_checkpoint WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Map<String, Object> r = new java.util.HashMap<>();
                for (String col : List.of("status", "next_cursor", "page_no", "lead_count", "mode", "lease_owner", "error")) r.put(col, rs.getObject(col));
                return r;
            }
        }
    }

    private long pagesAhead(String job) throws Exception {
        try (Connection c = store.db().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM pages_stored_ahead WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aNewJobGetsItsRowAndLeaseEachPageMovesItAndDoneReleasesIt() throws Exception {
        PullRepository repository = repository();
        Pull pull = open(repository, job("country=DE", null));
        assertThat(pull.opening()).isEqualTo(Pull.Opening.NEW);
        assertThat(row("job-a")).containsEntry("status", "RUNNING").containsEntry("page_no", 0).containsEntry("lease_owner", pull.leaseOwner());
        assertThat(repository.running()).isEqualTo(1);

        pull.pageStored(page(1, "c1", "a", "b"));
        repository.save(pull);
        assertThat(row("job-a")).containsEntry("next_cursor", "c1").containsEntry("page_no", 1).containsEntry("lead_count", 2L);

        pull.pageStored(page(2, null, "c"));
        repository.save(pull);
        repository.done(pull);
        assertThat(row("job-a")).containsEntry("status", "DONE").containsEntry("lead_count", 3L).containsEntry("lease_owner", null);
        assertThat(repository.running()).isZero();
        assertThat(events).containsExactly("started job-a", "finished job-a DONE");

        Pull again = open(repository(), job("country=DE", null));
        assertThat(again.isAlreadyDone()).as("a one-off job DONE is not pulled again").isTrue();
        assertThat(again.leads()).isEqualTo(3);
    }

    @Test
    void aFailedJobResumesAtItsLastSavedPageWithItsCounts() throws Exception {
        PullRepository first = repository();
        Pull pull = onePageSaved(first);
        first.failed(pull, "HTTP 401 at page 2");
        assertThat(row("job-a")).containsEntry("status", "FAILED").containsEntry("error", "HTTP 401 at page 2").containsEntry("lease_owner", null);

        Pull resumed = open(repository(), job("", null));
        assertThat(resumed.opening()).isEqualTo(Pull.Opening.RESUME);
        assertThat(resumed.resumedFrom()).isEqualTo("FAILED");
        assertThat(resumed.position()).isEqualTo("c1");
        assertThat(resumed.leads()).isEqualTo(2);
        assertThat(resumed.pullId()).isEqualTo(pull.pullId());
        assertThat(row("job-a")).containsEntry("status", "RUNNING").containsEntry("error", null);
    }

    /** The store's DataSource, until {@code broken} is set: then every connection is refused, as a closed H2 file's. */
    private javax.sql.DataSource breakable(java.util.concurrent.atomic.AtomicBoolean broken) {
        javax.sql.DataSource real = store.db().dataSource();
        return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{javax.sql.DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection") && broken.get()) throw new java.sql.SQLException("The database has been closed [90098-252]", "90098", 90098);
            try {
                return method.invoke(real, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void aFailureTheDatabaseRefusesToRecordEndsTheRunAllTheSameAndTheCheckpointKeepsItsLastPage() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        PullRepository repository = repository(breakable(broken));
        Pull pull = onePageSaved(repository);
        broken.set(true);
        repository.failed(pull, "HTTP 401 at page 2", null); // no second failure: the first is the run's outcome
        assertThat(pull.isFailed()).isTrue();
        assertThat(pull.isEndRecorded()).as("no run report reads the database").isFalse();
        assertThat(repository.databaseRefusedAnEnd()).isTrue();
        assertThat(repository.whyDatabaseRefusedAnEnd()).isEqualTo(PullRepository.DatabaseGone.CLOSED);
        assertThat(events).as("monitoring hears of the end").containsExactly("started job-a", "finished job-a FAILED");
        assertThat(repository.running()).as("the lease is released in this process").isZero();
        broken.set(false);
        assertThat(row("job-a")).containsEntry("status", "RUNNING").containsEntry("next_cursor", "c1").containsEntry("lead_count", 2L);
    }

    @Test
    void aFailureThatClosedTheH2FileIsNotWrittenToItAnyOtherIs() throws Exception {
        PullRepository repository = repository();
        Pull pull = onePageSaved(repository);
        java.sql.SQLException closed = new java.sql.SQLException("The database has been closed [90098-252]", "90098", 90098);
        repository.failed(pull, "the database cannot be written", new RuntimeException("JDBC commit failed", closed));
        assertThat(pull.isFailed()).isTrue();
        assertThat(repository.databaseRefusedAnEnd()).isTrue();
        assertThat(row("job-a")).as("not asked: a closed file would keep the pool waiting").containsEntry("status", "RUNNING").containsEntry("next_cursor", "c1");
    }

    @Test
    void aPoolThatGaveNoConnectionInTimeIsNotTakenForAClosedFile() throws Exception {
        Pull pull = onePageSaved(repository());
        // the failure's record meets the pool busy past its wait, on a healthy file
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        H2FileGuard guard = new H2FileGuard(new org.springframework.jdbc.datasource.DelegatingDataSource(store.db().dataSource()) {
            @Override
            public Connection getConnection() throws java.sql.SQLException {
                if (busy.get()) throw new java.sql.SQLTransientConnectionException("leadpipe - Connection is not available, request timed out after 30000ms.");
                return super.getConnection();
            }
        }, 30_000, System::currentTimeMillis);
        PullRepository repository = repository(guard);
        repository.failed(pull, "HTTP 503 at page 2", null);
        assertThat(pull.isEndRecorded()).isFalse();
        // the run ends without waiting on it again, and says so in words that fit a busy pool, not a closed file
        assertThat(repository.databaseRefusedAnEnd()).isTrue();
        assertThat(repository.whyDatabaseRefusedAnEnd()).isEqualTo(PullRepository.DatabaseGone.NO_CONNECTION);
        busy.set(false);
        try (Connection c = guard.getConnection()) {
            assertThat(c.isValid(1)).as("the process's database is not refused after a pool timeout").isTrue();
        }
    }

    @Test
    void aClosedFileStaysTheReasonWhenAnotherPullThenMeetsThePoolsWait() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
        PullRepository repository = repository(new org.springframework.jdbc.datasource.DelegatingDataSource(store.db().dataSource()) {
            @Override
            public Connection getConnection() throws java.sql.SQLException {
                if (busy.get()) throw new java.sql.SQLTransientConnectionException("leadpipe - Connection is not available, request timed out after 30000ms.");
                return super.getConnection();
            }
        });
        Pull first = onePageSaved(repository);
        Pull second = open(repository, new JobSpec("job-b", "api", "", 0, 0, null, "", null, null));
        repository.failed(first, "the database cannot be written", new java.sql.SQLException("The database has been closed [90098-252]", "90098", 90098));
        busy.set(true); // a slice failing after it: its record waits out the pool
        repository.failed(second, "the database is closed", null);
        assertThat(second.isEndRecorded()).isFalse();
        assertThat(repository.whyDatabaseRefusedAnEnd()).isEqualTo(PullRepository.DatabaseGone.CLOSED);
    }

    @Test
    void aBrokenConnectionIsNotAClosedFileAndTheFailureIsRecorded() throws Exception {
        // a broken connection to another process's auto-server (or PostgreSQL's) is not a closed file: a new connection may work
        PullRepository other = repository();
        Pull second = open(other, new JobSpec("job-b", "api", "", 0, 0, null, "", null, null));
        java.sql.SQLException broken = new java.sql.SQLException("Connection is broken: \"java.net.SocketException: Connection reset\"", "90067", 90067,
                new java.net.SocketException("Connection reset"));
        other.failed(second, "the database connection broke", broken);
        assertThat(row("job-b")).as("any other failure is recorded").containsEntry("status", "FAILED");
        assertThat(other.databaseRefusedAnEnd()).isFalse();
        assertThat(second.isEndRecorded()).isTrue();
    }

    @Test
    void aJobHeldByALiveRunIsLeftAloneAndNotReset() throws Exception {
        PullRepository first = repository();
        Pull holder = open(first, job("", null));
        Pull second = open(repository(), job("", null));
        assertThat(second.isBusy()).isTrue();
        assertThat(second.status()).isEqualTo(PullStatus.BUSY);
        assertThat(second.stopReason()).contains("job job-a is running in process " + JobLease.PID);
        assertThatThrownBy(() -> new CheckpointVerbs(store.db()).reset("job-a")).isInstanceOf(CheckpointVerbs.JobBusyException.class);

        first.capped(holder);
        assertThat(row("job-a")).containsEntry("status", "CAPPED").containsEntry("lease_owner", null);
        assertThat(new CheckpointVerbs(store.db()).reset("job-a")).isTrue();
        assertThat(row("job-a")).isNull();
    }

    @Test
    void aRunWhoseLeaseWasTakenOverWritesNothingMore() throws Exception {
        PullRepository repository = repository();
        Pull pull = open(repository, job("", null));
        try (Connection c = store.db().dataSource().getConnection()) {
            c.createStatement().executeUpdate("UPDATE extraction_checkpoint SET lease_owner = 'another-process' WHERE job_id = 'job-a'");
        }
        pull.pageStored(page(1, "c1", "a"));
        assertThatThrownBy(() -> repository.save(pull)).isInstanceOf(PullRepository.LeaseLostException.class);
        assertThat(row("job-a")).containsEntry("page_no", 0).containsEntry("lease_owner", "another-process");
        assertThatThrownBy(() -> repository.done(pull)).as("nor says DONE").isInstanceOf(PullRepository.LeaseLostException.class);
        assertThat(pull.status()).isNotEqualTo(io.leadpipe.job.PullStatus.DONE);
        assertThat(row("job-a")).containsEntry("status", "RUNNING").containsEntry("lease_owner", "another-process");
    }

    @Test
    void aJobDeclaredAgainWithOtherFiltersIsRefused() throws Exception {
        PullRepository repository = repository();
        Pull pull = open(repository, job("country=DE", null));
        pull.pageStored(page(1, "c1", "a"));
        repository.save(pull);
        repository.interrupted(pull);
        assertThat(row("job-a")).containsEntry("status", "INTERRUPTED");
        assertThatThrownBy(() -> open(repository(), job("country=FR", null)))
                .hasMessageContaining("has a checkpoint for filters 'country=DE' but is now declared with 'country=FR'");
    }

    @Test
    void pagesStoredAheadAreKeptAcrossRunsUntilTheCheckpointPassesThem() throws Exception {
        PullRepository first = repository();
        Pull pull = open(first, job("", null));
        pull.pageStored(page(1, "2", "a", "b"));
        first.save(pull);
        pull.pageStored(page(3, "6", "e", "f"));
        first.save(pull);
        assertThat(row("job-a")).as("the checkpoint waits for page 2").containsEntry("page_no", 1);
        assertThat(pagesAhead("job-a")).isEqualTo(1);
        first.interrupted(pull);

        PullRepository second = repository();
        Pull resumed = open(second, job("", null));
        assertThat(resumed.pagesStoredAhead()).containsExactly(3);
        resumed.pageStored(page(2, "4", "c", "d"));
        second.save(resumed);
        assertThat(row("job-a")).as("page 2 joins up page 3").containsEntry("page_no", 3).containsEntry("next_cursor", "6");
        assertThat(pagesAhead("job-a")).isZero();
    }

    @Test
    void aDoneIncrementalJobStartsAFreshPullFromItsLastStartLessTheOverlap() throws Exception {
        PullRepository repository = repository();
        Pull first = open(repository, job("", "updated_since"));
        first.pageStored(page(1, null, "a"));
        repository.save(first);
        repository.done(first);

        Pull next = open(repository(), job("", "updated_since"));
        assertThat(next.opening()).isEqualTo(Pull.Opening.INCREMENTAL);
        assertThat(next.pullId()).isNotEqualTo(first.pullId());
        assertThat(java.time.Instant.parse(next.watermark())).isBefore(java.time.Instant.now().minusSeconds(299));
        assertThat(row("job-a")).containsEntry("mode", "INCREMENTAL").containsEntry("page_no", 0).containsEntry("status", "RUNNING");
    }

    @Test
    void aVerificationPassStartsTheListOverAsANewPull() throws Exception {
        PullRepository repository = repository();
        Pull first = open(repository, job("", null));
        first.pageStored(page(1, null, "a"));
        repository.save(first);
        repository.done(first);
        assertThat(new CheckpointVerbs(store.db()).startVerification("job-a")).isTrue();
        Pull verify = open(repository(), job("", null));
        assertThat(verify.isVerification()).isTrue();
        assertThat(verify.position()).isNull();
        assertThat(new CheckpointVerbs(store.db()).startVerification("no-such-job")).isFalse();
    }
}
