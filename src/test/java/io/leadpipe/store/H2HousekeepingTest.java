package io.leadpipe.store;

import io.leadpipe.config.Settings;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One durable commit per page leaves one H2 chunk per page; the housekeeping keeps their number bounded by what is live. */
class H2HousekeepingTest {

    @BeforeAll
    static void h2SettingsFirst() throws Exception {
        Class.forName(Database.class.getName());
    }

    private static final int PAGES = 120;
    private static final int ROWS = 40;

    @TempDir
    Path dir;

    // RETENTION_TIME=0 here only so the emptied chunks are dropped within the test: leadpipe keeps H2's default
    // (45 s), after which the same chunks go
    private Database open() throws Exception {
        return open(";RETENTION_TIME=0");
    }

    private Database open(String options) throws Exception {
        return Database.open(Settings.load(Path.of("application.properties"), null,
                Map.of("leadpipe.db.url", "jdbc:h2:file:" + dir.resolve("data/leadpipe") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0" + options), Map.of(), new Properties()));
    }

    @Test
    void chunksLeftByPageCommitsAreRewrittenAndDroppedWithChunksStillAppended() throws Exception {
        try (Database db = open(); Connection c = db.dataSource().getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE pages(k VARCHAR PRIMARY KEY, payload VARCHAR)");
            }
            c.setAutoCommit(false);
            // commits of a page of rows with scattered keys: every commit writes a chunk and leaves older ones sparse
            java.util.Random random = new java.util.Random(7);
            try (PreparedStatement put = c.prepareStatement("MERGE INTO pages KEY(k) VALUES(?, ?)")) {
                for (int page = 0; page < PAGES; page++) {
                    for (int i = 0; i < ROWS; i++) {
                        put.setString(1, Long.toHexString(random.nextLong()));
                        put.setString(2, "x".repeat(200));
                        put.addBatch();
                    }
                    put.executeBatch();
                    c.commit();
                }
            }
            c.setAutoCommit(true);
            long before = setting(c, "info.CHUNK_COUNT");
            assertThat(before).as("one chunk per commit without housekeeping").isGreaterThanOrEqualTo(PAGES);

            new H2Housekeeping(db.dataSource()).run();

            long after = setting(c, "info.CHUNK_COUNT");
            System.out.printf("H2 chunks: %d after %d page commits, %d after one housekeeping run%n", before, PAGES, after);
            assertThat(after).as("chunks after one housekeeping run (were %d)", before).isLessThan(before / 5);
            assertThat(settingText(c, "REUSE_SPACE")).as("chunks are still appended (checkpoint durability)").isEqualToIgnoringCase("false");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM pages")) {
                rs.next();
                assertThat(rs.getLong(1)).as("every row kept").isEqualTo(PAGES * ROWS);
            }
        }
        // and the store opens again with every row (what a restart after the housekeeping sees)
        try (Database db = open(); Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM pages")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(PAGES * ROWS);
        }
    }

    /**
     * Many page commits of appended rows (like a pull's leads) with the housekeeping on its timer: the chunk count
     * stays bounded by the commits of a few retention times, not by all commits, and every chunk is still appended.
     * H2's retention is 1 s here instead of its 45 s only so that the test takes seconds: the same H2 code drops
     * a chunk after the retention time, so the production bound is the same one, in units of 45 s.
     */
    @Test
    void overManyPageCommitsTheChunkCountIsBoundedByTimeAndEveryChunkIsAppended() throws Exception {
        long retentionMs = 1000;
        long storesWhileReusing = H2Housekeeping.STORES_WHILE_REUSING.get();
        List<long[]> samples = new ArrayList<>(); // {millis, commits, chunks}
        long rows = 0;
        try (Database db = open(";RETENTION_TIME=" + retentionMs); Connection c = db.dataSource().getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE pages(k VARCHAR PRIMARY KEY, payload VARCHAR)");
            }
            MVStore store = H2Housekeeping.embeddedStore(c);
            H2Housekeeping housekeeping = new H2Housekeeping(db.dataSource());
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
            timer.scheduleWithFixedDelay(housekeeping::run, retentionMs, retentionMs, TimeUnit.MILLISECONDS); // a second's aged pages per run, as in production
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement put = c.prepareStatement("INSERT INTO pages VALUES(?, ?)")) {
                for (int page = 0; System.nanoTime() - t0 < 5 * retentionMs * 1_000_000; page++) {
                    for (int i = 0; i < ROWS; i++) {
                        put.setString(1, String.format("lead-%09d", rows++)); // appended keys: each commit's rows stay live
                        put.setString(2, "x".repeat(200));
                        put.addBatch();
                    }
                    put.executeBatch();
                    c.commit();
                    if (page % 20 == 0) samples.add(new long[]{(System.nanoTime() - t0) / 1_000_000, page + 1, store.getFileStore().getLayoutMap().keySet().stream().filter(k -> k.startsWith("chunk.")).count()});
                }
            } finally {
                timer.shutdown();
                assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            c.setAutoCommit(true);
            long[] last = samples.get(samples.size() - 1);
            System.out.printf("H2 chunks: %d after %d page commits in %d ms (retention %d ms)%n", last[2], last[1], last[0], retentionMs);
            for (long[] s : samples) {
                if (s[0] < 3 * retentionMs) continue;
                // the commits of the last three retention times, and what is left of the ones before
                long recent = s[1] - commitsAt(samples, s[0] - 3 * retentionMs);
                assertThat(s[2]).as("chunks at %d ms after %d commits, %d of them in the last %d ms", s[0], s[1], recent, 3 * retentionMs)
                        .isLessThanOrEqualTo(recent * 11 / 10 + 50);
            }
            assertThat(last[2]).as("chunks at the end, of %d commits", last[1]).isLessThan(last[1] * 3 / 4);
            assertThat(H2Housekeeping.STORES_WHILE_REUSING.get()).as("H2 stores in the middle of a rewrite (chunks in reused space)").isEqualTo(storesWhileReusing);
            assertThat(chunksBeforeAnOlderOne(store)).as("chunks written before an older chunk's position (reused space)").isZero();
        }
        try (Database db = open(""); Connection c = db.dataSource().getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM pages")) {
            rs.next();
            assertThat(rs.getLong(1)).as("every row there after a restart").isEqualTo(rows);
        }
    }

    /**
     * A run that finds megabytes of pages older than the retention time (a second of a fast pull) rewrites them in
     * rounds small enough that H2 never stores in the middle of one, while space reuse is switched on for the
     * choice: such a chunk would be written into reused space. With a round of a quarter of H2's auto-commit
     * memory in stored bytes (the earlier limit) H2 stored mid-rewrite here.
     */
    @Test
    void aRunOverMuchOldDataNeverStoresInTheMiddleOfARewrite() throws Exception {
        long storesWhileReusing = H2Housekeeping.STORES_WHILE_REUSING.get();
        try (Database db = open(";RETENTION_TIME=500"); Connection c = db.dataSource().getConnection()) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE leads(lead_key VARCHAR(200) PRIMARY KEY, job_id VARCHAR(200) NOT NULL, page_no INT NOT NULL, "
                        + "payload VARCHAR NOT NULL, fetched_at TIMESTAMP WITH TIME ZONE NOT NULL)");
                st.execute("CREATE INDEX leads_job ON leads(job_id)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement put = c.prepareStatement("INSERT INTO leads VALUES(?, 'all-leads', ?, ?, CURRENT_TIMESTAMP)")) {
                for (int page = 0, key = 0; page < 300; page++) {
                    for (int i = 0; i < 100; i++, key++) {
                        put.setString(1, "leads-api:" + key);
                        put.setInt(2, page);
                        put.setString(3, "{\"id\":\"" + key + "\",\"email\":\"lead" + key + "@example.com\",\"company\":\"Company " + key % 997 + "\"}");
                        put.addBatch();
                    }
                    put.executeBatch();
                    c.commit();
                }
            }
            c.setAutoCommit(true);
            MVStore store = H2Housekeeping.embeddedStore(c);
            // every chunk older than the retention time: all of them are candidates at once
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> everyChunkPastRetention(store));
            long before = store.getFileStore().getLayoutMap().keySet().stream().filter(k -> k.startsWith("chunk.")).count();
            new H2Housekeeping(db.dataSource()).run();
            assertThat(H2Housekeeping.STORES_WHILE_REUSING.get()).as("H2 stores in the middle of a rewrite").isEqualTo(storesWhileReusing);
            assertThat(chunksBeforeAnOlderOne(store)).as("chunks written before an older chunk's position (reused space)").isZero();
            assertThat(store.getFileStore().getLayoutMap().keySet().stream().filter(k -> k.startsWith("chunk.")).count())
                    .as("chunks after the run (were %d)", before).isLessThan(before);
        }
    }

    /** Every chunk in H2's layout map is older than the retention time, as H2 itself judges it ("time:" = ms after the file's creation). */
    private static boolean everyChunkPastRetention(MVStore store) {
        long now = store.getTimeAbsolute() - store.getFileStore().getCreationTime();
        return store.getFileStore().getLayoutMap().entrySet().stream().filter(e -> e.getKey().startsWith("chunk.")).allMatch(e -> {
            for (String field : e.getValue().split(",")) {
                if (field.startsWith("time:")) return Long.parseLong(field.substring(5), 16) + store.getRetentionTime() <= now;
            }
            return false;
        });
    }

    /** The commits made by a moment of the run (from the samples taken every 20 commits). */
    private static long commitsAt(List<long[]> samples, long millis) {
        long commits = 0;
        for (long[] s : samples) if (s[0] <= millis) commits = s[1];
        return commits;
    }

    /** Chunks (from H2's layout map, "chunk.ID" = "…,block:B,…") whose position is before that of a chunk with a lower id. */
    private static long chunksBeforeAnOlderOne(MVStore store) {
        TreeMap<Integer, Long> blockById = new TreeMap<>();
        store.getFileStore().getLayoutMap().forEach((k, v) -> {
            if (!k.startsWith("chunk.")) return;
            for (String field : v.split(",")) {
                if (field.startsWith("block:")) blockById.put(Integer.parseInt(k.substring(6), 16), Long.parseLong(field.substring(6), 16));
            }
        });
        long highest = -1, before = 0;
        for (long block : blockById.values()) {
            if (block < highest) before++;
            highest = Math.max(highest, block);
        }
        return before;
    }

    @Test
    void appendOnlyChunksAreAddedAndAUsersReuseSpaceIsKept() {
        assertThat(Database.withAppendOnlyChunks("jdbc:h2:file:./x;WRITE_DELAY=0")).isEqualTo("jdbc:h2:file:./x;WRITE_DELAY=0;REUSE_SPACE=FALSE");
        assertThat(Database.withAppendOnlyChunks("jdbc:h2:file:./x;REUSE_SPACE=FALSE")).isEqualTo("jdbc:h2:file:./x;REUSE_SPACE=FALSE");
        assertThat(Database.withAppendOnlyChunks("jdbc:h2:file:./x;REUSE_SPACE=TRUE")).isEqualTo("jdbc:h2:file:./x;REUSE_SPACE=TRUE");
        assertThat(Database.withAppendOnlyChunks("jdbc:h2:file:./x;RETENTION_TIME=5000")).isEqualTo("jdbc:h2:file:./x;RETENTION_TIME=5000;REUSE_SPACE=FALSE");
    }

    private static long setting(Connection c, String name) throws SQLException {
        return Long.parseLong(settingText(c, name));
    }

    private static String settingText(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
