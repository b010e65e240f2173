package io.leadpipe.store;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** A page's leads, its fingerprint and its checkpoint commit together: a failure in between leaves none of them. */
class PageTransactionTest {

    @Test
    void aFailedCheckpointSaveLeavesNeitherThePagesLeadsNorItsFingerprint() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            ws.startSimulator(c);
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero(); // creates the schema
            // the checkpoint save of page 4 fails — after page 4's leads were upserted and its fingerprint recorded
            try (Connection conn = ws.db(); Statement st = conn.createStatement()) {
                st.executeUpdate("ALTER TABLE extraction_checkpoint ADD CONSTRAINT injected_failure CHECK (page_no <> 4)");
            }

            TestWorkspace.CliResult failed = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(failed.exitCode()).as(failed.out()).isEqualTo(1);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("FAILED");
            assertThat(cp.get("page_no")).as("the last committed page").isEqualTo(3);
            Set<String> stored = new TreeSet<>(ws.storedLeadKeys());
            assertThat(stored).as("page 4's leads were rolled back with its checkpoint").isEqualTo(TestWorkspace.idsOf(0, 300));
            assertThat(pageFingerprints(ws)).as("fingerprints of pages 1-3 only: page 4's was rolled back too").isEqualTo(3);

            try (Connection conn = ws.db(); Statement st = conn.createStatement()) {
                st.executeUpdate("ALTER TABLE extraction_checkpoint DROP CONSTRAINT injected_failure");
            }
            TestWorkspace.CliResult resumed = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(resumed.exitCode()).as(resumed.out()).isZero();
            assertThat(resumed.out()).as("page 4 is stored, not skipped as a duplicate").doesNotContain("duplicates");
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, 1000));
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            assertThat(((Number) ws.checkpoint("all-leads").get("lead_count")).longValue()).isEqualTo(1000L);
        }
    }

    /**
     * A page that failed and whose rollback failed too (the pool had closed the connection as broken: a full disk) fails
     * with its own failure, the rollback's beside it: the job said "Connection is closed" instead of the disk being full.
     */
    @Test
    void aPageWhoseRollbackFailsTooFailsWithItsOwnFailure() throws Exception {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:mem:rollback-fails");
        javax.sql.DataSource closingOnRollback = new org.springframework.jdbc.datasource.DelegatingDataSource(h2) {
            @Override
            public Connection getConnection() throws java.sql.SQLException {
                Connection real = super.getConnection();
                return (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("rollback")) throw new java.sql.SQLException("Connection is closed", "08003");
                    try {
                        return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
            }
        };
        PageTransaction policy = new PageTransaction(new org.springframework.jdbc.datasource.DataSourceTransactionManager(closingOnRollback));
        IllegalStateException pageFailed = new IllegalStateException("the database cannot be written");
        try (org.apache.camel.impl.DefaultCamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(camel);
            policy.wrap(null, e -> {
                throw pageFailed;
            }).process(exchange);
            assertThat(exchange.getException()).isSameAs(pageFailed);
            assertThat(pageFailed.getSuppressed()).singleElement().satisfies(rollback ->
                    assertThat(rollback).hasRootCauseMessage("Connection is closed"));
        }
    }

    /** The page key's add is one statement (an insert that writes nothing when the key is there): new once, then a duplicate. */
    @Test
    void aPageKeyIsNewOnceThenADuplicate() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            assertThat(ws.cli(Map.of(), "status").exitCode()).isZero(); // creates the schema
            try (Connection conn = ws.db()) {
                PageKeys keys = new PageKeys(new org.springframework.jdbc.datasource.SingleConnectionDataSource(conn, true), PullRepository.PAGE_REPOSITORY);
                String key = PullIds.next() + ":" + "0".repeat(40);
                assertThat(keys.add(key)).as("a page not stored before").isTrue();
                assertThat(keys.add(key)).as("the same page again").isFalse();
                assertThat(keys.add(PullIds.next() + ":" + "0".repeat(40))).as("the same page of another pull").isTrue();
                assertThat(keys.contains(key)).isTrue();
            }
            assertThat(pageFingerprints(ws)).isEqualTo(2);
        }
    }

    private static long pageFingerprints(TestWorkspace ws) throws Exception {
        try (Connection conn = ws.db(); PreparedStatement ps = conn.prepareStatement(
                "SELECT COUNT(*) FROM CAMEL_MESSAGEPROCESSED WHERE processorName = 'leadpipe-pages'"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
