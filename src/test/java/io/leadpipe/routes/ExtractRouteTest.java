package io.leadpipe.routes;

import io.leadpipe.job.JobOutcome;
import io.leadpipe.job.JobFilters;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/extract.yaml: the loop runs while the pull has a next page and leaves by the right exit —
 * job-done when there is no next page, job-capped on a cap, and not at all for a job another process holds.
 * The exits are observed with mocks woven before them; the real exits still run.
 */
class ExtractRouteTest extends RouteTestSupport {

    private MockEndpoint fetches, done, capped, failed;

    private void startWithExitsObserved(String job) throws Exception {
        start(job, PULL);
        advise("job-all-leads", a -> a.weaveByToUri("direct:fetch-page").before().to("mock:fetch"));
        // the job's loop ends through job-end (routes/checkpoint.yaml), shared by every job's route
        advise("job-end", a -> {
            a.weaveByToUri("direct:job-done").before().to("mock:done");
            a.weaveByToUri("direct:job-capped").before().to("mock:capped");
        });
        advise("job-failed", a -> a.weaveAddFirst().to("mock:failed"));
        fetches = mock("fetch");
        done = mock("done");
        capped = mock("capped");
        failed = mock("failed");
    }

    @Test
    void keysetStopsOnHasMore() throws Exception {
        simulator(300).paging = "keyset"; // three full pages: only has_more=false on the third says "stop"
        ws.settings.put("leadpipe.source.leads-api.paging", "keyset");
        startWithExitsObserved(allLeadsJob());

        JobOutcome outcome = app.runJob("all-leads");

        assertThat(outcome.status()).isEqualTo("DONE");
        assertExits(3, 1, 0, 0);
        assertThat(ws.simulator.stats().requests()).as("a fourth page was asked for after has_more=false").isEqualTo(3);
        assertThat(ws.storedLeadKeys()).hasSize(300);
    }

    @Test
    void stopsWhenThereIsNoNextCursor() throws Exception {
        simulator(300); // cursor paging: the third page carries no next cursor
        startWithExitsObserved(allLeadsJob());

        assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");

        assertExits(3, 1, 0, 0);
        assertThat(ws.simulator.stats().requests()).as("requests after the last cursor").isEqualTo(3);
        assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
    }

    @Test
    void aLeadCapStopsTheLoopAfterThePageThatReachesItAndLeavesByJobCapped() throws Exception {
        simulator(1000);
        startWithExitsObserved(allLeadsJob("maxLeads", "150"));

        assertThat(app.runJob("all-leads").status()).isEqualTo("CAPPED");

        assertExits(2, 0, 1, 0);
        assertThat(ws.storedLeadKeys()).as("the capping page is kept whole").hasSize(200);
        assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("CAPPED");
    }

    @Test
    void aJobWhoseLeaseAnotherLiveProcessHoldsIsLeftAloneWithoutARequest() throws Exception {
        simulator(300);
        startWithExitsObserved(allLeadsJob());
        leaseHeldByAnotherHost();

        JobOutcome outcome = app.runJob("all-leads");

        assertThat(outcome.status()).isEqualTo("BUSY");
        assertExits(0, 0, 0, 0);
        assertThat(ws.simulator.stats().requests()).isZero();
        assertThat(ws.checkpoint("all-leads").get("lease_owner")).as("the other process keeps its lease").isEqualTo("someone-else");
    }

    /** runJob is synchronous: by now every exchange has passed the mocks. */
    private void assertExits(int pagesFetched, int toDone, int toCapped, int toFailed) {
        assertThat(fetches.getReceivedCounter()).as("pages fetched").isEqualTo(pagesFetched);
        assertThat(done.getReceivedCounter()).as("exits through job-done").isEqualTo(toDone);
        assertThat(capped.getReceivedCounter()).as("exits through job-capped").isEqualTo(toCapped);
        assertThat(failed.getReceivedCounter()).as("exits through job-failed").isEqualTo(toFailed);
    }

    private void leaseHeldByAnotherHost() throws Exception {
        OffsetDateTime now = OffsetDateTime.now();
        try (Connection conn = ws.db(); PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, next_cursor, page_no, lead_count, status, started_at, updated_at, "
                        + "lease_owner, lease_host, lease_pid, lease_since, lease_heartbeat_at, lease_expires_at) "
                        + "VALUES ('all-leads', 'leads-api', '', ?, NULL, 0, 0, 'RUNNING', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'someone-else', 'another-host', 4242, ?, ?, ?)")) {
            ps.setString(1, JobFilters.hash(""));
            ps.setObject(2, now);
            ps.setObject(3, now);
            ps.setObject(4, now.plusMinutes(10));
            ps.executeUpdate();
        }
    }
}
