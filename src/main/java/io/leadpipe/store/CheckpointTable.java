package io.leadpipe.store;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Locale;

/** The `status` and `reset` verbs: reading and forgetting checkpoint rows. */
public final class CheckpointTable {

    private final Database db;

    public CheckpointTable(Database db) {
        this.db = db;
    }

    public int printStatus(PrintStream out) throws SQLException {
        String sql = "SELECT job_id, status, page_no, lead_count, api_total_last, next_cursor, updated_at, error FROM extraction_checkpoint ORDER BY job_id";
        int rows = 0;
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            String fmt = "%-24s %-8s %6s %10s %10s  %-20s  %s%n";
            out.printf(Locale.ROOT, fmt, "JOB", "STATE", "PAGE", "LEADS", "API TOTAL", "UPDATED", "NEXT CURSOR");
            while (rs.next()) {
                rows++;
                Timestamp updated = rs.getTimestamp("updated_at");
                long total = rs.getLong("api_total_last");
                String totalText = rs.wasNull() ? "-" : Long.toString(total);
                String cursor = rs.getString("next_cursor");
                out.printf(Locale.ROOT, fmt, rs.getString("job_id"), rs.getString("status"), rs.getInt("page_no"),
                        rs.getLong("lead_count"), totalText, updated == null ? "-" : updated.toInstant().toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z"),
                        cursor == null ? "(none)" : cursor);
                String error = rs.getString("error");
                if (error != null) out.println("    error: " + error);
            }
        }
        if (rows == 0) out.println("(no jobs have run yet)");
        return rows;
    }

    /** Forgets a job's checkpoint; its stored leads stay. Returns false when there was none. */
    public boolean reset(String job) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM extraction_checkpoint WHERE job_id = ?")) {
            ps.setString(1, job);
            return ps.executeUpdate() > 0;
        }
    }
}
