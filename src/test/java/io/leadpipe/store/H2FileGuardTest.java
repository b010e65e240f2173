package io.leadpipe.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * H2FileGuard: once the file is known closed, no caller waits for the pool — not even one already waiting — until a
 * new pull finds that H2 opens the file again.
 */
class H2FileGuardTest {

    @Test
    void aCallerWaitingInThePoolIsReleasedAtOnceWithoutAStrayInterrupt() throws Exception {
        Path dir = Files.createTempDirectory("leadpipe-guard");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:h2:file:" + dir.resolve("db"));
        hc.setUsername("sa");
        hc.setMaximumPoolSize(1);
        hc.setConnectionTimeout(30_000); // what a waiter would sit out without the guard
        try (HikariDataSource pool = new HikariDataSource(hc)) {
            // whether H2 would open the file again: not yet (the disk still full), then yes
            java.util.concurrent.atomic.AtomicBoolean spaceFreed = new java.util.concurrent.atomic.AtomicBoolean();
            H2FileGuard guard = new H2FileGuard(pool, () -> {
                if (!spaceFreed.get()) throw new SQLException("IO Exception: No space left on device", "90028", 90028);
                return java.sql.DriverManager.getConnection(hc.getJdbcUrl(), "sa", "");
            });
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

                // a new pull asks again: while H2 cannot open the file it stays refused, once it can the pool serves again
                assertThat(H2FileGuard.askAgain(guard)).isFalse();
                assertThat(catchThrowableOfType(SQLException.class, guard::getConnection).getErrorCode()).isEqualTo(90098);
                spaceFreed.set(true);
                assertThat(H2FileGuard.askAgain(guard)).as("opened again").isTrue();
                assertThat(H2FileGuard.askAgain(guard)).as("open: nothing to ask").isFalse();
            }
            try (Connection again = guard.getConnection()) {
                assertThat(again.isValid(1)).isTrue();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }
}
