package io.leadpipe.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.leadpipe.testing.MigratedDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One deliverer per sink: the sink's lease against a real H2 file database (no Camel routes; SinkTest has the deliveries). */
class SinkLeaseTest {

    @RegisterExtension
    final MigratedDatabase store = new MigratedDatabase();


    @Test
    void aSecondDelivererIsRefusedUntilTheFirstReleases() {
        SinkLease first = new SinkLease(store.db().dataSource(), Duration.ofMinutes(1));
        SinkLease second = new SinkLease(store.db().dataSource(), Duration.ofMinutes(1));
        first.take();

        assertThatThrownBy(second::take).isInstanceOf(SinkLease.SinkBusyException.class)
                .hasMessageStartingWith("delivery is running in process " + JobLease.PID + " on host " + JobLease.HOST + ", since 20");
        assertThatThrownBy(first::take).as("one delivery at a time in this process too").isInstanceOf(SinkLease.SinkBusyException.class);

        first.release();
        second.take();
        second.release();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndItsHolderStopsAtItsNextRound() throws Exception {
        SinkLease first = new SinkLease(store.db().dataSource(), Duration.ofMinutes(1));
        SinkLease second = new SinkLease(store.db().dataSource(), Duration.ofMinutes(1));
        first.take();
        // the first deliverer stalled past its lease (no heartbeat)
        expireAt(OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1));

        second.take();
        first.check(); // not known yet: its next heartbeat finds out
        first.renew();

        assertThatThrownBy(first::check).isInstanceOf(SinkLease.SinkLeaseLostException.class).hasMessageContaining("taken over by another process");
        first.release();
        SinkLease third = new SinkLease(store.db().dataSource(), Duration.ofMinutes(1));
        assertThatThrownBy(third::take).as("the late release of the first leaves the second's lease").isInstanceOf(SinkLease.SinkBusyException.class);
        second.renew();
        second.check();
    }

    @Test
    void aLeaseOfAKilledProcessOnThisHostIsTakenOverAtOnce() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (Connection c = store.db().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO sink_lease (sink, lease_owner, lease_host, lease_pid, lease_since, lease_heartbeat_at, lease_expires_at) VALUES ('sink', 'killed', ?, ?, ?, ?, ?)")) {
            ps.setString(1, JobLease.HOST);
            ps.setLong(2, gone.pid());
            ps.setObject(3, now.minusMinutes(1));
            ps.setObject(4, now.minusMinutes(1));
            ps.setObject(5, now.plusMinutes(10));
            ps.executeUpdate();
        }

        new SinkLease(store.db().dataSource(), Duration.ofMinutes(1)).take();
    }

    private void expireAt(OffsetDateTime at) throws Exception {
        try (Connection c = store.db().dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE sink_lease SET lease_expires_at = ?")) {
            ps.setObject(1, at);
            ps.executeUpdate();
        }
    }
}
