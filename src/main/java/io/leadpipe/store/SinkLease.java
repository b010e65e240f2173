package io.leadpipe.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.leadpipe.store.HeldLeases.at;
import static io.leadpipe.store.NamedSql.values;

/**
 * One deliverer per sink (bean {@code sinkLease}): a delivery takes its sink's lease (table sink_lease, V17) before it
 * reads anything, the heartbeat renews it, and it is released when the delivery ends. A second delivery on the same
 * database while a live process holds it is refused with {@link SinkBusyException}: two would send the same staged
 * leads (and each would read back, and send again, what the other has in flight). A lease whose process is gone —
 * killed, on this host — or that expired is taken over, as a job's (JobLease).
 */
public final class SinkLease {

    /** The staged leads' one sink: the CRM's drain and an endpoint's both deliver the leads table's sink_status. */
    public static final String SINK = "sink";

    private static final NamedSql READ = NamedSql.of("read-sink-lease", "SELECT lease_owner, lease_host, lease_pid, lease_since, "
            + "lease_expires_at FROM sink_lease WHERE sink = :sink FOR UPDATE");
    private static final NamedSql CREATE = NamedSql.of("create-sink-lease", "INSERT INTO sink_lease (sink) VALUES (:sink)");
    private static final NamedSql TAKE = NamedSql.of("take-sink-lease", "UPDATE sink_lease SET lease_owner = :owner, lease_host = :host, "
            + "lease_pid = :pid, lease_since = :now, lease_heartbeat_at = :now, lease_expires_at = :expires WHERE sink = :sink");
    private static final NamedSql RENEW = NamedSql.of("renew-sink-lease", "UPDATE sink_lease SET lease_heartbeat_at = :now, "
            + "lease_expires_at = :expires WHERE sink = :sink AND lease_owner = :owner");
    private static final NamedSql RELEASE = NamedSql.of("release-sink-lease", "UPDATE sink_lease SET " + JobLease.CLEARED
            + " WHERE sink = :sink AND lease_owner = :owner");
    /** SQLState of a unique-key violation (H2 and PostgreSQL): another process created the row first. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final Duration ttl;
    /** The owner id of the delivery this process runs now (null: none). */
    private volatile String owner;
    /** Set when a renewal found the lease taken over: the delivery stops at its next round. */
    private volatile boolean lost;

    public SinkLease(DataSource dataSource, Duration ttl) {
        this.dataSource = dataSource;
        this.ttl = ttl;
    }

    /** Takes the sink's lease for a delivery, or throws {@link SinkBusyException} naming the live process that holds it. */
    public synchronized void take() {
        if (owner != null) throw new SinkBusyException(describe(new JobLease(owner, JobLease.HOST, JobLease.PID, null, null)));
        String id = UUID.randomUUID().toString();
        try {
            try {
                take(id);
            } catch (SQLException e) {
                // two processes created the row at once: the second reads the first's row (and lease) again
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) throw e;
                take(id);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the sink's lease could not be taken: " + e.getMessage(), e);
        }
        owner = id;
        lost = false;
        JobLease.held(id);
    }

    private void take(String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Instant now = Instant.now();
                JobLease held = read(c);
                if (held == null) {
                    CREATE.update(c, values("sink", SINK));
                } else if (held.keepsOthersOut(now)) {
                    throw new SinkBusyException(describe(held));
                }
                TAKE.update(c, values("sink", SINK, "owner", id, "host", JobLease.HOST, "pid", JobLease.PID, "now", at(now), "expires", at(now.plus(ttl))));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static JobLease read(Connection c) throws SQLException {
        try (PreparedStatement ps = READ.prepare(c, values("sink", SINK)); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? JobLease.read(rs) : null;
        }
    }

    /** The heartbeat: the lease of the delivery running here is extended by the lease time; a lease taken over meanwhile is lost. */
    public void renew() throws SQLException {
        String id = owner;
        if (id == null) return;
        Instant now = Instant.now();
        try (Connection c = dataSource.getConnection()) {
            if (RENEW.update(c, values("sink", SINK, "owner", id, "now", at(now), "expires", at(now.plus(ttl)))) == 0 && id.equals(owner)) lost = true;
        }
    }

    /** Before each round: a delivery whose lease another process took over (this one's had expired) stops without sending more. */
    public void check() {
        if (lost) throw new SinkLeaseLostException();
    }

    /** The delivery ended (done, failed or stopped): the next one, here or elsewhere, may take the lease. */
    public synchronized void release() {
        String id = owner;
        if (id == null) return;
        owner = null;
        JobLease.released(id);
        try (Connection c = dataSource.getConnection()) {
            RELEASE.update(c, values("sink", SINK, "owner", id));
        } catch (SQLException e) {
            // the database is what failed: the lease expires by itself (and a killed process's lease is taken over at once)
        }
    }

    private static String describe(JobLease held) {
        return "delivery is running in process " + held.pid() + " on host " + held.host()
                + (held.since() == null ? "" : ", since " + held.since())
                + (held.expiresAt() == null ? "" : " (its lease is renewed while it runs and expires at " + held.expiresAt() + " if it stops)");
    }

    /** Another live process delivers the staged leads: this delivery sent nothing. */
    public static final class SinkBusyException extends IllegalStateException {
        SinkBusyException(String holder) {
            super(holder + "; this delivery sent nothing — one deliverer per database: run `leadpipe deliver` again once it has finished");
        }
    }

    /** The heartbeat found this delivery's lease taken over (it had expired): it stops; the other delivery continues. */
    public static final class SinkLeaseLostException extends IllegalStateException {
        SinkLeaseLostException() {
            super("delivery was taken over by another process (this process's lease on the sink had expired): this delivery stops; the other one continues");
        }
    }
}
