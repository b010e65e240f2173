package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.CompaniesApi;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A parent → child job as a real process, killed with SIGKILL while child lists are part-way through their
 * pages, and started again: it resumes every list at its own page (no company page and no stored contact page
 * fetched again, at most the pages in flight), and ends with every contact once.
 */
class ParentChildKillIT {

    static final int CONTACTS_PAGE = 3;
    static final int CONCURRENCY = 4;

    @Test
    void aKillInsideAChildListResumesThereWithEveryContactOnce() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.companies = 40;
            c.rateLimit = 100_000;
            c.latencyMillis = 50; // ~270 contact pages, 4 lists at a time: a few seconds to kill it in
            c.latencyJitter = 0.5;
            ws.startSimulator(c);
            String companies = ws.simulator.companiesUrl();
            ws.settings.put("leadpipe.sources", "leads-api,companies,contacts");
            ParentChildSources.companies(ws.settings, companies);
            ParentChildSources.contacts(ws.settings, "contacts", companies, CONTACTS_PAGE, CONCURRENCY);
            Path jobs = ws.dir.resolve("jobs.yaml");
            Files.writeString(jobs, "- templatedRoute:\n    routeTemplateRef: extract-children\n    routeId: job-contacts\n    parameters:\n"
                    + "      - { name: jobId, value: \"contacts\" }\n      - { name: source, value: companies }\n"
                    + "      - { name: children, value: \"/v1/companies/{id}/contacts\" }\n      - { name: childSource, value: contacts }\n");
            ws.settings.put("camel.main.routes-include-pattern", TestWorkspace.CORE_ROUTES + ",file:routes/children.yaml,file:" + jobs);

            Path log1 = ws.dir.resolve("run1.log");
            Process first = ws.startProcess(log1, "run");
            try {
                // the process makes the database (and its generated password) first: no query before the simulator has a request.
                // Killed once some list is part-way: its position saved after page 2 or later, at least 3 pages to go
                await().atMost(60, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions()
                        .until(() -> ws.simulator.stats().requests() > 0
                                && count(ws, "SELECT COUNT(*) FROM child_lists WHERE status <> 'DONE' AND page_no >= 2"
                                + " AND api_total - lead_count >= " + 3 * CONTACTS_PAGE) > 0 // 3 pages still to go: the kill lands inside it
                                && count(ws, "SELECT COUNT(*) FROM child_lists WHERE status = 'DONE'") >= 5);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("no child list was ever part-way; process log:\n" + Files.readString(log1), e);
            }
            assertThat(first.isAlive()).as("still pulling when killed").isTrue();
            new ProcessBuilder("kill", "-KILL", Long.toString(first.pid())).start().waitFor();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            long partWay = count(ws, "SELECT COUNT(*) FROM child_lists WHERE status <> 'DONE' AND page_no >= 1");
            assertThat(partWay).as("lists part-way at the kill").isPositive();

            Path log2 = ws.dir.resolve("run2.log");
            Process second = ws.startProcess(log2, "run");
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("second run finishes").isTrue();
            assertThat(second.exitValue()).as("second run exit code; log:\n%s", Files.readString(log2)).isZero();

            CompaniesApi api = ws.simulator.companies();
            List<String> expected = api.allContactIds();
            List<String> keys = ws.storedLeadKeys("contacts");
            assertThat(keys).as("every contact of every company, once").hasSameSizeAs(expected);
            assertThat(new HashSet<>(keys)).isEqualTo(new HashSet<>(expected));
            assertThat(ws.checkpoint("contacts").get("status")).isEqualTo("DONE");
            Map<String, Integer> requests = ws.simulator.stats().requestsPerCursor();
            requests.forEach((page, n) -> {
                if (page.startsWith("companies|")) assertThat(n).as("company page %s: listed once, not again after the kill", page).isEqualTo(1);
            });
            long again = requests.entrySet().stream().filter(e -> e.getKey().startsWith("contacts:") && e.getValue() > 1).count();
            assertThat(again).as("contact pages fetched twice (at most the %d lists in flight, one page each): %s", CONCURRENCY,
                    requests.entrySet().stream().filter(e -> e.getValue() > 1).toList()).isLessThanOrEqualTo(CONCURRENCY);
        }
    }

    private static long count(TestWorkspace ws, String sql) throws Exception {
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
