package io.leadpipe.store;

import io.leadpipe.job.PullStatus;
import io.leadpipe.paging.QueryCut;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Locale;

/** The `status` verb: reading checkpoint rows (their transitions are PullRepository's). */
public final class CheckpointTable {

    private final Database db;

    public CheckpointTable(Database db) {
        this.db = db;
    }

    public int printStatus(PrintStream console) throws SQLException {
        return printStatus(console, null);
    }

    /**
     * A sliced job's status: one line for the job (DONE when every slice is DONE, else which are not), then
     * each slice's checkpoint row as {@code status} shows it. Returns the rows found.
     */
    public int printSlicedStatus(PrintStream console, String job, java.util.List<String> sliceJobs) throws SQLException {
        PrintStream out = io.leadpipe.secrets.ScrubbingPrintStream.wrap(console);
        java.util.Map<String, String> states = new java.util.LinkedHashMap<>();
        for (String slice : sliceJobs) states.put(slice, "NOT STARTED");
        long leads = 0;
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT job_id, status, lead_count FROM extraction_checkpoint WHERE job_id LIKE ? ESCAPE '!'")) {
            ps.setString(1, job.replace("!", "!!").replace("%", "!%").replace("_", "!_") + ".%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!states.containsKey(rs.getString(1))) continue;
                    states.put(rs.getString(1), rs.getString(2));
                    leads += rs.getLong(3);
                }
            }
        }
        long done = states.values().stream().filter(PullStatus.DONE.name()::equals).count();
        java.util.List<String> notDone = new java.util.ArrayList<>();
        states.forEach((slice, state) -> { if (!PullStatus.DONE.name().equals(state)) notDone.add(slice.substring(job.length() + 1) + " " + state); });
        out.printf(Locale.ROOT, "job %s: %s — %d of %d slices DONE, %d leads%s%n", job, notDone.isEmpty() ? "DONE" : "not done", done, states.size(), leads,
                notDone.isEmpty() ? "" : " (" + String.join(", ", notDone) + ")");
        return printStatus(out, new java.util.HashSet<>(sliceJobs));
    }

    /** The checkpoint rows of these jobs (null: every row), then the leads' delivery states and dead letters. */
    public int printStatus(PrintStream console, java.util.Set<String> only) throws SQLException {
        // cursors and ids may be e-mails, errors may quote an API's text: nothing in clear
        PrintStream out = io.leadpipe.secrets.ScrubbingPrintStream.wrap(console);
        String sql = "SELECT job_id, status, mode, page_no, lead_count, api_total_last, next_cursor, updated_at, error, drift, duplicate_pages, requests, "
                // parallel pages: pages stored past the checkpoint, waiting for the pages below them (V11)
                + "(SELECT COUNT(*) FROM pages_stored_ahead a WHERE a.job_id = extraction_checkpoint.job_id) AS pages_ahead FROM extraction_checkpoint ORDER BY job_id";
        int rows = 0;
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            String fmt = "%-24s %-8s %6s %10s %10s  %-20s  %s%n";
            out.printf(Locale.ROOT, fmt, "JOB", "STATE", "PAGE", "LEADS", "API TOTAL", "UPDATED", "NEXT CURSOR");
            while (rs.next()) {
                if (only != null && !only.contains(rs.getString("job_id"))) continue;
                rows++;
                Timestamp updated = rs.getTimestamp("updated_at");
                long total = rs.getLong("api_total_last");
                String totalText = rs.wasNull() ? "-" : Long.toString(total);
                String cursor = rs.getString("next_cursor");
                out.printf(Locale.ROOT, fmt, rs.getString("job_id"), rs.getString("status"), rs.getInt("page_no"),
                        rs.getLong("lead_count"), totalText, updated == null ? "-" : updated.toInstant().toString().replace('T', ' ').replaceAll("\\.\\d+Z$", "Z"),
                        cursor == null ? "(none)" : cursor);
                String window = QueryCut.describePosition(cursor);
                if (window != null) out.println("    query cut: " + window);
                String error = rs.getString("error");
                PullStatus status = PullStatus.of(rs.getString("status"));
                if (error != null) out.println("    " + (status == PullStatus.CAPPED ? "cap" : status == PullStatus.PAUSED ? "paused" : "error") + ": " + error);
                if (rs.getString("drift") != null) out.println("    drift: " + rs.getString("drift"));
                if (rs.getLong("pages_ahead") > 0) out.println("    pages stored past the checkpoint (parallel pages): " + rs.getLong("pages_ahead"));
                if (rs.getInt("duplicate_pages") > 0) out.println("    duplicate pages skipped: " + rs.getInt("duplicate_pages"));
                if ("VERIFY".equals(rs.getString("mode"))) out.println("    (verification pass)");
                out.println("    requests made: " + rs.getLong("requests"));
                ChildListStore.forVerbs(db).printStatus(out, rs.getString("job_id"));
            }
        }
        if (rows == 0) out.println("(no jobs have run yet)");
        String counts = deliveryStatusCounts(db);
        out.println("leads by delivery status: " + (counts.isEmpty() ? "(none stored)" : counts));
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT stage, COUNT(*), MIN(reason) FROM dead_letter GROUP BY stage ORDER BY stage"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.println("dead letters: " + rs.getString(1) + " " + rs.getLong(2) + " (e.g. " + rs.getString(3) + ")");
        }
        return rows;
    }

    /** "DELIVERED 4988, DEAD 12" — leads per delivery status, or "" when none are stored. */
    public static String deliveryStatusCounts(Database db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT sink_status, COUNT(*) FROM leads GROUP BY sink_status ORDER BY sink_status"); ResultSet rs = ps.executeQuery()) {
            StringBuilder b = new StringBuilder();
            while (rs.next()) b.append(b.length() == 0 ? "" : ", ").append(rs.getString(1)).append(' ').append(rs.getLong(2));
            return b.toString();
        }
    }
}
