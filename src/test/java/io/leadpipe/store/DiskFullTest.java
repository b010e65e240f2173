package io.leadpipe.store;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.job.FailureExplainer;
import io.leadpipe.job.FailureKinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A database that cannot be written (a full disk) stops the job at once with "the database cannot be
 * written": fetching the page again cannot help, and every retry would spend a request.
 */
class DiskFullTest {

    /**
     * A real full disk: the H2 file on a 4 MB tmpfs (needs root; skipped elsewhere), pages of ~200 KB. The run ends with
     * one line for the job and one saying its failure could not be recorded either (not a second failure's stack trace,
     * which used to skip the rest of the failure's steps), and without waiting for the broken pool (30 s at its end, before).
     * A sliced job too: its slices fail together, and the one that asks the pool after the other closed the file is
     * refused at once (H2FileGuard; it waited 30 s in about one run of eight before).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "sliced: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    @Timeout(120)
    void aFullDiskStopsTheJobWithoutFetchingThePageAgain(boolean sliced) throws Exception {
        assumeFalse(TestWorkspace.postgres(), "an H2 file on a small filesystem");
        Path mount = Files.createTempDirectory("leadpipe-tmpfs");
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString());
        try {
            assumeTrue(mounted, "mounting a small tmpfs needs root");
            String padding = "x".repeat(2000);
            try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
                StringBuilder b = new StringBuilder("{\"data\":[");
                for (int i = 0; i < 100; i++) {
                    b.append(i == 0 ? "" : ",").append("{\"id\":\"D").append(n).append('-').append(i).append("\",\"note\":\"").append(padding).append("\"}");
                }
                FakeApi.send(ex, 200, "application/json", b.append("],\"meta\":{\"next_cursor\":\"p").append(n + 1).append("\"}}").toString());
            }).serve(ws)) {
                ws.settings.put("leadpipe.db.url", "jdbc:h2:file:" + mount.resolve("leadpipe") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
                ws.settings.put("leadpipe.retry.max-retries", "3");
                ws.settings.put("leadpipe.retry.base-delay-ms", "20");
                // a CRM that must not be called: the staged leads are in the closed file
                ws.settings.put("leadpipe.sink.enabled", "true");
                ws.settings.put("leadpipe.sink.crm.url", api.url().replace("/v1/leads", "/crm/v3/objects/contacts"));
                ws.settings.put("leadpipe.sink.enrichment.url", api.url().replace("/v1/leads", "/v1/enrich"));
                // a sliced job: its report sums its slices' and counts the leads they stored together, after they ended
                if (sliced) ws.jobs(TestWorkspace.job("all-leads", "", "slices", "region=a|region=b"));
                TestWorkspace.LoggedRun run = ws.cliLogged(TestWorkspace.envWithKey(), "run");
                TestWorkspace.CliResult result = run.cli();
                String said = result.out() + result.err();
                assertThat(run.log()).as("recording the failure failed too: one line, no second failure")
                        .contains(": how the run ended is not recorded in the database (not asked: the database file closed after the failure)")
                        .doesNotContain("FatalFallbackErrorHandler");
                assertThat(result.exitCode()).as(said).isEqualTo(1);
                assertThat(said).contains("the database cannot be written");
                // a page whose rollback met the connection the pool closed as broken says what failed, not the rollback
                assertThat(said).doesNotContain("Connection is closed");
                assertThat(result.out()).contains("delivery: not started — the database closed during the run");
                int requests = api.requests.get();
                assertThat(requests).as("pages fetched before the disk filled").isGreaterThan(1);
                assertThat(said).as("no retry of the page").doesNotContain("retry 1 of");
                assertThat(run.millis()).as("no wait for the broken pool's connection (leadpipe.db.connection-wait-ms, 30 s)").isLessThan(25_000);
                System.out.println("disk full after " + requests + " requests, the run ended in " + run.millis() + " ms: " + said.lines().filter(l -> l.contains("cannot be written")).findFirst().orElse(""));
            }
        } finally {
            if (mounted) run("umount", "-l", mount.toString());
            Files.deleteIfExists(mount);
        }
    }

    /** The classification with the real exception types, where no small filesystem can be mounted. */
    @Test
    void databaseWriteFailuresAreNotTransientAndSaySo() throws Exception {
        Path dir = Files.createTempDirectory("leadpipe-ro");
        String url = "jdbc:h2:file:" + dir.resolve("db");
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INT)");
        }
        SQLException readOnly;
        try (Connection c = DriverManager.getConnection(url + ";ACCESS_MODE_DATA=r", "sa", ""); Statement st = c.createStatement()) {
            readOnly = catchThrowableOfType(SQLException.class, () -> st.execute("INSERT INTO t VALUES (1)"));
        }
        assertThat((Object) readOnly).isNotNull();
        SQLException fullDisk = new SQLException("IO Exception: \"java.io.IOException: No space left on device\"", "90028", 90028,
                new IOException("No space left on device"));
        org.postgresql.util.PSQLException pgFull = new org.postgresql.util.PSQLException("could not extend file: No space left on device",
                org.postgresql.util.PSQLState.UNKNOWN_STATE) {
            @Override
            public String getSQLState() {
                return "53100"; // disk_full
            }
        };
        for (Throwable t : new Throwable[]{readOnly, fullDisk, pgFull, new RuntimeException("camel-sql", fullDisk)}) {
            assertThat(FailureKinds.cannotWrite(t)).as(t.toString()).isTrue();
            assertThat(FailureExplainer.describe(t)).startsWith("the database cannot be written");
        }
        assertThat(FailureKinds.cannotWrite(new SQLException("Syntax error", "42000", 42000))).isFalse();
        // a step that meets the file another step's failed write closed: its failure is that consequence, said so
        assertThat(FailureExplainer.describe(new RuntimeException(new SQLException("The database has been closed [90098-252]", "90098", 90098))))
                .startsWith("the database is closed (").contains("free disk space or check the database");
        assertThat(FailureKinds.cannotWrite(new IOException("Connection reset"))).as("a network IOException").isFalse();
        // the page's statement met the closed file, then its rollback met the connection the pool had closed as broken:
        // Spring throws the rollback's failure and keeps the statement's as the application exception — which is the failure
        org.springframework.transaction.TransactionSystemException rollbackFailed = new org.springframework.transaction.TransactionSystemException(
                "Could not roll back JDBC transaction", new SQLException("Connection is closed", "08003"));
        rollbackFailed.initApplicationException(new org.springframework.jdbc.UncategorizedSQLException("save", "UPDATE extraction_checkpoint …",
                new SQLException("The database has been closed [90098-252]", "90098", 90098)));
        Throwable onThePage = new RuntimeException("page 3", rollbackFailed);
        assertThat(FailureKinds.databaseClosed(onThePage)).isTrue();
        assertThat(FailureExplainer.describe(onThePage)).startsWith("the database is closed (SQLException: The database has been closed");
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Only a store that cannot go on is a closed file: H2's lock timeout carries an MVStoreException too (code 101), and
     * taking it for a closed file would leave the failure unrecorded and refuse the database to every other pull.
     */
    @Test
    void aLockTimeoutIsNotAClosedFileAFailedWriteIs() throws Exception {
        String url = "jdbc:h2:mem:locks-" + System.nanoTime() + ";LOCK_TIMEOUT=100;DB_CLOSE_DELAY=-1";
        SQLException lockTimeout;
        try (Connection a = DriverManager.getConnection(url, "sa", ""); Connection b = DriverManager.getConnection(url, "sa", "")) {
            try (Statement st = a.createStatement()) {
                st.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
                st.execute("INSERT INTO t VALUES (1, 0)");
            }
            a.setAutoCommit(false);
            try (Statement st = a.createStatement()) {
                st.executeUpdate("UPDATE t SET v = 1 WHERE id = 1"); // holds the row
            }
            try (Statement st = b.createStatement()) {
                lockTimeout = catchThrowableOfType(SQLException.class, () -> st.executeUpdate("UPDATE t SET v = 2 WHERE id = 1"));
            }
            a.rollback();
        }
        assertThat((Object) lockTimeout).as("H2's lock timeout").isNotNull();
        boolean carriesStoreException = false;
        for (Throwable c = lockTimeout; c != null; c = c.getCause()) carriesStoreException |= c instanceof org.h2.mvstore.MVStoreException;
        assertThat(carriesStoreException).as("the case this guards against: " + lockTimeout).isTrue();
        assertThat(FailureKinds.databaseClosed(lockTimeout)).as(lockTimeout.toString()).isFalse();
        assertThat(FailureKinds.databaseClosed(new RuntimeException(new org.h2.mvstore.MVStoreException(
                org.h2.mvstore.DataUtils.ERROR_WRITING_FAILED, "Writing to sun.nio.ch.FileChannelImpl failed")))).isTrue();
        // an auto-server client whose serving process closed the file: a new connection takes the file over
        assertThat(FailureKinds.databaseClosed(new SQLException("Database is already closed [90121-252]", "90121", 90121))).isFalse();
    }

    private static boolean run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
