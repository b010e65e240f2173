package io.leadpipe.routes;

import io.leadpipe.job.Pull;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;


import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/fetch.yaml: prepare → pace → GET → observe → read is one step of the job's loop, so a retry runs
 * all of it again — a 503 is asked again, and a truncated body is fetched anew, not re-parsed. The faults
 * are real answers of the simulator, switched on for exactly the attempts that should get them.
 */
class FetchRouteTest extends RouteTestSupport {

    @Test
    void aPageAnsweredWith503AndThenATruncatedBodyIsFetchedAgainAsOneStep() throws Exception {
        startWith503ThenTruncatedBodyOnPage2();
        MockEndpoint attempts = mock("attempt");
        MockEndpoint pagesRead = mock("page-read");

        assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");

        assertThat(ws.simulator.stats().requestLog()).as("503s served").filteredOn(r -> r.status() == 503).hasSize(1);
        assertThat(ws.simulator.stats().truncated()).as("truncated bodies served").isEqualTo(1);
        assertThat(attempts.getReceivedCounter()).as("the whole route ran again for each retry (prepare and pace included)").isEqualTo(5);
        assertThat(ws.simulator.stats().requests()).as("the truncated answer was fetched anew, not re-parsed").isEqualTo(5);
        assertThat(pagesRead.getReceivedCounter()).as("pages read").isEqualTo(3);
        assertThat(app.counters().of("all-leads").retries.get()).as("retries counted").isEqualTo(2);
        assertThat(app.counters().of("all-leads").serverErrors.get()).as("server errors counted (the 503 only)").isEqualTo(1);
        assertThat(app.counters().of("all-leads").transportErrors.get()).as("transport errors counted (the truncated body)").isEqualTo(1);
        assertThat(ws.storedLeadKeys()).as("every lead once").hasSize(300).doesNotHaveDuplicates();
    }

    /** Camel keeps an earlier attempt's exception as a suppressed one: a retry must be explained (and paced) by its own. */
    @Test
    void eachRetryIsExplainedByItsOwnFailureNotAnEarlierAttempts() throws Exception {
        startWith503ThenTruncatedBodyOnPage2();
        PrintStream original = System.out;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new TeeStream(log, original), true, StandardCharsets.UTF_8));
        try {
            assertThat(app.runJob("all-leads").status()).isEqualTo("DONE");
        } finally {
            System.setOut(original);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("page=2 attempt 1 failed (HTTP 503)");
        assertThat(text).as("the truncated body's retry line").doesNotContain("page=2 attempt 2 failed (HTTP 503)").contains("page=2 attempt 2 failed (");
    }

    private void startWith503ThenTruncatedBodyOnPage2() throws Exception {
        simulator(300);
        start(allLeadsJob(), PULL);
        advise("fetch-page", a -> {
            a.weaveAddFirst().to("mock:attempt");
            // the second page's first attempt gets a 503, its second a body cut off mid-JSON, its third the page
            a.weaveByToUri("kamelet:api-call*").before().process(e -> {
                boolean secondPage = e.getVariable("pull", Pull.class).pageNo() == 1;
                int attempt = e.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
                simulator.failStatus = secondPage && attempt == 0 ? 503 : 0;
                simulator.truncateRate = secondPage && attempt == 1 ? 1.0 : 0;
            });
            a.weaveAddLast().to("mock:page-read");
        });
    }

    /** Writes to both streams: the log stays visible while the test reads it. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream copy, original;

        TeeStream(OutputStream copy, OutputStream original) {
            this.copy = copy;
            this.original = original;
        }

        @Override public void write(int b) throws IOException {
            copy.write(b);
            original.write(b);
        }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            copy.write(b, off, len);
            original.write(b, off, len);
        }
    }
}
