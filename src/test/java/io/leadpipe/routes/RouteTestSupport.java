package io.leadpipe.routes;

import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.simulator.SimulatorConfig;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.util.function.ThrowingConsumer;
import org.junit.jupiter.api.AfterEach;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A route test's world: the real application wiring ({@link LeadpipeWiring}, so the beans are the production
 * beans, not a second copy) started on a fresh H2 file with only the route files under test, against the
 * bundled simulator on loopback. Edges are replaced after start with {@link AdviceWith} (the route is
 * restarted advised) and progress is waited on with NotifyBuilder or mock expectations, never sleeps.
 */
abstract class RouteTestSupport {

    /** The route files every pull needs: the job template, its shared steps and the error handling. */
    static final String[] PULL = {"routes/extract.yaml", "routes/fetch.yaml", "routes/checkpoint.yaml", "routes/errors.yaml"};

    protected TestWorkspace ws;
    protected SimulatorConfig simulator;
    protected LeadpipeWiring app;
    protected CamelContext context;
    private ProducerTemplate template;

    /** A workspace and a simulator of {@code leads} leads, with fast retries and no timers in the way. */
    protected SimulatorConfig simulator(int leads) throws Exception {
        ws = new TestWorkspace();
        simulator = new SimulatorConfig();
        simulator.leads = leads;
        ws.settings.put("leadpipe.retry.base-delay-ms", "10");
        ws.settings.put("leadpipe.retry.max-delay-ms", "50");
        ws.settings.put("leadpipe.retry.jitter", "0");
        ws.settings.put("leadpipe.sink.retry.base-delay-ms", "10");
        ws.settings.put("leadpipe.sink.retry.jitter", "0");
        ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
        return simulator;
    }

    /** Starts the application with exactly these route files (relative to the project) and the given jobs. */
    protected void start(String jobsYaml, String... routeFiles) throws Exception {
        if (ws.simulator == null) ws.startSimulator(simulator);
        List<String> files = new ArrayList<>();
        Arrays.stream(routeFiles).forEach(f -> files.add("file:" + f));
        if (jobsYaml != null) {
            java.nio.file.Path jobs = ws.dir.resolve("jobs.yaml");
            java.nio.file.Files.writeString(jobs, jobsYaml);
            files.add("file:" + jobs);
        }
        ws.settings.put("camel.main.routes-include-pattern", String.join(",", files));
        app = ws.app();
        context = app.context();
        template = context.createProducerTemplate();
    }

    /** The default job of the extract template: all-leads on the simulator. */
    protected static String allLeadsJob(String... extraParams) {
        return TestWorkspace.job("all-leads", "", extraParams);
    }

    /** Replaces the edges of a running route; Camel stops it, applies the advice and starts it again. */
    protected void advise(String routeId, ThrowingConsumer<AdviceWithRouteBuilder, Exception> advice) throws Exception {
        AdviceWith.adviceWith(context, routeId, advice);
    }

    protected MockEndpoint mock(String name) {
        return context.getEndpoint("mock:" + name, MockEndpoint.class);
    }

    protected ProducerTemplate template() {
        return template;
    }

    protected long count(String sql, Object... params) throws Exception {
        try (Connection c = ws.db(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @AfterEach
    void stopTheApplication() throws Exception {
        if (template != null) template.stop();
        if (app != null) app.close();
        if (ws != null) ws.close();
    }
}
