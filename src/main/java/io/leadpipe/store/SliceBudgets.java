package io.leadpipe.store;

import io.leadpipe.job.JobBudget;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.leadpipe.store.CheckpointSql.SAVED_COUNTS;

/** The budgets of the sliced jobs running: a slice's caps are its job's, counted over all its slices. */
final class SliceBudgets implements JobBudget.Budgets {

    private final DataSource dataSource;
    private final Map<String, JobBudget> running = new ConcurrentHashMap<>();

    SliceBudgets(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A sliced job's run begins: its maxRequests and maxLeads count over all its slices — each slice's checkpoint
     * as it is now, then the live pulls of the slices that run. Ended by {@link #end}.
     */
    @Override
    public JobBudget start(String job, Collection<String> sliceJobs) throws SQLException {
        Map<String, JobBudget.Saved> saved = new HashMap<>();
        CheckpointSql.withConnection(dataSource, c -> {
            try (PreparedStatement ps = SAVED_COUNTS.prepare(c, Map.of()); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (sliceJobs.contains(rs.getString(1))) saved.put(rs.getString(1), new JobBudget.Saved(rs.getLong(2), rs.getLong(3)));
                }
            }
            return null;
        });
        JobBudget budget = new JobBudget(job, sliceJobs.size(), saved);
        running.put(job, budget);
        return budget;
    }

    @Override
    public void end(String job) {
        running.remove(job);
    }

    /** The budget of the sliced job a slice belongs to (null: not a slice, or its job is not running). */
    JobBudget of(String sliceOf) {
        return sliceOf == null ? null : running.get(sliceOf);
    }
}
