package io.leadpipe.store;

import io.leadpipe.config.JobSlices;
import io.leadpipe.job.AutoSlices;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The slices each {@code slices = auto} job was cut into (table slice_plan, V16), kept until the job is reset. */
public final class SlicePlans implements AutoSlices.PlanStore {

    private final DataSource dataSource;

    public SlicePlans(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public AutoSlices.Cut find(String job) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT slices, how FROM slice_plan WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new AutoSlices.Cut(read(rs.getString(1)), rs.getString(2)) : null;
            }
        }
    }

    @Override
    public AutoSlices.Cut keep(String job, String source, AutoSlices.Cut cut) throws SQLException {
        StringBuilder text = new StringBuilder();
        for (JobSlices.Slice s : cut.slices()) text.append(s.name()).append('\t').append(s.filter()).append('\n');
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO slice_plan (job_id, source, slices, how, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, job);
            ps.setString(2, source);
            ps.setString(3, text.toString());
            ps.setString(4, cut.how().length() > 1000 ? cut.how().substring(0, 1000) : cut.how());
            ps.setObject(5, OffsetDateTime.now(ZoneOffset.UTC));
            ps.executeUpdate();
            return cut;
        } catch (SQLException e) {
            // another process kept its plan first (the primary key): its slices are the job's
            AutoSlices.Cut kept = find(job);
            if (kept == null) throw e;
            return kept;
        }
    }

    /** Forgets a job's plan (reset): the next run cuts the job again. True when there was one. */
    public boolean forget(String job) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("DELETE FROM slice_plan WHERE job_id = ?")) {
            ps.setString(1, job);
            return ps.executeUpdate() > 0;
        }
    }

    private static List<JobSlices.Slice> read(String text) {
        List<JobSlices.Slice> slices = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            int tab = line.indexOf('\t');
            slices.add(new JobSlices.Slice(line.substring(0, tab), line.substring(tab + 1)));
        }
        return slices;
    }
}
