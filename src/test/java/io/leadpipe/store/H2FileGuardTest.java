package io.leadpipe.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * H2FileGuard: once the file is known closed, no caller waits for the pool for one connection wait — not even one
 * already waiting; after it, the pool is asked again.
 */
class H2FileGuardTest {

    private static final long WAIT = 30_000;

    private Path dir;
    private HikariDataSource pool;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private H2FileGuard guard;

    @BeforeEach
    void pool() throws Exception {
        dir = Files.createTempDirectory("leadpipe-guard");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db"));
        hc.setUsername("sa");
        hc.setMaximumPoolSize(1);
        hc.setConnectionTimeout(WAIT); // what a waiter would sit out without the guard
        pool = new HikariDataSource(hc);
        guard = new H2FileGuard(pool, WAIT, now::get);
    }

    @AfterEach
    void close() throws Exception {
        pool.close();
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aCallerWaitingInThePoolIsReleasedAtOnceWithoutAStrayInterrupt() throws Exception {
        try (Connection held = guard.getConnection()) { // the pool's only connection: the next caller waits
            CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() -> {
                SQLException refused = catchThrowableOfType(SQLException.class, guard::getConnection);
                return refused.getErrorCode() + " interrupted=" + Thread.currentThread().isInterrupted();
            });
            await("the second caller waiting in the pool").atMost(10, TimeUnit.SECONDS)
                    .until(() -> pool.getHikariPoolMXBean().getThreadsAwaitingConnection() == 1);

            H2FileGuard.fileClosed(guard);

            assertThat(waiter.get(5, TimeUnit.SECONDS)).as("released with H2's 'closed', its interrupt cleared").isEqualTo("90098 interrupted=false");
            SQLException later = catchThrowableOfType(SQLException.class, guard::getConnection);
            assertThat(later.getErrorCode()).as("a later caller: refused without asking the pool").isEqualTo(90098);
            assertThat(pool.getHikariPoolMXBean().getThreadsAwaitingConnection()).isZero();
        }
    }

    @Test
    void refusedForOneConnectionWaitNotPushedOnByLaterFailuresThenThePoolIsAskedAgain() throws Exception {
        H2FileGuard.fileClosed(guard);
        now.addAndGet(WAIT - 1_000);
        H2FileGuard.fileClosed(guard); // a failure that met the refusal itself, or another page's: not a new window
        assertThat(catchThrowableOfType(SQLException.class, guard::getConnection).getErrorCode()).isEqualTo(90098);

        now.addAndGet(1_000);
        try (Connection again = guard.getConnection()) {
            assertThat(again.isValid(1)).as("the window is over: the pool serves (under serve, once H2 can open the file)").isTrue();
        }
        H2FileGuard.fileClosed(guard); // the file closes again later: a new window
        assertThat(catchThrowableOfType(SQLException.class, guard::getConnection).getErrorCode()).isEqualTo(90098);
    }

    /**
     * The pool itself trips the guard (H2BrokenConnections sees every SQLException of a pooled connection), whichever
     * caller meets the closed file first; DiskFullTest shows it on a real full disk.
     */
    @Test
    void thePoolThatMeetsTheClosedFileTripsTheGuard() throws Exception {
        H2BrokenConnections override = new H2BrokenConnections(() -> H2FileGuard.fileClosed(guard));
        SQLException alreadyClosed = new SQLException("Database is already closed [90121-252]", "90121", 90121);
        override.adjudicate(alreadyClosed); // an auto-server client's: a new connection takes the file over
        try (Connection open = guard.getConnection()) {
            assertThat(open.isValid(1)).isTrue();
        }
        SQLException writeFailed = new SQLException("General error", "HY000", 50000, new org.h2.mvstore.MVStoreException(
                org.h2.mvstore.DataUtils.ERROR_WRITING_FAILED, "Writing to sun.nio.ch.FileChannelImpl failed"));
        assertThat(override.adjudicate(writeFailed)).isEqualTo(com.zaxxer.hikari.SQLExceptionOverride.Override.MUST_EVICT);
        assertThat(catchThrowableOfType(SQLException.class, guard::getConnection).getErrorCode()).as("refused at once").isEqualTo(90098);
    }
}
