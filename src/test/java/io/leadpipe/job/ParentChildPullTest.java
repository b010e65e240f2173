package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.CompaniesApi;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parent → child jobs (routes/children.yaml) against the simulator's companies and their contacts: 50
 * companies (offset paging, 20 a page), 0–30 contacts each (cursor paging, 5 a page), on one key.
 */
class ParentChildPullTest {

    private static final int CONTACTS_PAGE = 5;

    private static TestWorkspace workspace(SimulatorConfig c, String jobsYaml) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        c.rateLimit = 10_000;
        c.latencyMillis = 15;
        ws.startSimulator(c);
        String companies = ws.simulator.companiesUrl();
        ws.settings.put("leadpipe.sources", "leads-api,companies,contacts,contacts-flat");
        ParentChildSources.companies(ws.settings, companies);
        // the path form replaces the URL's path; the filter form keeps the flat endpoint
        ParentChildSources.contacts(ws.settings, "contacts", companies, CONTACTS_PAGE, 4);
        ParentChildSources.contacts(ws.settings, "contacts-flat", ws.simulator.contactsUrl(), CONTACTS_PAGE, 1);
        Path jobs = ws.dir.resolve("jobs.yaml");
        Files.writeString(jobs, jobsYaml);
        ws.settings.put("camel.main.routes-include-pattern", TestWorkspace.CORE_ROUTES + ",file:routes/children.yaml,file:" + jobs);
        return ws;
    }

    private static String childrenJob(String id, String children, String childSource) {
        return "- templatedRoute:\n    routeTemplateRef: extract-children\n    routeId: job-" + id + "\n    parameters:\n"
                + "      - { name: jobId, value: \"" + id + "\" }\n"
                + "      - { name: source, value: companies }\n"
                + "      - { name: children, value: \"" + children + "\" }\n"
                + "      - { name: childSource, value: " + childSource + " }\n";
    }

    @Test
    void everyContactOfEveryCompanyIsStoredOnceByThePathAndTheFilterForm() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        // every 5th company also lists the previous one's first contact: in two lists and both totals, stored once
        c.sharedContactEvery = 5;
        try (TestWorkspace ws = workspace(c, childrenJob("by-path", "/v1/companies/{id}/contacts", "contacts")
                + childrenJob("by-filter", "company_id={id}", "contacts-flat"))) {
            CompaniesApi api = ws.simulator.companies();

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            List<String> expected = api.allContactIds();
            assertThat(expected).hasSizeGreaterThan(300);
            for (String job : List.of("by-path", "by-filter")) {
                assertThat(ws.checkpoint(job).get("status")).isEqualTo("DONE");
                assertThat(ws.storedLeadKeys(job)).as("job %s: every contact of every company, once", job).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
            }
            long listed = api.listedContacts();
            assertThat(listed).as("contacts listed under two companies").isGreaterThan(expected.size());
            assertThat(run.out()).contains("children        50 parents: 50 done, 0 in progress, 0 not started; " + listed + " child leads");
            // the proof is per list: a contact in two lists is no gap (it was a false GAP when distinct leads were held against the lists' totals)
            assertThat(run.out()).contains("completeness    PASS: every child list complete — " + listed + " records in 50 lists = the lists' totals of "
                    + listed + " (" + expected.size() + " distinct leads: " + (listed - expected.size()) + " records are leads listed under more than one parent)");
            // one row per lead and child source: the two jobs read two sources
            assertThat(count(ws, "SELECT COUNT(*) FROM leads WHERE source = 'contacts'")).isEqualTo(expected.size());
            assertThat(count(ws, "SELECT COUNT(*) FROM leads WHERE source = 'companies'")).as("parents are not leads").isZero();
            // every page was asked for once: 3 company pages per job, and each company's contact pages (an empty list is one page)
            int contactPages = 0;
            for (int i = 0; i < api.companies(); i++) contactPages += Math.max(1, (api.contactsOf(i) + CONTACTS_PAGE - 1) / CONTACTS_PAGE);
            Map<String, Integer> requests = ws.simulator.stats().requestsPerCursor();
            requests.forEach((page, n) -> assertThat(n).as("requests for %s", page).isEqualTo(page.startsWith("companies|") ? 2 : 1));
            assertThat(requests.get("companies|o:0")).as("each job lists the companies once").isEqualTo(2);
            assertThat(requests.keySet().stream().filter(k -> k.startsWith("contacts:"))).as("the path form's contact pages").hasSize(contactPages);
            assertThat(requests.keySet().stream().filter(k -> k.startsWith("contacts?company_id="))).as("the filter form's contact pages").hasSize(contactPages);
            assertThat(ws.simulator.stats().requests()).isEqualTo(2L * (3 + contactPages));
            assertThat(api.maxInFlight()).as("the path job pulls up to 4 companies' contacts at once").isBetween(2, 4 + 1);

            TestWorkspace.CliResult status = ws.cli(TestWorkspace.envWithKey(), "status");
            assertThat(status.out()).contains("children: 50 parents: 50 done, 0 in progress, 0 not started; " + listed + " child leads");
        }
    }

    /**
     * A parent → child job's credit budget counts every request, the parents' and the children's: with a cap of
     * 20 it stops CAPPED among the contact lists (3 company pages + at most 4 lists in flight past the cap), each
     * list at its saved page; raising the cap continues every list where it stood and fetches no page twice.
     * A leads cap counts the child leads.
     */
    @Test
    void theJobsCapsCountTheChildrensRequestsAndLeadsAndRaisingThemContinuesEveryList() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        String job = childrenJob("by-path", "/v1/companies/{id}/contacts", "contacts");
        try (TestWorkspace ws = workspace(c, job + "      - { name: maxRequests, value: \"20\" }\n")) {
            CompaniesApi api = ws.simulator.companies();

            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(capped.exitCode()).as("a cap is a clean stop: %s%s", capped.out(), capped.err()).isZero();
            assertThat(capped.out()).contains("status          CAPPED").contains("requests made, cap 20");
            long made = ws.simulator.stats().requests();
            assertThat(made).as("the cap of 20, overshot by at most the 3 other lists in flight").isBetween(20L, 23L);
            assertThat(ws.checkpoint("by-path").get("status")).isEqualTo("CAPPED");
            assertThat(((Number) ws.checkpoint("by-path").get("requests")).longValue()).as("the checkpoint counts the children's requests").isEqualTo(made);

            Files.writeString(ws.dir.resolve("jobs.yaml"), job + "      - { name: maxLeads, value: \"150\" }\n");
            TestWorkspace.CliResult leadsCapped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(leadsCapped.exitCode()).as(leadsCapped.out()).isZero();
            assertThat(leadsCapped.out()).contains("status          CAPPED").contains("child leads received, cap 150");
            long stored = ws.storedLeadKeys("by-path").size();
            assertThat(stored).as("child leads: the cap, plus at most a page of each of the 4 lists in flight")
                    .isBetween(150L, 150L - 1 + 4L * CONTACTS_PAGE);

            Files.writeString(ws.dir.resolve("jobs.yaml"), job);
            TestWorkspace.CliResult raised = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(raised.exitCode()).as(raised.out()).isZero();
            assertThat(ws.checkpoint("by-path").get("status")).isEqualTo("DONE");
            List<String> expected = api.allContactIds();
            assertThat(ws.storedLeadKeys("by-path")).as("every contact once").hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
            ws.simulator.stats().requestsPerCursor().forEach((page, n) -> assertThat(n).as("requests for %s over the three runs", page).isEqualTo(1));
        }
    }

    @Test
    void aChildSourceThatIsNotDeclaredOrATemplateWithoutTheIdStopsBeforeAnythingIsOpened() throws Exception {
        try (TestWorkspace ws = workspace(new SimulatorConfig(), childrenJob("bad-source", "{id}/contacts", "contactz"))) {
            ws.newDatabase = true; // the checks below are that leadpipe itself creates no database
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("job bad-source reads its children from source 'contactz', which is not in leadpipe.sources");
            assertThat(ws.dir.resolve("db")).doesNotExist();
        }
        try (TestWorkspace ws = workspace(new SimulatorConfig(), childrenJob("no-id", "/v1/companies/contacts", "contacts"))) {
            ws.newDatabase = true;
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("job no-id: children '/v1/companies/contacts' must contain {id}");
        }
    }

    private static long count(TestWorkspace ws, String sql) throws Exception {
        try (Connection db = ws.db(); ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
