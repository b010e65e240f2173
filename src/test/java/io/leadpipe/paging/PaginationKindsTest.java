package io.leadpipe.paging;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every pagination kind, configured only by properties, pulls the full set exactly once, end to end. */
class PaginationKindsTest {

    private static final int LEADS = 1234; // not a multiple of the page size: the last page is short

    @ParameterizedTest(name = "{0} ({1}, simulator {2}, total reported: {3})")
    @CsvSource({
            "cursor,        GET,  cursor,            true",
            "cursor-header, GET,  cursor-header,     true",
            "next-url,      GET,  next-url,          true",
            "next-url,      GET,  next-url-relative, true",
            "link-header,   GET,  link-header,       true",
            "keyset,        GET,  keyset,            true",
            "offset,        GET,  offset,            true",
            "offset,        GET,  offset,            false",
            "page,          GET,  page,              true",
            "page,          GET,  page,              false",
            "cursor,        POST, cursor,            true",
            "keyset,        POST, keyset,            true",
            "offset,        POST, offset,            true",
            "page,          POST, page,              false",
    })
    void pullsTheFullSetExactlyOnce(String kind, String method, String simulatorKind, boolean reportTotal) throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = LEADS;
            c.paging = simulatorKind;
            c.method = method;
            c.reportTotal = reportTotal;
            ws.startSimulator(c);
            ws.settings.put("leadpipe.source.leads-api.paging", kind);
            ws.settings.put("leadpipe.source.leads-api.method", method);
            if (kind.equals("page")) ws.settings.put("leadpipe.source.leads-api.page-size-param", "per_page");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:\n%s%s", run.out(), run.err()).isZero();
            List<String> keys = ws.storedLeadKeys();
            assertThat(keys).as("stored ids").hasSize(LEADS);
            assertThat(new HashSet<>(keys)).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(ws.simulator.stats().pages()).as("pages requested").isEqualTo((LEADS + 99) / 100);
            assertThat(ws.simulator.stats().pagesServedAgain()).isZero();
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
        }
    }
}
