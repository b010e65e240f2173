package io.leadpipe.ratelimit;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.ratelimit.RetryAfter;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 429's Retry-After (in seconds, or as an HTTP date) is waited at least as long as asked and not much longer,
 * measured at the API. A timing test: it runs in the `timing` execution, beside no CPU-bound test.
 */
class RetryAfterPacingTest {

    @ParameterizedTest
    @ValueSource(strings = {"seconds", "http-date"})
    void retryAfterIsWaitedAtLeastAsLongAsAskedAndNotMuchLonger(String style) throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            c.retryAfterStyle = style;
            c.burstEvery = 3;          // requests 6, 9, 12: a 429 asking to come back in 2 s
            c.burstLength = 1;
            c.burstRetryAfterSeconds = 2;
            ws.startSimulator(c);
            ws.settings.put("leadpipe.retry.base-delay-ms", "50"); // without Retry-After the wait would be ~50 ms

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, 1000));
            List<SimulatorStats.RequestRecord> log = ws.simulator.stats().requestLog();
            int checked = 0;
            for (int i = 0; i + 1 < log.size(); i++) {
                SimulatorStats.RequestRecord r = log.get(i);
                if (r.status() != 429) continue;
                long next = log.get(i + 1).arrivedMillis();
                long earliest = style.equals("seconds")
                        ? r.arrivedMillis() + Long.parseLong(r.retryAfter()) * 1000
                        : RetryAfter.httpDate(r.retryAfter()).map(Instant::toEpochMilli).orElseThrow();
                assertThat(next).as("the retry after a 429 (%s: %s) came no earlier than asked", style, r.retryAfter()).isGreaterThanOrEqualTo(earliest);
                assertThat(next - earliest).as("and not much later").isLessThan(1500);
                checked++;
            }
            assertThat(checked).as("429s seen").isGreaterThanOrEqualTo(2);
            assertThat(run.out()).contains("× 429").doesNotContain("(0 × 429");
        }
    }
}
