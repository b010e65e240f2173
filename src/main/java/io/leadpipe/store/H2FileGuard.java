package io.leadpipe.store;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The H2 pool as every bean sees it. H2 closes its file when a write fails (a full disk); the pool, asked for a
 * connection after that, waits its whole connection wait (leadpipe.db.connection-wait-ms, 30 s) for one it cannot
 * open. Once the pool has met the closed file ({@link #fileClosed}, from {@link H2BrokenConnections}), every request
 * fails at once with H2's own "database is closed" (90098) for one such wait — those already waiting in the pool too —
 * so the run's last steps (another slice's record of its failure, a sliced job's counts, a timer's round) end instead
 * of waiting. After that, requests go to the pool again, which opens the file anew once
 * H2 can (under `serve`, once disk space is freed): a long-running process is not cut off from its database for good.
 */
public final class H2FileGuard extends DelegatingDataSource {

    private final long refuseMillis;
    private final LongSupplier clock;
    private boolean closed;
    private long refusedUntil;
    /** Threads inside the pool's wait now; and those of them told to stop waiting, whose interrupt is cleared. */
    private final Set<Thread> waiting = new HashSet<>();
    private final Set<Thread> woken = new HashSet<>();

    /**
     * @param refuseMillis how long after the file closed nothing is asked of it: the pool's own connection wait. The
     *                     pool's idle connections are left to it (evicting them made it open the file again and again,
     *                     2 s each on a full disk); one handed out after the window fails with 90098 and is dropped
     */
    H2FileGuard(DataSource pool, long refuseMillis, LongSupplier clock) {
        super(pool);
        this.refuseMillis = refuseMillis;
        this.clock = clock;
    }

    /** The file under {@code dataSource} closed after a failed write: nothing is asked of it for a while (PostgreSQL: no-op). */
    public static void fileClosed(DataSource dataSource) {
        if (dataSource instanceof H2FileGuard guard) guard.closeFile();
    }

    private synchronized void closeFile() {
        long now = clock.getAsLong();
        // refused already: a failure met the refusal itself, or another page of the same run; the window is not pushed on
        if (closed && now < refusedUntil) return;
        closed = true;
        refusedUntil = now + refuseMillis;
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
        Thread self = Thread.currentThread();
        // a thread interrupted already (a shutdown) is not registered: its interrupt is its own, never cleared here
        boolean register = !self.isInterrupted();
        synchronized (this) {
            if (closed && clock.getAsLong() < refusedUntil) throw refused(null);
            closed = false; // the window is over: the pool is asked again, and opens the file anew if H2 can
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

    private SQLException refused(SQLException poolSaid) {
        return new SQLException("The database has been closed: its file closed under this process (a failed write or read);"
                + " it is asked again " + refuseMillis / 1000 + " s after that", "90098", 90098, poolSaid);
    }
}
