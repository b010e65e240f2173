package io.leadpipe.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Whether the schema is already at this build's newest migration, read from Flyway's history in one query. Every
 * start (`run`, `status`, `deliver`, each test) used to hand the database to Flyway, which scans the jar for its
 * migrations, parses them and checks their checksums even when there is nothing to do: most of a start's time on
 * a small database. A database whose history ends at {@link #NEWEST} with no failed row needs none of that.
 */
final class CurrentSchema {

    /** The newest migration this build carries (db/migration); {@code CurrentSchemaTest} fails when a new one is added without it. */
    static final int NEWEST = 19;

    private CurrentSchema() {
    }

    /** True when Flyway's history records every migration up to {@link #NEWEST} and none that failed; false when unsure. */
    static boolean isCurrent(Connection c) {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"version\", \"success\" FROM \"flyway_schema_history\"")) {
            int newest = -1;
            while (rs.next()) {
                if (!rs.getBoolean(2)) return false; // a failed migration: Flyway says what to do (repair)
                String v = rs.getString(1);
                if (v == null) continue; // the schema-creation and baseline rows carry no version
                try {
                    newest = Math.max(newest, Integer.parseInt(v));
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return newest == NEWEST;
        } catch (SQLException e) {
            return false; // no history yet (a new database) or unreadable: Flyway decides
        }
    }
}
