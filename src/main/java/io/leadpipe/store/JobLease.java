package io.leadpipe.store;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A job's lease as found on its checkpoint row: who holds it (an owner id per run, host, pid), since
 * when and until when. One writer per job: a lease held by a live process elsewhere keeps others out.
 */
public record JobLease(String owner, String host, Long pid, Instant since, Instant expiresAt) {

    /** This process, as it signs its leases. */
    public static final String HOST = hostName();
    public static final long PID = ProcessHandle.current().pid();
    /** Leases held by runs in this JVM (several apps may share one in tests): a lease of ours not in here is a leftover. */
    private static final Set<String> HELD_HERE = ConcurrentHashMap.newKeySet();

    /** The SET list that gives a lease back (the job's row in extraction_checkpoint, the sink's in sink_lease). */
    static final String CLEARED = "lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_since = NULL, lease_heartbeat_at = NULL, lease_expires_at = NULL";

    /** The lease columns of the row {@code rs} stands on (the same in every table that holds a lease). */
    static JobLease read(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new JobLease(rs.getString("lease_owner"), rs.getString("lease_host"), CheckpointSql.nullableLong(rs, "lease_pid"),
                CheckpointSql.instant(rs, "lease_since"), CheckpointSql.instant(rs, "lease_expires_at"));
    }

    static void held(String owner) {
        HELD_HERE.add(owner);
    }

    static void released(String owner) {
        HELD_HERE.remove(owner);
    }

    /**
     * Whether this lease still keeps other writers out: it has an owner, has not expired, and its process
     * is not known to be gone (a process on this host whose pid is dead — killed — holds nothing).
     */
    public boolean keepsOthersOut(Instant now) {
        if (owner == null || expiresAt == null || !expiresAt.isAfter(now)) return false;
        if (HOST.equals(host) && pid != null) {
            if (pid == PID) return HELD_HERE.contains(owner);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        return true;
    }

    /** "job X is running in process 4711 on host h1, since 2026-…Z (lease until …Z)". */
    public String describe(String job) {
        return "job " + job + " is running in process " + pid + " on host " + host + ", since " + since
                + " (its lease is renewed while it runs and expires at " + expiresAt + " if it stops)";
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
