package io.leadpipe.paging;

import io.leadpipe.monitor.MonitoringTest;
import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Most vendors clamp the page size silently (ask for 500, get 100). Every pagination kind must still pull
 * the whole list: offset paging advances by what came back, a short page ends the pull only when it is
 * shorter than what the API has been returning, and the loop guard counts pages of the API's real size.
 */
class ClampedPageSizeTest {

    private static final int LEADS = 450; // 5 pages of the API's 100; not a multiple of it
    private static final int ASKED = 500;
    private static final int CLAMP = 100;
    private static final String CLAMP_LINE = "the API returns at most 100 per page; asked 500";

    // page numbers with a total are counted in pages of the served size: OffsetPaginatorTest
    @ParameterizedTest(name = "{0} ({1}, simulator {2}, total reported: {3})")
    @CsvSource({
            "cursor, GET,  cursor, true",
            "offset, GET,  offset, true",
            "offset, GET,  offset, false",
            "page,   POST, page,   false",
    })
    void aClampedPageSizeStillPullsTheWholeList(String kind, String method, String simulatorKind, boolean reportTotal) throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); MonitoringTest.CapturedLog log = new MonitoringTest.CapturedLog()) {
            SimulatorConfig c = clampingSimulator(simulatorKind, method, reportTotal);
            ws.startSimulator(c);
            configure(ws, kind, method);

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:\n%s%s", run.out(), run.err()).isZero();
            Set<String> missing = new TreeSet<>(TestWorkspace.idsOf(0, LEADS));
            missing.removeAll(ws.storedLeadKeys());
            assertThat(missing).as("ids never stored (of %d)", LEADS).isEmpty();
            assertThat(ws.storedLeadKeys()).hasSize(LEADS);
            assertThat(ws.simulator.stats().pages()).as("pages requested: %d pages of the API's real size", (LEADS + CLAMP - 1) / CLAMP)
                    .isEqualTo((LEADS + CLAMP - 1) / CLAMP);
            assertThat(ws.simulator.stats().pagesServedAgain()).isZero();
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            assertThat(run.out()).contains("completeness    PASS");
            assertThat(occurrences(log.text(), CLAMP_LINE)).as("the clamp is logged once:\n%s", log.text()).isEqualTo(1);
        }
    }

    /** Before the fix a cursor pull failed the loop guard at page 2, and again on every rerun: a resumed pull must finish too. */
    @Test
    void aResumedCursorPullUnderAClampFinishes() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = clampingSimulator("cursor", "GET", true);
            c.failStatus = 400; // the first run fails after page 3, its checkpoint kept
            c.failAfterPages = 3;
            ws.startSimulator(c);
            configure(ws, "cursor", "GET");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isEqualTo(1);
            assertThat(ws.checkpoint("all-leads").get("page_no")).isEqualTo(3);
            c.failStatus = 0;
            ws.simulator.stats().reset();

            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(again.exitCode()).as("exit code; output:\n%s%s", again.out(), again.err()).isZero();
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            assertThat(((Number) ws.checkpoint("all-leads").get("lead_count")).longValue()).isEqualTo(LEADS);
            assertThat(ws.simulator.stats().pages()).as("pages 4 and 5").isEqualTo(2);
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, LEADS));
        }
    }

    private static SimulatorConfig clampingSimulator(String kind, String method, boolean reportTotal) {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = LEADS;
        c.paging = kind;
        c.method = method;
        c.reportTotal = reportTotal;
        c.pageSizeClamp = CLAMP;
        return c;
    }

    private static void configure(TestWorkspace ws, String kind, String method) {
        ws.settings.put("leadpipe.source.leads-api.paging", kind);
        ws.settings.put("leadpipe.source.leads-api.method", method);
        ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(ASKED));
        if (kind.equals("page")) ws.settings.put("leadpipe.source.leads-api.page-size-param", "per_page");
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
