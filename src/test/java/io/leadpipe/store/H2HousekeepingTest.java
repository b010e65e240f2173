package io.leadpipe.store;

import io.leadpipe.config.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

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
        return Database.open(Settings.load(Path.of("application.properties"), null,
                Map.of("leadpipe.db.url", "jdbc:h2:file:" + dir.resolve("data/leadpipe") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;RETENTION_TIME=0"), Map.of(), new Properties()));
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
