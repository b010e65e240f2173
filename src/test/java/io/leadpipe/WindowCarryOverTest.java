package io.leadpipe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An API whose windows do not start on whole seconds and whose reset is sent in epoch seconds, rounded up
 * (GitHub and many others): each new window starts from what the API says, never from the old window's count.
 */
class WindowCarryOverTest {

    @Test
    @Timeout(120)
    void aNewWindowStartsFromWhatTheApiSaysNotFromTheOldWindowsCount() throws Exception {
        // 20 requests per second, windows starting 370 ms past each whole second, reset rounded up
        QuotaFake.Window window = QuotaFake.Window.fixed("second", 20, 1000, 370);
        try (TestWorkspace ws = new TestWorkspace(); QuotaFake api = new QuotaFake(300, List.of(window), (h, ws2, now) -> {
            h.set("X-RateLimit-Limit", "20");
            h.set("X-RateLimit-Remaining", Long.toString(window.remaining(now)));
            h.set("X-RateLimit-Reset", Long.toString((window.resetMillis(now) + 999) / 1000));
        }, (ex, spent, now) -> {
            ex.getResponseHeaders().set("Retry-After", "1");
            FakeApi.send(ex, 429, "application/json", "{\"message\":\"rate limited\"}");
        }).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.page-size", "10"); // 30 pages: more than one window holds
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(api.allIds());
            assertThat(api.refused()).as("429s").isZero();
            assertThat(api.sentIntoAnnouncedSpent()).as("requests sent after the API said the window was spent").isZero();
            // a pause (a gap between an answer and the next request) only after an answer that said the floor was reached
            List<long[]> answers = api.answers();
            List<Long> arrivals = api.arrivals();
            long floor = 2; // min(leadpipe.ratelimit.floor 10, a tenth of 20)
            StringBuilder paused = new StringBuilder();
            for (int i = 1; i + 1 < arrivals.size(); i++) { // after the first page: its checkpoint row is created, the JVM warms up
                long gap = arrivals.get(i + 1) - answers.get(i)[0];
                if (gap > 400 && answers.get(i)[1] > floor) paused.append(gap).append(" ms after an answer saying ").append(answers.get(i)[1]).append(" left; ");
            }
            assertThat(paused.toString()).as("pauses while the API said more than the floor was left").isEmpty();
        }
    }
}
