package io.leadpipe.store;

import io.leadpipe.job.Pull;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.leadpipe.store.CheckpointSql.RENEW_LEASE;
import static io.leadpipe.store.NamedSql.values;

/** The job leases this process's runs hold: renewed by the heartbeat until each run ends. */
final class HeldLeases {

    private final DataSource dataSource;
    private final Duration ttl;
    private final Map<String, Pull> held = new ConcurrentHashMap<>();

    HeldLeases(DataSource dataSource, Duration ttl) {
        this.dataSource = dataSource;
        this.ttl = ttl;
    }

    void took(Pull pull) {
        held.put(pull.jobId(), pull);
        JobLease.held(pull.leaseOwner());
    }

    void released(Pull pull) {
        if (pull.leaseOwner() == null) return;
        held.remove(pull.jobId(), pull);
        JobLease.released(pull.leaseOwner());
    }

    Collection<Pull> pulls() {
        return held.values();
    }

    /** Until when a lease taken or renewed now keeps other writers out. */
    OffsetDateTime expiry(Instant now) {
        return at(now.plus(ttl));
    }

    /** Every lease held is extended by the lease time. */
    void renew() throws SQLException {
        Instant now = Instant.now();
        for (Pull pull : held.values()) {
            CheckpointSql.withConnection(dataSource, c -> RENEW_LEASE.update(c, values("job", pull.jobId(), "owner", pull.leaseOwner(),
                    "now", at(now), "expires", expiry(now))));
        }
    }

    static OffsetDateTime at(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }
}
