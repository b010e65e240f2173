package io.leadpipe.routes;

import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** pace → call → observe is written once (routes/kamelets/api-call.kamelet.yaml) and used by every API call. */
class ApiCallKameletTest {

    static final Path KAMELET = Path.of("routes/kamelets/api-call.kamelet.yaml");

    @Test
    void paceCallAndObserveAreWrittenOnlyInTheKamelet() throws Exception {
        Map<String, Integer> where = new TreeMap<>();
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                String yaml = Files.readString(f);
                for (String step : List.of("method: acquire", "method: observe", "httpClientConfigurer=", "throttle:")) {
                    int n = count(yaml, step);
                    if (n > 0) where.merge(f + " " + step, n, Integer::sum);
                }
            }
        }
        assertThat(where).as("where the paced call is written").isEqualTo(Map.of(
                KAMELET + " method: acquire", 1, KAMELET + " method: observe", 1,
                KAMELET + " httpClientConfigurer=", 1, KAMELET + " throttle:", 1));
        // the key stays inside the HTTP client: never a header, never a query parameter of the call
        assertThat(Files.readString(KAMELET)).contains("httpClientConfigurer=#auth-${variable.source}").doesNotContainIgnoringCase("setHeader");
    }

    @Test
    void theFetchTheCrmAndTheEnrichmentCallsEachRunThroughIt() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 200;
        try (TestWorkspace ws = new TestWorkspace().withSink(c)) {
            ws.startSimulator(c);
            try (LeadpipeWiring app = ws.app()) {
                assertThat(app.runJobs(app.jobs())).allMatch(o -> "DONE".equals(o.status()));
                Exchange drain = app.deliver();
                assertThat(drain.getException()).isNull();
                assertThat(drain.getVariable("deliveredCount", Integer.class)).isEqualTo(200);

                // a call's method converts by its own converter, not by a scan of Camel's registry (HttpMethodConverters)
                assertThat(app.context().getTypeConverterRegistry().lookup(org.apache.camel.component.http.HttpMethods.class, String.class))
                        .as("the text → HttpMethods converter is in the context").isNotNull();
                List<Route> fromKamelet = app.context().getRoutes().stream().filter(Route::isCreatedByKamelet).toList();
                assertThat(fromKamelet).as("one api-call route per call site: page fetch, CRM, enrichment").hasSize(3)
                        .allMatch(r -> r.getId().startsWith("api-call-"));
                // each call site hands its calls to a route of its own (its own Throttler, as before the kamelet)
                assertThat(fromKamelet.stream().map(Route::getId).distinct()).hasSize(3);
            }
            assertThat(ws.simulator.stats().pages()).as("pages served").isEqualTo(2);
            assertThat(ws.simulator.crm().upsertsPerId()).hasSize(200);
            assertThat(ws.simulator.crm().enrichRequests()).as("enrichment calls made").isPositive();
        }
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
