package io.leadpipe.routes;

import io.leadpipe.job.ChildPull;
import io.leadpipe.simulator.CompaniesApi;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/children.yaml. store-child-page: a child page's leads, its fingerprint and its list's position commit
 * together — a failure woven in before the position is saved (step id save-child-position) in the middle of one
 * company's contacts (a kill there, in-process) leaves none of that page. extract-errors, as a child list meets it: a contact page the API
 * refuses fails the job cleanly, naming the company. Each next run resumes every list at its page: no company
 * page and no contact page already stored is fetched again.
 */
class ChildrenRouteTest extends RouteTestSupport {

    private static final String[] CHILDREN = {"routes/children.yaml", "routes/extract.yaml", "routes/fetch.yaml", "routes/checkpoint.yaml", "routes/errors.yaml"};

    @Test
    void aFailureInsideACompanysContactsLeavesNoneOfThatPageAndTheNextRunResumesAtIt() throws Exception {
        simulator(0);
        simulator.companies = 20;
        simulator.rateLimit = 10_000;
        ws.startSimulator(simulator);
        ws.settings.put("leadpipe.sources", "leads-api,companies,contacts");
        ws.settings.put("leadpipe.source.companies.url", ws.simulator.companiesUrl());
        ws.settings.put("leadpipe.source.companies.paging", "offset");
        ws.settings.put("leadpipe.source.companies.page-size", "10");
        ws.settings.put("leadpipe.source.contacts.url", ws.simulator.companiesUrl());
        ws.settings.put("leadpipe.source.contacts.cursor-param", "after");
        ws.settings.put("leadpipe.source.contacts.records-pointer", "/results");
        ws.settings.put("leadpipe.source.contacts.next-cursor-pointer", "/paging/next/after");
        ws.settings.put("leadpipe.source.contacts.total-pointer", "/total");
        ws.settings.put("leadpipe.source.contacts.page-size", "5");
        ws.settings.put("leadpipe.source.contacts.concurrency", "3");
        for (String s : List.of("companies", "contacts")) ws.settings.put("leadpipe.source." + s + ".max-requests-per-second", "2000");
        start("""
                - templatedRoute:
                    routeTemplateRef: extract-children
                    routeId: job-contacts
                    parameters:
                      - { name: jobId, value: contacts }
                      - { name: source, value: companies }
                      - { name: children, value: "{id}/contacts" }
                      - { name: childSource, value: contacts }
                """, CHILDREN);
        CompaniesApi api = ws.simulator.companies();
        int victim = 0;
        while (api.contactsOf(victim) < 3 * 5 + 1) victim++;
        String company = CompaniesApi.companyId(victim);
        AtomicBoolean killed = new AtomicBoolean();
        advise("store-child-page", a -> a.weaveById("save-child-position").before().process(e -> {
            ChildPull list = e.getVariable("pull", ChildPull.class);
            if (list.parentId().equals(company) && list.pageNo() == 2 && killed.compareAndSet(false, true)) {
                throw new IllegalStateException("injected before the position of " + company + "'s contact page 2 was saved");
            }
        }));

        assertThat(app.runJob("contacts").status()).isEqualTo("FAILED");

        assertThat(count("SELECT page_no FROM child_lists WHERE parent_id = ?", company)).as("its last committed page").isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM lead_jobs j JOIN leads l ON l.source = j.source AND l.lead_key = j.lead_key "
                + "WHERE j.job_id = 'contacts' AND l.payload LIKE ?", "%\"company_id\":\"" + company + "\"%"))
                .as("page 2's contacts were rolled back with its position").isEqualTo(5);
        Map<String, Integer> served = new java.util.HashMap<>(ws.simulator.stats().servesPerCursor());
        String page2 = served.keySet().stream().filter(k -> k.startsWith("contacts:" + company + "|") && !k.endsWith("|")).findFirst().orElseThrow();
        ws.simulator.stats().reset();

        // the second run: another company's third contact page is refused (400, not retried) — the job fails cleanly, naming it
        int other = victim + 1;
        while (api.contactsOf(other) < 3 * 5 + 1) other++;
        String otherCompany = CompaniesApi.companyId(other);
        simulator.failContactsAt = otherCompany + ":3";
        io.leadpipe.job.JobOutcome refused = app.runJob("contacts");
        assertThat(refused.status()).isEqualTo("FAILED");
        assertThat(String.valueOf(refused.report().get("children"))).as("the failed run's report counts the children").startsWith("20 parents: ").contains("in progress");
        assertThat(((Number) refused.report().get("leadsReceivedThisRun")).longValue()).as("child leads received in the second run").isPositive();
        assertThat(String.valueOf(ws.checkpoint("contacts").get("error"))).contains("the children of parent " + otherCompany + " failed at their page 3");
        assertThat(count("SELECT page_no FROM child_lists WHERE parent_id = ?", otherCompany)).isEqualTo(2);
        Map<String, Integer> secondRun = ws.simulator.stats().servesPerCursor();
        assertThat(secondRun).as("the first company resumed at its page 2, whose commit was lost").containsEntry(page2, 1).doesNotContainKey("contacts:" + company + "|");
        secondRun.forEach((page, n) -> served.merge(page, n, Integer::sum));
        simulator.failContactsAt = null;
        ws.simulator.stats().reset();

        assertThat(app.runJob("contacts").status()).isEqualTo("DONE");

        assertThat(ws.storedLeadKeys("contacts")).containsExactlyInAnyOrderElementsOf(api.allContactIds());
        Map<String, Integer> thirdRun = ws.simulator.stats().servesPerCursor();
        assertThat(thirdRun).as("the refused company resumed at its page 3").doesNotContainKey("contacts:" + otherCompany + "|");
        thirdRun.forEach((page, n) -> served.merge(page, n, Integer::sum));
        List<String> resumedPages = new java.util.ArrayList<>(secondRun.keySet());
        resumedPages.addAll(thirdRun.keySet());
        assertThat(resumedPages).as("no company page is fetched again").noneMatch(k -> k.startsWith("companies|"));
        served.forEach((page, n) -> assertThat(n).as("%s served over the three runs (page 2 of %s: its first serve was rolled back)", page, company)
                .isEqualTo(page.equals(page2) ? 2 : 1));
    }
}
