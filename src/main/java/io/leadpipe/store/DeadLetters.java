package io.leadpipe.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The `replay` verb: dead-lettered leads go back to NEW (their dead_letter rows are removed) for the next delivery. */
public final class DeadLetters {

    private final Database db;

    public DeadLetters(Database db) {
        this.db = db;
    }

    /** Re-queues the dead letters of a stage and/or job (null = all); returns how many leads. */
    public int replay(String stage, String job) throws SQLException {
        // a job's dead letters: leads that job saw (lead_jobs), whichever job stored them first
        String where = " WHERE 1 = 1" + (stage == null ? "" : " AND stage = ?")
                + (job == null ? "" : " AND EXISTS (SELECT 1 FROM lead_jobs j WHERE j.job_id = ? AND j.source = dead_letter.source AND j.lead_key = dead_letter.lead_key)");
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                int n;
                try (PreparedStatement up = c.prepareStatement("UPDATE leads SET sink_status = 'NEW', enrichment = NULL, last_error = NULL, attempts = 0 "
                        + "WHERE sink_status = 'DEAD' AND EXISTS (SELECT 1 FROM dead_letter" + where
                        + " AND dead_letter.source = leads.source AND dead_letter.lead_key = leads.lead_key)")) {
                    bind(up, stage, job);
                    n = up.executeUpdate();
                }
                try (PreparedStatement del = c.prepareStatement("DELETE FROM dead_letter" + where)) {
                    bind(del, stage, job);
                    del.executeUpdate();
                }
                c.commit();
                return n;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void bind(PreparedStatement ps, String stage, String job) throws SQLException {
        List<String> params = new ArrayList<>();
        if (stage != null) params.add(stage);
        if (job != null) params.add(job);
        for (int i = 0; i < params.size(); i++) ps.setString(i + 1, params.get(i));
    }
}
