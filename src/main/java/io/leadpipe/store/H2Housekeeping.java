package io.leadpipe.store;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chunk housekeeping H2 does not do for leadpipe's store. H2 rewrites sparse chunks in its background
 * writer thread, which WRITE_DELAY=0 (one durable commit per page) switches off, and it never picks a chunk
 * to rewrite while REUSE_SPACE=FALSE (appended chunks, see {@link Database#withAppendOnlyChunks}). A chunk
 * is only dropped once none of its pages is live, and a pull's leads are appended, so every page commit's
 * chunk keeps its leads live for good: without this, one chunk (and its metadata in the heap) per commit.
 * Run on a timer (routes/checkpoint.yaml), this rewrites the live pages of sparse chunks and commits them —
 * appended, like every commit — so the emptied chunks are dropped. H2 rewrites and drops only chunks older
 * than its retention time (45 s, kept: FileStore.isSeasonedChunk), so the count is bounded by time, not by
 * the pull's length: about the commits of the last 1–2 minutes (80–130 s in `bench/run memory`).
 */
public final class H2Housekeeping {

    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);

    /** Chunks are rewritten while their average fill rate is below this (H2's own default target). */
    static final int TARGET_FILL_RATE = 90;

    /** Rounds per run at most; each holds H2's store lock only for its own small rewrite and commit. */
    static final int MAX_ROUNDS = 50;

    /** How often H2 stored in the middle of a rewrite, while space reuse was on: 0 is the point (tests read it). */
    static final AtomicLong STORES_WHILE_REUSING = new AtomicLong();

    private final DataSource dataSource;
    private volatile boolean remoteOrNotH2;

    public H2Housekeeping(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One round; a no-op on PostgreSQL and in a process that reaches the H2 file through another one's auto-server. */
    public void run() {
        if (dataSource == null || remoteOrNotH2) return; // switched off (leadpipe.db.housekeeping-ms = 0)
        try (Connection c = dataSource.getConnection()) {
            MVStore store = embeddedStore(c);
            if (store == null) {
                remoteOrNotH2 = true;
                return;
            }
            for (int round = 0; round < MAX_ROUNDS && compact(store); round++) {
                // the lock is released between rounds, so the jobs' page commits go on
            }
        } catch (SQLException | RuntimeException e) {
            // housekeeping is an optimisation: a failed round (the database closing at exit) changes no data
            LOG.debug("H2 housekeeping skipped: {}", e.toString());
        }
    }

    /** The MVStore of an H2 database opened in this process, or null. */
    static MVStore embeddedStore(Connection c) throws SQLException {
        if (!c.isWrapperFor(JdbcConnection.class)) return null;
        if (!(c.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)) return null;
        var store = session.getDatabase().getStore();
        return store == null ? null : store.getMvStore();
    }

    /**
     * Picks sparse chunks and rewrites their live pages, then commits: all while holding H2's store lock,
     * so no page commit of a job runs in between. H2 offers rewrite candidates only while space reuse is on;
     * it is switched on for the choice and off again before the commit, so the rewritten pages are appended
     * like every other commit — provided H2 does not store by itself in the middle of the rewrite, which it
     * does once the unsaved pages pass its auto-commit memory: that chunk would land in reused space. So a
     * round is skipped while the jobs' unsaved pages are already large, and rewrites at most
     * {@link #rewriteLimit} stored bytes.
     */
    static boolean compact(MVStore store) {
        FileStore<?> file = store.getFileStore();
        if (file == null || file.isReadOnly() || store.isClosed()) return false;
        boolean appendOnly = !file.isSpaceReused();
        if (store.getUnsavedMemory() > store.getAutoCommitMemory() / 4) return false; // a page commit is due: let it store first
        int writeLimit = rewriteLimit(store);
        boolean[] rewritten = new boolean[1];
        store.executeFilestoreOperation(() -> {
            long version = store.getCurrentVersion();
            try {
                if (appendOnly) file.setReuseSpace(true);
                try {
                    rewritten[0] = store.compact(TARGET_FILL_RATE, writeLimit);
                } finally {
                    if (appendOnly) file.setReuseSpace(false);
                }
                if (store.getCurrentVersion() != version) {
                    // H2 stored mid-rewrite: that chunk may sit in reused space (see Database#withAppendOnlyChunks)
                    STORES_WHILE_REUSING.incrementAndGet();
                    LOG.warn("H2 stored a chunk in the middle of a housekeeping rewrite (version {} -> {})", version, store.getCurrentVersion());
                }
                if (rewritten[0]) store.commit();
            } catch (RuntimeException e) {
                // never let it reach H2's operation wrapper, which would close the store
                LOG.debug("H2 housekeeping round failed: {}", e.toString());
                rewritten[0] = false;
            }
        });
        return rewritten[0];
    }

    /**
     * Stored bytes rewritten per round. H2 counts a page's unsaved memory at many times its stored length
     * ("19 KB memory is about 1 KB storage", MVStore) and stores by itself past its auto-commit memory, so the
     * earlier limit of a quarter of that memory in stored bytes made it store mid-rewrite (31 times in 100 s of
     * 140 commits/s). A 30th left at most 28% of the auto-commit memory unsaved after a round over 210 s.
     */
    static int rewriteLimit(MVStore store) {
        return Math.max(16 * 1024, store.getAutoCommitMemory() / 30);
    }
}
