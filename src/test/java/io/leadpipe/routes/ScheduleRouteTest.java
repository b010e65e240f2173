package io.leadpipe.routes;

import org.apache.camel.Exchange;
import org.apache.camel.model.BeanDefinition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/schedule.yaml: a firing runs the job's own route; a failed job does not fail the firing (the job
 * has recorded it) but goes to scheduleDeferral, which decides the next firing. The Quartz trigger is
 * replaced by a direct endpoint, so each send is one firing.
 */
class ScheduleRouteTest extends RouteTestSupport {

    private static final String SCHEDULE = "- templatedRoute:\n    routeTemplateRef: schedule\n    routeId: schedule-all-leads\n    parameters:\n"
            + "      - { name: jobId, value: all-leads }\n      - { name: cron, value: \"0+0+2+1+*+?\" }\n";

    private void startFiredByHand() throws Exception {
        String[] routes = {PULL[0], PULL[1], PULL[2], PULL[3], "routes/schedule.yaml"};
        start(allLeadsJob() + SCHEDULE, routes);
        advise("schedule-all-leads", a -> {
            a.replaceFromWith("direct:fire");
            a.weaveByType(BeanDefinition.class).before().to("mock:deferral");
        });
        context.getRouteController().startRoute("schedule-all-leads");
    }

    @Test
    void aFiringRunsTheJobFromItsCheckpoint() throws Exception {
        simulator(300);
        startFiredByHand();

        Exchange firing = template().send("direct:fire", e -> { });

        assertThat(firing.getException()).isNull();
        assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
        assertThat(ws.storedLeadKeys()).hasSize(300);
        assertThat(mock("deferral").getReceivedCounter()).as("a job that completed is not deferred").isZero();
    }

    @Test
    void aFailedJobDoesNotFailTheFiringAndGoesToTheDeferral() throws Exception {
        simulator(1000);
        simulator.failStatus = 404;
        simulator.failAfterPages = 1;
        startFiredByHand();

        Exchange firing = template().send("direct:fire", e -> { });

        assertThat(firing.getException()).as("the failure is the job's, recorded in its checkpoint").isNull();
        assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("FAILED");
        assertThat(mock("deferral").getReceivedCounter()).as("the failed firing asked the deferral").isEqualTo(1);
    }
}
