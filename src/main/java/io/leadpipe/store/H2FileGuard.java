package io.leadpipe.store;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The H2 pool as every bean sees it. H2 closes its file when a write fails (a full disk); the pool, asked for a
 * connection after that, waits its whole connection wait (leadpipe.db.connection-wait-ms, 30 s) for one it cannot
 * open. Once a pull knows the file closed ({@link #fileClosed}), every request fails at once with H2's own "database
 * is closed" (90098) — those already waiting in the pool too — so the run's last steps (another slice's record of
 * its failure, a sliced job's counts, a timer's round) end instead of waiting. The next pull to open asks the file
 * again ({@link #askAgain}): a long-running `serve` is not cut off from its database for good.
 */
public final class H2FileGuard extends DelegatingDataSource {

    private boolean closed;
    /** Threads inside the pool's wait now; and those of them told to stop waiting, whose interrupt is cleared. */
    private final Set<Thread> waiting = new HashSet<>();
    private final Set<Thread> woken = new HashSet<>();

    H2FileGuard(DataSource pool) {
        super(pool);
    }

    /** The file under {@code dataSource} closed after a failed write: nothing more is asked of it (PostgreSQL: no-op). */
    public static void fileClosed(DataSource dataSource) {
        if (dataSource instanceof H2FileGuard guard) guard.closeFile();
    }

    /** A new pull: the file is asked again (H2 opens it anew if it can; else the pull fails on it as the first did). */
    public static void askAgain(DataSource dataSource) {
        if (dataSource instanceof H2FileGuard guard) {
            synchronized (guard) {
                guard.closed = false;
            }
        }
    }

    private synchronized void closeFile() {
        closed = true;
        for (Thread t : waiting) {
            woken.add(t);
            t.interrupt(); // HikariCP gives up its wait on an interrupt; the flag is cleared again in getConnection
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return guarded(null, null);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return guarded(username, password);
    }

    private Connection guarded(String username, String password) throws SQLException {
        Thread self = Thread.currentThread();
        synchronized (this) {
            if (closed) throw refused();
            waiting.add(self);
        }
        try {
            return username == null ? super.getConnection() : super.getConnection(username, password);
        } catch (SQLException e) {
            synchronized (this) {
                if (woken.contains(self)) throw refused();
            }
            throw e;
        } finally {
            synchronized (this) {
                waiting.remove(self);
                // an interrupt meant for the pool's wait only: not left for the caller's next wait
                if (woken.remove(self)) Thread.interrupted();
            }
        }
    }

    private static SQLException refused() {
        return new SQLException("The database has been closed: its file closed after a failed write, and this pull asks it nothing more", "90098", 90098);
    }
}
