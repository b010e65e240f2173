package io.leadpipe.store;

import io.leadpipe.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The start's shortcut past Flyway: taken only when the history ends at this build's newest migration, cleanly. */
class CurrentSchemaTest {

    @Test
    void newestIsTheHighestMigrationThisBuildCarries() throws Exception {
        Pattern version = Pattern.compile("V(\\d+)__.*\\.(sql|java)");
        int highest = 0;
        for (Path dir : new Path[]{Path.of("src/main/resources/db/migration"), Path.of("src/main/java/db/migration")}) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Matcher m = version.matcher(f.getFileName().toString());
                    if (m.matches()) highest = Math.max(highest, Integer.parseInt(m.group(1)));
                }
            }
        }
        assertThat(CurrentSchema.NEWEST).as("CurrentSchema.NEWEST after adding a migration").isEqualTo(highest);
    }

    @Test
    void onlyAHistoryEndingAtTheNewestWithNoFailureIsCurrent(@TempDir Path dir) throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("db/leadpipe");
        Settings settings = Settings.load(Path.of("application.properties"), null, Map.of("leadpipe.db.url", url), Map.of(), new Properties());
        try (Database db = Database.open(settings); Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            assertThat(CurrentSchema.isCurrent(c)).as("a new database, no history").isFalse();
            db.migrate();
            assertThat(CurrentSchema.isCurrent(c)).as("just migrated").isTrue();

            st.executeUpdate("UPDATE \"flyway_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '" + CurrentSchema.NEWEST + "'");
            assertThat(CurrentSchema.isCurrent(c)).as("the newest migration failed").isFalse();
            st.executeUpdate("DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '" + CurrentSchema.NEWEST + "'");
            assertThat(CurrentSchema.isCurrent(c)).as("one migration behind").isFalse();
        }
        // one behind: the next start hands the database to Flyway, which applies the newest again
        try (Database db = Database.open(settings).migrate(); Connection c = db.dataSource().getConnection()) {
            assertThat(CurrentSchema.isCurrent(c)).isTrue();
        }
    }
}
