package io.leadpipe.schedule;

import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;

import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Quartz routes (routes/schedule.yaml) stay stopped unless the scheduler is enabled (`serve`). */
class ScheduledRoutesTest {

    private static final String JOBS = TestWorkspace.job("nightly", "")
            + "- templatedRoute:\n    routeTemplateRef: schedule\n    routeId: schedule-nightly\n    parameters:\n"
            + "      - { name: jobId, value: nightly }\n      - { name: cron, value: \"0+0+2+1+*+?\" }\n";

    private static ServiceStatus scheduleRouteStatus(boolean schedulerEnabled) throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.jobs(JOBS);
            ws.settings.put("camel.main.routes-include-pattern", ws.settings.get("camel.main.routes-include-pattern") + ",file:routes/schedule.yaml");
            ws.settings.put("leadpipe.scheduler.enabled", Boolean.toString(schedulerEnabled));
            try (LeadpipeWiring app = ws.app()) {
                assertThat(app.jobs()).as("a scheduled job is not run by `run`").containsExactly("nightly");
                return app.context().getRouteController().getRouteStatus("schedule-nightly");
            }
        }
    }

    @Test
    void scheduleRoutesStayStoppedUnderRun() throws Exception {
        assertThat(scheduleRouteStatus(false)).isEqualTo(ServiceStatus.Stopped);
    }

    @Test
    void scheduleRoutesStartWhenTheSchedulerIsEnabled() throws Exception {
        assertThat(scheduleRouteStatus(true)).isEqualTo(ServiceStatus.Started);
    }
}
