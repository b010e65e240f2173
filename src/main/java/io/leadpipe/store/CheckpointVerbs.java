package io.leadpipe.store;

import io.leadpipe.job.Pull;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.leadpipe.store.CheckpointSql.*;
import static io.leadpipe.store.NamedSql.values;

/**
 * The verbs that rewrite a checkpoint from outside a run (`reset`, `verify`), without Camel: each in one
 * transaction, and refused while a live run holds the job.
 */
public final class CheckpointVerbs {

    private final DataSource dataSource;
    private final TransactionTemplate transaction;

    public CheckpointVerbs(Database db) {
        this.dataSource = db.dataSource();
        this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /**
     * Starts a verification pass: the job re-reads its list from the first page as a new pull, storing what
     * it had missed (upserts make the rest harmless). False when the job has no checkpoint.
     */
    public boolean startVerification(String job) {
        return inTransaction(transaction, dataSource, c -> {
            refuseWhileHeld(c, job);
            return freshPull(c, job, Pull.Mode.VERIFY.name(), PullIds.next(), null) > 0;
        });
    }

    /** Forgets a job's checkpoint and its pull's page fingerprints; its stored leads stay. False when there was none. */
    public boolean reset(String job) {
        return !resetAll(List.of(job)).isEmpty();
    }

    /**
     * Forgets a sliced job's checkpoints — its slices' and its own — in one transaction: all of them, or, when a
     * live run holds any one, none (JobBusyException naming it). Returns those that had a checkpoint.
     */
    public Set<String> resetAll(List<String> jobs) {
        return inTransaction(transaction, dataSource, c -> {
            for (String job : jobs) refuseWhileHeld(c, job);
            Set<String> forgotten = new TreeSet<>();
            for (String job : jobs) {
                forgetPull(c, job);
                if (DELETE.update(c, values("job", job)) > 0) forgotten.add(job);
            }
            return forgotten;
        });
    }

    /**
     * `compact`: refused, like `reset`, while a live run holds any job's checkpoint (JobBusyException naming it);
     * the same lease check, over every job there is.
     */
    public void refuseWhileAnyJobRuns() {
        inTransaction(transaction, dataSource, c -> {
            List<String> jobs = new java.util.ArrayList<>();
            try (var ps = JOBS.prepare(c, java.util.Map.of()); var rs = ps.executeQuery()) {
                while (rs.next()) jobs.add(rs.getString(1));
            }
            for (String job : jobs) refuseWhileHeld(c, job);
            return null;
        });
    }

    /** A verb that would rewrite a job's checkpoint found it held by a live run: nothing was done. */
    public static final class JobBusyException extends IllegalStateException {
        public JobBusyException(String holder) {
            super(holder + "; nothing was done to it — wait for it to finish or stop it first");
        }
    }
}
