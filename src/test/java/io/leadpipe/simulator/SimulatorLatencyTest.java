package io.leadpipe.simulator;

import io.leadpipe.simulator.LeadsApiSimulator;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The simulator's latency spread (latency-jitter), which the utilisation benchmarks use for "300 ms ± 50%". */
class SimulatorLatencyTest {

    @Test
    void answersWaitTheLatencySpreadByTheJitter() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.apiKey = "k";
        c.leads = 100;
        c.rateLimit = Integer.MAX_VALUE;
        c.latencyMillis = 100;
        c.latencyJitter = 0.5;
        try (LeadsApiSimulator sim = new LeadsApiSimulator(c).start()) {
            HttpClient http = HttpClient.newHttpClient();
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sim.leadsUrl() + "?limit=5")).header(c.apiKeyHeader, "k").build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                millis.add((System.nanoTime() - t0) / 1_000_000);
            }
            // a lower bound holds on any machine; the spread shows the latency is not fixed (uniform over 50–150 ms)
            assertThat(Collections.min(millis)).as("fastest of %s", millis).isGreaterThanOrEqualTo(49);
            assertThat(Collections.max(millis) - Collections.min(millis)).as("spread of %s", millis).isGreaterThanOrEqualTo(25);
        }
    }

    @Test
    void aJitterOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> SimulatorConfig.from(Map.of("leadpipe.simulator.latency-jitter", "1.5")::get))
                .hasMessageContaining("latency-jitter");
    }
}
