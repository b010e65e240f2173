package io.leadpipe.ratelimit;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.LeadpipeWiring;
import io.leadpipe.testing.QuotaFake;
import io.leadpipe.testing.QuotaWindow;
import io.leadpipe.testing.TestWorkspace;

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
        QuotaWindow window = QuotaWindow.fixed("second", 20, 1000, 370);
        try (TestWorkspace ws = new TestWorkspace(); QuotaFake api = new QuotaFake(300, List.of(window), (h, ws2, now) -> {
            h.set("X-RateLimit-Limit", "20");
            h.set("X-RateLimit-Remaining", Long.toString(window.remaining(now)));
            h.set("X-RateLimit-Reset", Long.toString((window.resetMillis(now) + 999) / 1000));
        }, (ex, spent, now) -> {
            ex.getResponseHeaders().set("Retry-After", "1");
            FakeApi.send(ex, 429, "application/json", "{\"message\":\"rate limited\"}");
        }).serve(ws)) {
            ws.settings.put("leadpipe.source.leads-api.page-size", "10"); // 30 pages: more than one window holds
            long floor = 2; // min(leadpipe.ratelimit.floor 10, a tenth of 20)
            List<String> pausedWhileTheApiSaidMore = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (LeadpipeWiring app = ws.app()) {
                // each governor pause, against what the API's last answer said (one job: answers come in order)
                app.rateLimits().onWait((key, millis) -> {
                    List<long[]> answers = api.answers();
                    long said = answers.isEmpty() ? -1 : answers.get(answers.size() - 1)[1];
                    if (said > floor) pausedWhileTheApiSaidMore.add(millis + " ms while the API said " + said + " were left");
                });
                assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");
            }

            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(api.allIds());
            assertThat(api.refused()).as("429s").isZero();
            assertThat(api.sentIntoAnnouncedSpent()).as("requests sent after the API said the window was spent").isZero();
            assertThat(pausedWhileTheApiSaidMore).as("governor pauses while the API said more than the floor was left").isEmpty();
        }
    }
}
