package io.leadpipe.ratelimit;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** leadpipe slows down before the API says 429, whatever header style the API uses. */
class RateLimitPacingTest {

    private static final int LEADS = 2000; // 20 pages: with 10 requests per 2 s, at least three windows

    private static TestWorkspace tightLimit(String headerStyle) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        SimulatorConfig c = new SimulatorConfig();
        c.leads = LEADS;
        c.rateLimit = 10;
        c.rateWindowMillis = 2000;
        c.headerStyle = headerStyle;
        ws.startSimulator(c);
        return ws;
    }

    private static void assertCompleteSet(TestWorkspace ws, TestWorkspace.CliResult run) throws Exception {
        assertThat(run.exitCode()).as("exit code; output:\n%s%s", run.out(), run.err()).isZero();
        List<String> keys = ws.storedLeadKeys();
        assertThat(keys).hasSize(LEADS);
        assertThat(new HashSet<>(keys)).isEqualTo(TestWorkspace.idsOf(0, LEADS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x-ratelimit-epoch", "x-ratelimit-delta", "ietf-legacy", "ietf-structured"})
    void aTightLimitWithHeadersCompletesWithZeroAvoidable429s(String headerStyle) throws Exception {
        try (TestWorkspace ws = tightLimit(headerStyle)) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertCompleteSet(ws, run);
            SimulatorStats stats = ws.simulator.stats();
            assertThat(stats.avoidableRateLimited()).as("avoidable 429s (%s)", headerStyle).isZero();
            assertThat(stats.rateLimited()).as("429s of any kind (%s)", headerStyle).isZero();
            // 20 requests at 9 per 2 s window (floor 1 of 10) cannot fit in less than two window changes
            List<SimulatorStats.RequestRecord> log = stats.requestLog();
            long span = log.get(log.size() - 1).arrivedMillis() - log.get(0).arrivedMillis();
            assertThat(span).as("the pull was paced over several windows").isGreaterThan(2000);
        }
    }

    @Test
    void withoutHeadersTheClientSideLimitKeepsThePullUnderTheQuota() throws Exception {
        try (TestWorkspace ws = tightLimit("none")) {
            // 10 per 2 s allowed; the Throttler's 4 per second leaves headroom for latency jitter
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "4");
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertCompleteSet(ws, run);
            assertThat(ws.simulator.stats().rateLimited()).as("429s").isZero();
            List<SimulatorStats.RequestRecord> log = ws.simulator.stats().requestLog();
            StringBuilder gaps = new StringBuilder();
            for (int i = 1; i < log.size(); i++) gaps.append(log.get(i).arrivedMillis() - log.get(i - 1).arrivedMillis()).append(' ');
            // the Throttler spaces permits, the API sees arrivals: the first requests of a run take longer from permit to
            // API (the HTTP endpoint and client are made after the first permit; cold code on a loaded machine), which
            // can bring a later one closer to them than its permit was. From the 3rd request on, the run is warm.
            for (int i = 6; i < log.size(); i++) {
                assertThat(log.get(i).arrivedMillis() - log.get(i - 4).arrivedMillis())
                        .as("any 5 consecutive requests span at least a second (Throttler, 4/s); gaps: %s", gaps).isGreaterThanOrEqualTo(950);
            }
        }
    }
}
