package io.leadpipe.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Gives back the space a database no longer uses: `leadpipe compact` on demand, and on H2 at the end of a run.
 *
 * <p>H2 (REUSE_SPACE=FALSE, see {@link Database#withAppendOnlyChunks}) appends every commit and never reuses the
 * space of the pages a commit replaced, so the file only grows. {@code SHUTDOWN COMPACT} copies the live data into
 * a new file beside it and puts that in place with an atomic rename (H2's MVStore.compact): a kill -9 in the middle
 * leaves the old file whole (and a temporary file H2 deletes at the next open), never a file with a checkpoint
 * older than the last one committed. It closes the database for every session, so it runs only on a connection of
 * its own once this process's pool is closed, and only when that connection is the file's one session: no other
 * leadpipe process (they reach the file through this one's auto-server) and no other pool in this JVM.
 *
 * <p>PostgreSQL reuses the space of dead rows once VACUUM has seen them (autovacuum, or the operator's); `compact`
 * runs a plain VACUUM of leadpipe's tables, which takes no lock that stops a run. VACUUM FULL, which gives the
 * space back to the operating system, locks the tables and is left to the operator.
 */
public final class StoreCompaction {

    private static final Logger LOG = LoggerFactory.getLogger(StoreCompaction.class);

    /** What a compaction did: the size before and after, in bytes; how long it took. */
    public record Result(long before, long after, double seconds, String how) {
        public String describe() {
            return String.format(Locale.ROOT, "%s → %s (%s given back, %.1f s, %s)", StoreSize.mib(before), StoreSize.mib(after),
                    StoreSize.mib(Math.max(0, before - after)), seconds, how);
        }
    }

    private StoreCompaction() {
    }

    /**
     * `leadpipe compact`: refused, like `reset`, while a live run holds a job (JobBusyException), and on H2 while
     * another process or pool has the file open. Closes {@code db}.
     */
    public static Result onDemand(Database db) throws SQLException {
        try (db) {
            new CheckpointVerbs(db).refuseWhileAnyJobRuns();
            if (!db.isH2()) return vacuum(db);
        }
        Result r = compactAlone(db, 100, Long.MAX_VALUE);
        if (r == null) {
            throw new CheckpointVerbs.JobBusyException("the database " + db.url().split(";")[0] + " is open in another leadpipe process (or another pool of this one)");
        }
        return r;
    }

    /**
     * At the end of a run, after {@code db}'s pool is closed: H2 only; when the live data is under
     * {@code belowLivePercent} of the file and at most {@code maxLiveBytes} (the copy's time grows with it), and
     * this process is the file's only user. Null when skipped. Never throws: the run's outcome is already decided.
     */
    public static Result atExit(Database db, int belowLivePercent, long maxLiveBytes) {
        if (!db.isH2() || belowLivePercent <= 0) return null;
        try {
            Result r = compactAlone(db, belowLivePercent, maxLiveBytes);
            if (r != null) LOG.info("database compacted at the end of the run: {}", r.describe());
            return r;
        } catch (SQLException | RuntimeException e) {
            LOG.warn("the database was not compacted at the end of the run ({}); `leadpipe compact` does it on demand", e.getMessage());
            return null;
        }
    }

    /**
     * Opens the H2 file on a connection of its own; when that is the file's only session and the live share is
     * under the threshold, SHUTDOWN COMPACT. Null when not alone, or not worth it (or too big, at exit).
     */
    private static Result compactAlone(Database db, int belowLivePercent, long maxLiveBytes) throws SQLException {
        java.nio.file.Path file = StoreSize.h2DataFile(db.url());
        long t0 = System.nanoTime();
        StoreSize before;
        try (Connection c = db.connectAlone()) {
            if (c == null || H2Housekeeping.embeddedStore(c) == null) return null; // another process serves the file
            try (Statement st = c.createStatement()) {
                // from here on H2 refuses new connections (a leadpipe starting now retries its open), so none can
                // come between the check and the compaction; closing this connection ends the exclusive mode
                st.execute("SET EXCLUSIVE 1");
                if (otherSessions(c) > 0) return null;
                before = StoreSize.ofH2(c, file);
                if (before.livePercent() >= belowLivePercent || before.liveBytes() > maxLiveBytes) {
                    LOG.debug("database not compacted: {} ({}% live; compacted below {}%, up to {} bytes live)", before.describe(), before.livePercent(), belowLivePercent, maxLiveBytes);
                    return null;
                }
                st.execute("SHUTDOWN COMPACT");
            }
        }
        // H2 writes the compacted copy with the process's umask (rw-r--r-- here): the file stays the owner's alone
        OwnerOnly.file(file);
        long after;
        try {
            after = java.nio.file.Files.size(file);
        } catch (java.io.IOException e) {
            throw new SQLException("compacted, but the size of " + file + " cannot be read: " + e.getMessage(), e);
        }
        return new Result(before.bytes(), after, (System.nanoTime() - t0) / 1e9, "H2 SHUTDOWN COMPACT: the live data copied into a new file");
    }

    /** Sessions on the database other than this connection's (other leadpipe processes, other pools in this JVM). */
    private static int otherSessions(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID <> SESSION_ID()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** PostgreSQL: a plain VACUUM of leadpipe's tables (dead rows' space reusable; the files keep their size). */
    private static Result vacuum(Database db) throws SQLException {
        long t0 = System.nanoTime();
        StoreSize before = StoreSize.of(db);
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            if (!c.getAutoCommit()) c.setAutoCommit(true); // VACUUM cannot run inside a transaction
            java.util.List<String> tables = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String t : tables) st.execute("VACUUM \"" + t.replace("\"", "\"\"") + "\"");
        }
        StoreSize after = StoreSize.of(db);
        return new Result(before.bytes(), after.bytes(), (System.nanoTime() - t0) / 1e9,
                String.format(Locale.ROOT, "PostgreSQL VACUUM of leadpipe's tables: %,d dead rows made reusable; VACUUM FULL gives the space back to the system, and locks the tables", before.deadRows()));
    }
}
