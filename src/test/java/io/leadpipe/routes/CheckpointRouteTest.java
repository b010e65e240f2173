package io.leadpipe.routes;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.paging.FetchedPage;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * routes/checkpoint.yaml, store-page: a page's leads, its fingerprint and the checkpoint commit in one
 * transaction. A failure woven in just before the checkpoint save (step id save-checkpoint) must take the
 * page's leads and fingerprint back with it.
 */
class CheckpointRouteTest extends RouteTestSupport {

    @Test
    void aFailureBeforeTheCheckpointSaveLeavesNoneOfThePage() throws Exception {
        simulator(500);
        start(allLeadsJob(), PULL);
        AtomicInteger saves = new AtomicInteger();
        advise("store-page", a -> a.weaveById("save-checkpoint").before().process(e -> {
            if (saves.incrementAndGet() == 2) throw new IllegalStateException("injected before the checkpoint save of page 2");
        }));

        assertThat(app.runJob("all-leads").status()).isEqualTo("FAILED");

        Map<String, Object> cp = ws.checkpoint("all-leads");
        assertThat(cp.get("status")).isEqualTo("FAILED");
        assertThat(((Number) cp.get("page_no")).intValue()).as("the last committed page").isEqualTo(1);
        assertThat(new TreeSet<>(ws.storedLeadKeys())).as("page 2's leads were rolled back with its checkpoint")
                .isEqualTo(TestWorkspace.idsOf(0, 100));
        assertThat(count("SELECT COUNT(*) FROM CAMEL_MESSAGEPROCESSED WHERE processorName = 'leadpipe-pages'"))
                .as("page fingerprints: page 2's was rolled back too").isEqualTo(1);
    }

    /**
     * Another writer of the same leads (an older transaction, as another job's page would be) holds the last
     * lead of page 2; page 2 takes its first lead, then waits for the last; the other writer then wants page 2's
     * first lead. H2 breaks that deadlock by rolling back the younger transaction whole — page 2's, savepoint
     * and all (seen in CI: "Transaction 4 has status ROLLING_BACK, not OPEN"). The page must be stored again,
     * not fail the job.
     */
    @Test
    void aPageTheDatabaseRollsBackToBreakADeadlockIsStoredAgain() throws Exception {
        // H2's way of breaking a deadlock (the younger transaction rolled back whole); run on PostgreSQL it waited for ever
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        simulator(300);
        start(allLeadsJob(), PULL);
        List<String> page2 = new ArrayList<>(TestWorkspace.idsOf(100, 200));
        String first = page2.get(0), last = page2.get(page2.size() - 1);
        // both leads were stored before (by another job): page 2 updates them, and an update waits for the row's lock
        try (Connection c = ws.db()) {
            insertLead(c, first);
            insertLead(c, last);
        }
        Connection other = ws.db();
        other.setAutoCommit(false);
        CompletableFuture<Void> otherWriter = new CompletableFuture<>();
        AtomicInteger armed = new AtomicInteger();
        AtomicInteger page2Stores = new AtomicInteger();
        advise("store-page", a -> a.weaveById("upsert-leads").before().process(e -> {
            int page = e.getIn().getBody(FetchedPage.class).pageNo();
            if (page == 2) page2Stores.incrementAndGet();
            if (page == 1 && armed.getAndIncrement() == 0) updateLead(other, last); // begun before page 2's transaction: the older one
            if (page == 2 && armed.getAndIncrement() == 1) {
                CompletableFuture.runAsync(() -> {
                    try {
                        awaitABlockedSession();    // page 2 holds its first lead and waits for the last
                        updateLead(other, first);  // → a deadlock; H2 rolls back the younger transaction, page 2's
                        other.commit();
                        otherWriter.complete(null);
                    } catch (Exception ex) {
                        otherWriter.completeExceptionally(ex);
                    }
                });
            }
        }));

        assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");

        otherWriter.get(10, TimeUnit.SECONDS); // the other writer was not the victim: it committed
        other.close();
        assertThat(page2Stores.get()).as("page 2 was rolled back by the database and stored again").isEqualTo(2);
        assertThat(new TreeSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, 300));
        assertThat(new TreeSet<>(ws.storedLeadKeys("all-leads"))).isEqualTo(TestWorkspace.idsOf(0, 300));
        assertThat(count("SELECT COUNT(*) FROM leads WHERE lead_key IN (?, ?) AND payload LIKE '%\"other\"%'", first, last))
                .as("page 2's leads hold the page's values, not the other writer's").isZero();
        assertThat(count("SELECT COUNT(*) FROM CAMEL_MESSAGEPROCESSED WHERE processorName = 'leadpipe-pages'")).isEqualTo(3);
        Map<String, Object> cp = ws.checkpoint("all-leads");
        assertThat(((Number) cp.get("lead_count")).longValue()).isEqualTo(300L);
        assertThat(((Number) cp.get("page_no")).intValue()).isEqualTo(3);
    }

    private static void insertLead(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO leads (source, lead_key, job_id, page_no, payload, fetched_at) "
                + "VALUES ('leads-api', ?, 'other', 0, '{\"other\":true}', CURRENT_TIMESTAMP)")) {
            ps.setString(1, key);
            ps.executeUpdate();
        }
    }

    private static void updateLead(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE leads SET payload = '{\"other\":2}' WHERE lead_key = ?")) {
            ps.setString(1, key);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private void awaitABlockedSession() {
        await("page 2 waiting for the other writer's lead").atMost(10, TimeUnit.SECONDS).pollInterval(5, TimeUnit.MILLISECONDS)
                .until(() -> count("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL") > 0);
    }
    /**
     * routes/checkpoint.yaml, job-failed: with pages in parallel, every page in flight may fail, and the later failures
     * wait for the first to be recorded and reported (Pull.claimFailure). When the run report itself throws (its counts
     * read the database), the waiters are still released at once — not after their 30-s bound.
     */
    @Test
    void pagesFailingInParallelAreReleasedEvenWhenTheRunReportThrows() throws Exception {
        simulator(1000).paging = "offset";
        ws.settings.put("leadpipe.source.leads-api.paging", "offset");
        ws.settings.put("leadpipe.source.leads-api.concurrency", "4");
        start(allLeadsJob(), PULL);
        java.util.concurrent.CountDownLatch bothFailing = new java.util.concurrent.CountDownLatch(2);
        // pages are stored one at a time, fetched in parallel: two parallel fetches fail together, one records the
        // failure, the other waits for it
        AtomicInteger parallelFetches = new AtomicInteger();
        advise("fetch-page", a -> a.weaveAddFirst().process(e -> {
            if (e.getVariable("plannedPage") == null || parallelFetches.incrementAndGet() > 2) return;
            bothFailing.countDown();
            assertThat(bothFailing.await(10, TimeUnit.SECONDS)).as("two pages in flight").isTrue();
            throw new IllegalStateException("injected into a parallel page's fetch");
        }));
        AtomicInteger reports = new AtomicInteger();
        advise("run-report", a -> a.weaveAddFirst().process(e -> {
            reports.incrementAndGet();
            throw new SQLException("injected: the run report's counts failed");
        }));

        String logged = TestWorkspace.logsOf(() -> assertThat(app.runJob("all-leads").status()).isEqualTo("FAILED"));

        assertThat(logged).as("the report's failure: one line").contains("job all-leads: no run report for this failed run (SQLException: injected: the run report's counts failed)")
                .doesNotContain("FatalFallbackErrorHandler");
        assertThat(bothFailing.getCount()).as("two pages failed together").isZero();
        assertThat(reports.get()).as("the run report was tried once").isEqualTo(1);
        // the second failure's exchange ends once the first is reported (before: it waited out its 30 s, and so did the
        // shutdown after it)
        await("the other failed page's exchange to end").atMost(10, TimeUnit.SECONDS)
                .until(() -> context.getInflightRepository().size() == 0);
        assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("FAILED");
    }

    /**
     * routes/errors.yaml, heartbeat-errors: a lease heartbeat the database does not take (an outage, a full disk) is one
     * WARN line and the next beat tries again — not Camel's failed-delivery stack trace every beat. Any other error
     * still surfaces.
     */
    @Test
    void aHeartbeatTheDatabaseDoesNotTakeIsOneLineAndTheNextBeatTriesAgain() throws Exception {
        simulator(10);
        start(allLeadsJob(), PULL);
        AtomicInteger beats = new AtomicInteger();
        advise("lease-heartbeat", a -> {
            a.replaceFromWith("direct:beat");
            a.weaveByType(org.apache.camel.model.BeanDefinition.class).selectFirst().replace().process(e -> {
                if (beats.incrementAndGet() == 3) throw new IllegalStateException("not the database's");
                throw new java.sql.SQLException("The database has been closed [90098-252]\nSQL statement:\nUPDATE extraction_checkpoint SET lease_expires_at = ?", "90098", 90098);
            });
        });
        String logged = TestWorkspace.logsOf(() -> {
            for (int beat = 1; beat <= 2; beat++) {
                org.apache.camel.Exchange sent = template().send("direct:beat", e -> { });
                assertThat(sent.getException()).as("beat " + beat + ": handled").isNull();
            }
        });
        List<String> lines = logged.lines().filter(l -> l.contains("lease")).toList();
        assertThat(lines).as("one line a beat: %s", lines).hasSize(2)
                .allMatch(l -> l.contains("lease heartbeat: the database did not answer (") && l.contains("The database has been closed"));
        assertThat(template().send("direct:beat", e -> { }).getException()).as("any other error surfaces").isInstanceOf(IllegalStateException.class);
        assertThat(beats.get()).isEqualTo(3);
    }
}

