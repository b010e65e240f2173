package io.leadpipe.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * H2FileGuard: once the file is known closed, no caller waits for the pool — not even one already waiting — and the
 * file is asked again at most once a reprobe interval, the pool serving again once H2 opens it.
 */
class H2FileGuardTest {

    private Path dir;
    private HikariDataSource pool;
    /** Whether H2 would open the file again: not while the disk is full. */
    private final AtomicBoolean spaceFreed = new AtomicBoolean();
    private final AtomicInteger probes = new AtomicInteger();

    @BeforeEach
    void pool() throws Exception {
        dir = Files.createTempDirectory("leadpipe-guard");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db"));
        hc.setUsername("sa");
        hc.setMaximumPoolSize(1);
        hc.setConnectionTimeout(30_000); // what a waiter would sit out without the guard
        pool = new HikariDataSource(hc);
    }

    @AfterEach
    void close() throws Exception {
        pool.close();
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private H2FileGuard guard(long reprobeMillis) {
        return new H2FileGuard(pool, () -> {
            probes.incrementAndGet();
            if (!spaceFreed.get()) throw new SQLException("IO Exception: No space left on device", "90028", 90028);
            return DriverManager.getConnection(pool.getJdbcUrl(), "sa", "");
        }, reprobeMillis);
    }

    @Test
    void aCallerWaitingInThePoolIsReleasedAtOnceWithoutAStrayInterrupt() throws Exception {
        H2FileGuard guard = guard(60_000);
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
            assertThat(probes.get()).as("within the reprobe interval the file is not asked again").isZero();
        }
    }

    @Test
    void theFileIsAskedAgainAndThePoolServesOnceH2OpensIt() throws Exception {
        H2FileGuard guard = guard(0);
        H2FileGuard.fileClosed(guard);
        assertThat(catchThrowableOfType(SQLException.class, guard::getConnection).getErrorCode()).as("the disk still full").isEqualTo(90098);
        assertThat(probes.get()).isEqualTo(1);
        spaceFreed.set(true);
        try (Connection again = guard.getConnection()) {
            assertThat(again.isValid(1)).isTrue();
        }
        assertThat(probes.get()).isEqualTo(2);
        try (Connection open = guard.getConnection()) {
            assertThat(probes.get()).as("open again: not asked any more").isEqualTo(2);
        }
    }
}
