package io.leadpipe.routes;

import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/errors.yaml: 429/5xx and I/O failures are retried up to leadpipe.retry.max-retries, anything else
 * fails at once; and because the shared steps have no handler of their own, a failure reaches job-failed
 * exactly once, from the job's route.
 */
class ErrorsRouteTest extends RouteTestSupport {

    private MockEndpoint attempts, failures;

    private void startObserved() throws Exception {
        ws.settings.put("leadpipe.retry.max-retries", "2");
        start(allLeadsJob(), PULL);
        advise("fetch-page", a -> a.weaveAddFirst().to("mock:attempt"));
        advise("job-failed", a -> a.weaveAddFirst().to("mock:failed"));
        attempts = mock("attempt");
        failures = mock("failed");
    }

    @Test
    void a503IsRetriedUpToTheBudgetThenFailsTheJobExactlyOnce() throws Exception {
        simulator(1000);
        simulator.failStatus = 503;
        simulator.failAfterPages = 1;
        startObserved();

        assertThat(app.runJob("all-leads").status()).isEqualTo("FAILED");

        assertThat(attempts.getReceivedCounter()).as("page 1, then page 2 tried 1 + 2 times").isEqualTo(4);
        assertThat(failures.getReceivedCounter()).as("job-failed runs once, however many steps the failure passed").isEqualTo(1);
        assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("FAILED");
        assertThat(((Number) ws.checkpoint("all-leads").get("page_no")).intValue()).isEqualTo(1);
    }

    @Test
    void aClientErrorFailsTheJobAtOnceWithoutARetry() throws Exception {
        simulator(1000);
        simulator.failStatus = 404;
        simulator.failAfterPages = 1;
        startObserved();

        assertThat(app.runJob("all-leads").status()).isEqualTo("FAILED");

        assertThat(attempts.getReceivedCounter()).as("page 1, then page 2 once").isEqualTo(2);
        assertThat(app.counters().of("all-leads").retries.get()).isZero();
        assertThat(failures.getReceivedCounter()).isEqualTo(1);
        assertThat(String.valueOf(ws.checkpoint("all-leads").get("error"))).contains("404");
    }
}
