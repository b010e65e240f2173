package io.leadpipe.store;

import java.io.IOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The `export` verb: stored leads as JSON Lines, one lead per line, streamed (never all in memory). */
public final class LeadExport {

    private final Database db;

    public LeadExport(Database db) {
        this.db = db;
    }

    public long jsonLines(Writer out, String job) throws SQLException, IOException {
        String sql = "SELECT payload FROM leads" + (job == null ? "" : " WHERE job_id = ?") + " ORDER BY lead_key";
        long n = 0;
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (job != null) ps.setString(1, job);
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.write(rs.getString(1));
                    out.write('\n');
                    n++;
                }
            }
        }
        out.flush();
        return n;
    }
}
