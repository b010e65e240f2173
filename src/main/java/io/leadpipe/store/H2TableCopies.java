package io.leadpipe.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts back a table whose ALTER TABLE was killed half-way on H2. H2 adds a column (or changes a column's
 * type) by copying the table (org.h2.command.ddl.AlterTableAlterColumn#copyData): CREATE {@code T_COPY_<session>_<n>},
 * INSERT … SELECT, its indexes and constraints named {@code T_COPY_<session>_<n>_<name>}, DROP TABLE T — each
 * committed on its own — then the copy is renamed T, its children renamed back, committed with the ALTER.
 * A kill before the DROP leaves T whole beside a copy (dropped here); a kill after it leaves only the copy,
 * which holds every row and the new column (renamed back here, as H2 would have). The migration then runs
 * again over a table that is whole.
 */
final class H2TableCopies {

    private static final Pattern COPY = Pattern.compile("(.+)_COPY_(\\d+)_(\\d+)");

    private H2TableCopies() {
    }

    /** What was put back, one line per table (empty when there was nothing to do). */
    static List<String> recover(Connection c) throws SQLException {
        List<String> done = new ArrayList<>();
        Map<String, List<String>> copiesByTable = new LinkedHashMap<>();
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = SCHEMA() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
            while (rs.next()) tables.add(rs.getString(1));
        }
        for (String t : tables) {
            Matcher m = COPY.matcher(t);
            if (m.matches() && !beingCopiedNow(c, Integer.parseInt(m.group(2)))) copiesByTable.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(t);
        }
        for (Map.Entry<String, List<String>> e : copiesByTable.entrySet()) {
            String table = e.getKey();
            List<String> copies = e.getValue();
            String best = copies.get(0);
            for (String copy : copies) if (rows(c, copy) > rows(c, best)) best = copy;
            // T is whole whenever it exists; the one exception: H2 removes a dropped table's data at once and its
            // catalogue row at commit, so a T without rows beside a copy with rows is the copy's old name
            boolean tableIsWhole = tables.contains(table) && (rows(c, table) > 0 || rows(c, best) == 0);
            try (Statement st = c.createStatement()) {
                for (String copy : copies) {
                    if (tableIsWhole || !copy.equals(best)) st.execute("DROP TABLE " + quote(copy));
                }
                if (tableIsWhole) {
                    done.add("dropped H2's unfinished copy of " + table + " (" + String.join(", ", copies) + ")");
                    continue;
                }
                if (tables.contains(table)) st.execute("DROP TABLE " + quote(table));
                st.execute("ALTER TABLE " + quote(best) + " RENAME TO " + quote(table));
                renameChildren(c, st, table, best + "_");
            }
            done.add("renamed " + best + " back to " + table + " (H2 was copying it when the process stopped)");
        }
        return done;
    }

    /** True while the session that H2 named the copy after is executing a statement: an ALTER in progress, not a leftover. */
    private static boolean beingCopiedNow(Connection c, int session) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = ? AND SESSION_ID <> SESSION_ID() AND EXECUTING_STATEMENT IS NOT NULL")) {
            ps.setInt(1, session);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        }
    }

    /** The indexes and constraints H2 made for the copy, named as they were on the table (as H2's own rename does). */
    private static void renameChildren(Connection c, Statement st, String table, String prefix) throws SQLException {
        List<String> indexes = new ArrayList<>();
        List<String> constraints = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEXES WHERE TABLE_SCHEMA = SCHEMA() AND TABLE_NAME = ? AND INDEX_NAME LIKE ? ESCAPE '!'")) {
            ps.setString(1, table);
            ps.setString(2, prefix.replace("!", "!!").replace("_", "!_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) indexes.add(rs.getString(1));
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT CONSTRAINT_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = SCHEMA() AND TABLE_NAME = ? AND CONSTRAINT_NAME LIKE ? ESCAPE '!'")) {
            ps.setString(1, table);
            ps.setString(2, prefix.replace("!", "!!").replace("_", "!_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) constraints.add(rs.getString(1));
            }
        }
        for (String index : indexes) st.execute("ALTER INDEX " + quote(index) + " RENAME TO " + quote(index.substring(prefix.length())));
        for (String constraint : constraints) {
            st.execute("ALTER TABLE " + quote(table) + " RENAME CONSTRAINT " + quote(constraint) + " TO " + quote(constraint.substring(prefix.length())));
        }
    }

    private static long rows(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + quote(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
