package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.sink.fake.HubSpotFake;
import io.leadpipe.sink.fake.PdlCompanyFake;
import io.leadpipe.sink.fake.PdlFake;
import io.leadpipe.sink.fake.PdlPersonFake;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The enrichment profiles (profiles/enrichment) against fakes of People Data Labs' documented Company and Person
 * Enrichment APIs, delivering to HubSpot's fake: the enriched fields reach the CRM, "nothing known" (404) is cached so
 * every key is asked once, and no request goes into a spent window.
 */
class EnrichmentProfilesTest {

    private static final String KEY = "enrich-key"; // LEADPIPE_ENRICH_API_KEY in TestWorkspace.envWithKey()

    /** Delivery to HubSpot's fake with the enrichment profile, its window scaled from a minute to the fake's second. */
    private static TestWorkspace workspace(int leads, String profile, PdlFake pdl, HubSpotFake hubspot) throws Exception {
        TestWorkspace ws = CrmWorkspace.start(leads, "hubspot", hubspot.url());
        ws.settings.put("leadpipe.sink.enrichment.profile", profile);
        ws.settings.put("leadpipe.sink.enrichment.url", pdl.url());
        ws.settings.put("leadpipe.sink.enrichment.quota.minute.interval", "1s");
        pdl.windowMillis = 1000;
        return ws;
    }

    /** Every lead staged again without its enrichment, as a replay after a mapping fix would, and delivered again. */
    private static void deliverAgain(TestWorkspace ws) throws Exception {
        try (var c = ws.db(); var st = c.createStatement()) {
            st.executeUpdate("UPDATE leads SET sink_status = 'NEW', enrichment = NULL");
        }
        TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");
        assertThat(deliver.exitCode()).as(deliver.out() + deliver.err()).isZero();
    }

    @Test
    void companyByDomainEnrichesTheContactsAsksEachDomainOnceAndNeverIntoASpentMinute() throws Exception {
        try (PdlCompanyFake pdl = new PdlCompanyFake(KEY); HubSpotFake hubspot = new HubSpotFake(CrmWorkspace.TOKEN);
             TestWorkspace ws = workspace(120, "pdl-company", pdl, hubspot)) {
            pdl.windowLimit = 20;

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 120L));
            Set<String> domains = new TreeSet<>();
            hubspot.records().values().forEach(r -> domains.add(String.valueOf(r.get("website"))));
            assertThat(pdl.askedPerKey()).as("domains asked").containsOnlyKeys(domains);
            assertThat(pdl.askedPerKey().values()).as("calls per domain, a 404 included").allMatch(n -> n == 1);
            long unknown = domains.stream().filter(d -> !PdlFake.known(d)).count();
            assertThat(unknown).as("domains PDL knows nothing of").isPositive().isLessThan(domains.size());
            assertThat(pdl.requests()).as("more lookups than one window allows: the windows were waited out").isGreaterThan(pdl.windowLimit);
            assertThat(pdl.overLimit()).as("requests into a spent minute (429)").isZero();
            hubspot.records().values().forEach(c -> {
                String domain = String.valueOf(c.get("website"));
                if (PdlFake.known(domain)) {
                    assertThat(c).as(domain).containsEntry("industry", PdlCompanyFake.industry(domain)).containsEntry("country", "UNITED STATES");
                } else {
                    assertThat(c.get("industry")).as(domain + ": nothing known, the lead's own").isNotIn("computer software", "financial services");
                }
            });

            long calls = pdl.requests();
            deliverAgain(ws);
            assertThat(pdl.requests()).as("calls after the cache holds every domain, found or not").isEqualTo(calls);
            assertThat(hubspot.records().get("chloe.murphy0@north-systems0.example")).isNotNull();
        }
    }

    @Test
    void personByEmailEnrichesEachLeadAsksEachAddressOnceAndNeverIntoASpentMinute() throws Exception {
        try (PdlPersonFake pdl = new PdlPersonFake(KEY); HubSpotFake hubspot = new HubSpotFake(CrmWorkspace.TOKEN);
             TestWorkspace ws = workspace(60, "pdl-person", pdl, hubspot)) {
            pdl.windowLimit = 20;

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", 60L));
            assertThat(pdl.askedPerKey()).as("e-mails asked").containsOnlyKeys(hubspot.records().keySet());
            assertThat(pdl.askedPerKey().values()).as("calls per e-mail, a 404 included").allMatch(n -> n == 1);
            assertThat(pdl.overLimit()).as("requests into a spent minute (429)").isZero();
            long known = hubspot.records().keySet().stream().filter(PdlFake::known).count();
            assertThat(known).isPositive().isLessThan(60);
            hubspot.records().forEach((email, c) -> {
                if (PdlFake.known(email)) assertThat(c).as(email).containsEntry("industry", "computer software").containsEntry("country", "UNITED STATES");
                else assertThat(c.get("industry")).as(email + ": nothing known, the lead's own").isNotEqualTo("computer software");
            });

            long calls = pdl.requests();
            deliverAgain(ws);
            assertThat(pdl.requests()).as("calls after the cache holds every e-mail, found or not").isEqualTo(calls);
        }
    }

    @Test
    void aSpentCreditBalanceStopsDeliveryAfterOneCallAndLeavesEveryLeadStaged() throws Exception {
        try (PdlCompanyFake pdl = new PdlCompanyFake(KEY); HubSpotFake hubspot = new HubSpotFake(CrmWorkspace.TOKEN);
             TestWorkspace ws = workspace(100, "pdl-company", pdl, hubspot)) {
            pdl.credits.set(0); // 402 payment_required: every match of the term is used
            ws.settings.put("leadpipe.sink.enrichment.concurrency", "1");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out()).isNotZero();
            assertThat(pdl.paymentRequired()).isEqualTo(1);
            assertThat(pdl.requests()).as("no call after the 402: it would only be refused too").isEqualTo(1);
            assertThat(hubspot.records()).isEmpty();
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("NEW", 100L));

            pdl.credits.set(1_000_000); // the next term
            TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(deliver.exitCode()).as(deliver.out() + deliver.err()).isZero();
            assertThat(hubspot.records()).hasSize(100);
            assertThat(String.valueOf(hubspot.records().values().iterator().next().get("email"))).isEqualTo(
                    String.valueOf(hubspot.records().values().iterator().next().get("email")).toLowerCase(Locale.ROOT));
        }
    }
}
