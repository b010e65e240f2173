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
 * its failure, a sliced job's counts, a timer's round) end instead of waiting. At most once a second a request asks
 * whether H2 can open the file again, and if it can, the pool serves again: a long-running `serve` is not cut off from
 * its database for good once disk space is freed.
 */
public final class H2FileGuard extends DelegatingDataSource {

    /** A connection of its own to the file, outside the pool: whether H2 can open it again. */
    interface Probe {
        Connection open() throws SQLException;
    }

    private final Probe probe;
    private final long reprobeMillis;
    private boolean closed;
    private long probedAtMillis;
    /** Threads inside the pool's wait now; and those of them told to stop waiting, whose interrupt is cleared. */
    private final Set<Thread> waiting = new HashSet<>();
    private final Set<Thread> woken = new HashSet<>();

    H2FileGuard(DataSource pool, Probe probe, long reprobeMillis) {
        super(pool);
        this.probe = probe;
        this.reprobeMillis = reprobeMillis;
    }

    /** The file under {@code dataSource} closed after a failed write: nothing more is asked of it (PostgreSQL: no-op). */
    public static void fileClosed(DataSource dataSource) {
        if (dataSource instanceof H2FileGuard guard) guard.closeFile();
    }

    private synchronized void closeFile() {
        closed = true;
        probedAtMillis = System.currentTimeMillis(); // the pulls failing beside this one are refused, not probed
        for (Thread t : waiting) {
            woken.add(t);
            t.interrupt(); // HikariCP gives up its wait on an interrupt; the flag is cleared again in guarded()
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
        if (!openOrReopened()) throw refused(null);
        Thread self = Thread.currentThread();
        // a thread interrupted already (a shutdown) is not registered: its interrupt is its own, never cleared here
        boolean register = !self.isInterrupted();
        synchronized (this) {
            if (register) waiting.add(self);
        }
        try {
            return username == null ? super.getConnection() : super.getConnection(username, password);
        } catch (SQLException e) {
            synchronized (this) {
                if (woken.contains(self)) throw refused(e);
            }
            throw e;
        } finally {
            if (register) {
                synchronized (this) {
                    waiting.remove(self);
                    // the interrupt this guard sent, meant for the pool's wait only: not left for the caller's next wait
                    if (woken.remove(self)) Thread.interrupted();
                }
            }
        }
    }

    /** Open; or closed, and this caller — the first in a second — found that H2 opens the file again. */
    private boolean openOrReopened() {
        synchronized (this) {
            if (!closed) return true;
            long now = System.currentTimeMillis();
            if (now - probedAtMillis < reprobeMillis) return false;
            probedAtMillis = now;
        }
        try (Connection c = probe.open()) {
            if (c == null || !c.isValid(5)) return false;
        } catch (SQLException e) {
            return false; // still closed (the disk still full): refused, as before
        }
        synchronized (this) {
            closed = false;
        }
        return true;
    }

    private static SQLException refused(SQLException poolSaid) {
        return new SQLException("The database has been closed: its file closed under this process (a failed write or read);"
                + " it is asked again at most once a second", "90098", 90098, poolSaid);
    }
}
