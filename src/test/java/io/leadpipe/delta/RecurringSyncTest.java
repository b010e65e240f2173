package io.leadpipe.delta;

import io.leadpipe.testing.SourceRecords;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.auth.TokenSchemesTest;
import io.leadpipe.testing.VendorFake;

import io.leadpipe.delta.DeltaSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scheduled sync against each ready profile's fake: a full pull, then records changed, added and deleted at
 * the source, then the next run of the same incremental job. It asks in the vendor's own dialect (the profile's
 * delta.*), fetches only the change (requests counted), stores every changed value and every new record, marks
 * the deleted ones where the vendor shows them, and says in its report the watermark it used, where it came
 * from and "N changed, M new". The vendor's clock 5 minutes ahead of or behind ours changes nothing.
 */
class RecurringSyncTest {

    static final int N = 250;

    static TestWorkspace workspace(String vendor, VendorFake fake) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        ws.settings.put("leadpipe.sources", vendor);
        ws.settings.put("leadpipe.source." + vendor + ".profile", vendor);
        ws.settings.put("leadpipe.source." + vendor + ".url", DeltaFakes.url(fake, vendor));
        // no quota windows in these fakes: do not pace below what a test machine does
        ws.settings.put("leadpipe.source." + vendor + ".max-requests-per-second", "200");
        if (vendor.equals("zoho")) ws.settings.put("leadpipe.source.zoho.auth", "api-key"); // a minted token: the fake takes one key (TokenSchemesTest renews)
        ws.jobs(TestWorkspace.job(vendor + "-sync", "", "source", vendor, "incremental", "true"));
        return ws;
    }

    static Map<String, Object> lead(TestWorkspace ws, String key) throws Exception {
        return lead(ws, null, key);
    }

    /** One source's lead ({@code source} null: any): hubspot and hubspot-search share ids. */
    static Map<String, Object> lead(TestWorkspace ws, String source, String key) throws Exception {
        try (Connection c = ws.db(); PreparedStatement ps = c.prepareStatement("SELECT payload, deleted_at_source FROM leads WHERE lead_key = ?"
                + (source == null ? "" : " AND source = ?"))) {
            ps.setString(1, key);
            if (source != null) ps.setString(2, source);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                java.util.HashMap<String, Object> m = new java.util.HashMap<>();
                m.put("payload", rs.getString(1));
                m.put("deleted", rs.getObject(2) != null);
                return m;
            }
        }
    }

    /** One vendor's fake, its records and what the test did to them at the source. */
    record Vendor(String name, SourceRecords data, VendorFake fake, List<String> changed, List<String> added, List<String> deleted) {
        Vendor(String name, SourceRecords data, VendorFake fake) {
            this(name, data, fake, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    /** Each vendor a source of its own (its profile, its fake) and an incremental job on it, in one workspace: two runs for all. */
    static TestWorkspace workspace(List<Vendor> vendors) throws Exception {
        TestWorkspace ws = new TestWorkspace();
        ws.settings.put("leadpipe.sources", String.join(",", vendors.stream().map(Vendor::name).toList()));
        StringBuilder jobs = new StringBuilder();
        for (Vendor v : vendors) {
            ws.settings.put("leadpipe.source." + v.name + ".profile", v.name);
            ws.settings.put("leadpipe.source." + v.name + ".url", DeltaFakes.url(v.fake, v.name));
            // no quota windows in these fakes: do not pace below what a test machine does
            ws.settings.put("leadpipe.source." + v.name + ".max-requests-per-second", "200");
            if (v.name.equals("zoho")) ws.settings.put("leadpipe.source.zoho.auth", "api-key"); // a minted token (TokenSchemesTest renews)
            jobs.append(TestWorkspace.job(v.name + "-sync", "", "source", v.name, "incremental", "true"));
        }
        ws.jobs(jobs.toString());
        return ws;
    }

    /** The text of one job's run report in the run's output. */
    static String report(String out, String job) {
        int at = out.indexOf("──── run report: " + job + " "); // a sliced job's says "(N slices)" after its name
        assertThat(at).as("a report for " + job + " in:\n" + out).isNotNegative();
        int end = out.indexOf("──── run report: ", at + 1);
        return end < 0 ? out.substring(at) : out.substring(at, end);
    }

    @Test
    @Timeout(180)
    void eachVendorsNextRunFetchesOnlyWhatChangedAndStoresAllOfIt() throws Exception {
        Map<String, Integer> vendors = new java.util.LinkedHashMap<>();
        for (String v : List.of("github", "hubspot", "hubspot-search", "stripe", "salesforce", "pipedrive-v2", "apollo", "outreach", "zoho")) vendors.put(v, 0);
        syncs(vendors);
    }

    /**
     * The API's clock 15 minutes ahead of ours, or behind — three times the overlap, so a watermark by our clock
     * would lose the edits behind: the watermark is the API's own updated-at, never later than the previous pull's start.
     */
    @Test
    @Timeout(180)
    void clockSkewOfFiveMinutesChangesNothing() throws Exception {
        syncs(Map.of("outreach", 900, "salesforce", -900, "zoho", 900, "pipedrive-v2", -900, "github", 900));
    }

    /** Each vendor's fake, its clock that many seconds off ours: a full pull, changes at the source, the next run. */
    private static void syncs(Map<String, Integer> skews) throws Exception {
        List<Vendor> vendors = new ArrayList<>();
        try {
            for (Map.Entry<String, Integer> e : skews.entrySet()) {
                String name = e.getKey();
                SourceRecords data = new SourceRecords(N, DeltaFakes.ids(name), Duration.ofSeconds(e.getValue()));
                vendors.add(new Vendor(name, data, DeltaFakes.of(name, data)));
            }
            try (TestWorkspace ws = workspace(vendors)) {
                TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
                assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
                assertThat(ws.storedLeadKeys()).hasSize(N * vendors.size());
                Map<String, Integer> fullRequests = new java.util.HashMap<>();
                for (Vendor v : vendors) {
                    fullRequests.put(v.name, v.fake.requests());
                    v.changed.addAll(v.data.change(5));
                    v.added.addAll(v.data.add(3));
                    v.deleted.addAll(v.data.delete(2));
                }
                TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");
                assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
                for (Vendor v : vendors) checkDelta(ws, v, fullRequests.get(v.name), report(second.out(), v.name + "-sync"), skews.get(v.name));
            }
        } finally {
            for (Vendor v : vendors) v.fake.close();
        }
    }

    private static void checkDelta(TestWorkspace ws, Vendor v, int fullRequests, String said, int skewSeconds) throws Exception {
        int deltaRequests = v.fake.requests() - fullRequests;
        DeltaSpec d = DeltaSpec.from(DeltaDialectsTest.settings(v.name, DeltaFakes.url(v.fake, v.name)), v.name);
        System.out.println("[recurring-sync] " + v.name + " (API clock " + skewSeconds + " s off): full pull " + fullRequests + " requests, delta pull "
                + deltaRequests + "; " + said.lines().map(String::strip).filter(l -> l.startsWith("delta ")).findFirst().orElse("no delta line"));
        // every new record stored; every changed value stored (a creation-only filter cannot see changes: it says so)
        for (String id : v.added) assertThat(lead(ws, id)).as(v.name + ": new " + id).isNotNull();
        if (d.covers() == DeltaSpec.Covers.UPDATED) {
            for (String id : v.changed) assertThat((String) lead(ws, id).get("payload")).as(v.name + ": changed " + id).contains(" v1");
        }
        // a feed of deletions at another endpoint (Pipedrive's recents): one more request after the delta, its own job
        boolean feed = io.leadpipe.config.DeletionFeeds.declared(DeltaDialectsTest.settings(v.name, DeltaFakes.url(v.fake, v.name)), v.name);
        // marked: by the delta's own pages, or by the listing of deleted records that follows a sync (HubSpot archived=true, a feed)
        if (d.deletedPointer() != null && (d.filters() || d.deletedParam() != null) || feed) {
            for (String id : v.deleted) assertThat(lead(ws, v.name, id).get("deleted")).as(v.name + ": deleted at the source, kept and marked: " + id).isEqualTo(true);
        }
        // kept, not erased: a lead deleted at the source stays, marked where the vendor says so
        for (String id : v.deleted) assertThat(lead(ws, id)).as(v.name + ": a deleted lead is kept").isNotNull();
        assertThat(ws.checkpoint(v.name + "-sync")).containsEntry("status", "DONE").containsEntry("mode", "INCREMENTAL");
        assertThat(said).doesNotContain("GAP");
        if (d.filters()) {
            assertThat(deltaRequests).as(v.name + ": the delta fits one page — the change only, not the list again" + (feed ? "; then the feed's one page" : ""))
                    .isEqualTo(feed ? 2 : 1);
            // the data's own updated-at (or the previous pull's start, where the largest one stored is later)
            assertThat(said).contains("delta           watermark ").containsPattern("\\(from (the largest updated-at stored|the previous pull's start), ");
            int changedCount = d.covers() == DeltaSpec.Covers.CREATED ? 0 : v.changed.size() + (d.deletedPointer() != null ? v.deleted.size() : 0);
            assertThat(said).as(v.name).contains(changedCount + " changed, " + v.added.size() + " new, ");
            if (d.deletedPointer() != null || feed) assertThat(said).contains(v.deleted.size() + " deleted at the source");
        } else {
            assertThat(deltaRequests).as(v.name + ": no delta filter — the whole list again").isEqualTo(fullRequests);
            assertThat(said).contains("(from none: the API has no \"changed since\" filter, a full pull); " + v.changed.size() + " changed, " + v.added.size() + " new, ");
        }
    }

    /**
     * HubSpot search serves at most 10,000 results per query (here the fake's cap is 50, pages of 10): a full pull of 130
     * and a delta of 65 changes are each cut before the page that would reach past the cap, and start again after the
     * last id read (hs_object_id GT, sorted by it). Every record is fetched exactly once, in the fewest requests, and the
     * report says the query was cut; the proof is against the first window's total, the whole query's.
     */
    @Test
    @Timeout(120)
    void aHubSpotSearchPastItsCapIsCutAndEveryRecordFetchedOnce() throws Exception {
        SourceRecords data = new SourceRecords(130, DeltaFakes.ids("hubspot-search"), Duration.ZERO);
        Map<String, Integer> served = new java.util.concurrent.ConcurrentHashMap<>();
        try (VendorFake fake = DeltaFakes.hubspotSearch(data, 50, served);
             TestWorkspace ws = workspace(List.of(new Vendor("hubspot-search", data, fake)))) {
            ws.settings.put("leadpipe.source.hubspot-search.page-size", "10");
            ws.settings.put("leadpipe.source.hubspot-search.max-results", "50"); // the fake's cap, as the profile's 10,000 is HubSpot's
            // the full pull stops at a cap of 7 requests, inside the second window, and the next run goes on in that window
            ws.jobs(TestWorkspace.job("hubspot-search-sync", "", "source", "hubspot-search", "incremental", "true", "maxRequests", "7"));
            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(ws.checkpoint("hubspot-search-sync")).as(capped.out() + capped.err()).containsEntry("status", "CAPPED");
            assertThat(report(capped.out(), "hubspot-search-sync")).containsPattern("query cut +1 times");
            // status says the position in words: inside the second window, after the last id of the first
            TestWorkspace.CliResult status = ws.cli(TestWorkspace.envWithKey(), "status", "hubspot-search-sync");
            assertThat(status.out()).as(status.out() + status.err()).containsPattern("query cut: inside a cut window — the query sent again for the records after 50[0-9]{2} ");
            // probe says, before any pull meets it, that a query past max-results is cut and by what
            int beforeProbe = fake.requests();
            Map<String, Integer> pulled = Map.copyOf(served);
            TestWorkspace.CliResult probe = ws.cli(TestWorkspace.envWithKey(), "probe", "hubspot-search");
            int probed = fake.requests() - beforeProbe; // probe's one request: not the pull's
            served.clear();
            served.putAll(pulled);
            assertThat(probe.out()).as(probe.out() + probe.err()).contains("query cut       a query past max-results (50 records) is cut: sent again from its first page with "
                    + "{\"propertyName\":\"hs_object_id\",\"operator\":\"GT\",\"value\":\"{last}\"} added at /filterGroups/0/filters/- in the body");
            ws.jobs(TestWorkspace.job("hubspot-search-sync", "", "source", "hubspot-search", "incremental", "true"));
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            assertThat(fake.requests() - probed).as("130 records in pages of 10, cut twice: 13 requests, none past the cap").isEqualTo(13);
            assertThat(served).as("every record sent once").hasSize(130).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            String full = report(first.out(), "hubspot-search-sync");
            assertThat(full).containsPattern("query cut +1 times").contains("PASS: 130 distinct leads stored = the API's total of 130");

            served.clear();
            List<String> changed = data.change(65);
            List<String> added = data.add(5);
            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            String delta = report(second.out(), "hubspot-search-sync");
            // 65 changed, 5 new, and the newest record of the full pull, whose updated-at is the watermark (GTE): 71
            assertThat(fake.requests() - probed - 13).as("71 records in pages of 10, cut once: 8 requests").isEqualTo(8);
            assertThat(served).as("only the change, each record once").containsKeys(changed.toArray(String[]::new)).containsKeys(added.toArray(String[]::new))
                    .hasSize(changed.size() + added.size() + 1).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            for (String id : changed) assertThat((String) lead(ws, id).get("payload")).as("changed " + id).contains(" v1");
            for (String id : added) assertThat(lead(ws, id)).as("new " + id).isNotNull();
            assertThat(delta).containsPattern("query cut +1 times").contains(changed.size() + " changed, " + added.size() + " new, ")
                    .contains("PASS: 71 distinct leads stored = the API's total of 71");
        }
    }

    /** The fake's cap is HubSpot's, 10,000 results per query, unless a test says otherwise: the page reaching past it is refused. */
    @Test
    void theHubSpotSearchFakesCapIsTenThousand() throws Exception {
        try (VendorFake fake = DeltaFakes.hubspotSearch(new SourceRecords(3, DeltaFakes.ids("hubspot-search"), Duration.ZERO))) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.util.function.IntFunction<Integer> post = after -> {
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(DeltaFakes.url(fake, "hubspot-search")))
                            .header("Authorization", "Bearer " + DeltaFakes.KEY).header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"limit\":100,\"after\":\"" + after + "\"}")).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertThat(post.apply(9_900)).as("results 9,901 to 10,000").isEqualTo(200);
            assertThat(post.apply(9_901)).as("a page reaching past the 10,000th result").isEqualTo(400);
        }
    }

    /** probe --since shows the delta request exactly as a pull sends it: the vendor's parameter, header or SOQL. */
    @Test
    @Timeout(120)
    void probeSinceShowsTheDeltaRequest() throws Exception {
        SourceRecords data = new SourceRecords(30, DeltaFakes.ids("outreach"), Duration.ZERO);
        SourceRecords zohoData = new SourceRecords(30, DeltaFakes.ids("zoho"), Duration.ZERO);
        try (VendorFake outreach = DeltaFakes.outreach(data); VendorFake zoho = DeltaFakes.zoho(zohoData);
             TestWorkspace ws = workspace(List.of(new Vendor("outreach", data, outreach), new Vendor("zoho", zohoData, zoho)))) {
            TestWorkspace.CliResult probe = ws.cli(TestWorkspace.envWithKey(), "probe", "outreach", "--since", "2026-12-05T14:33:34Z");
            assertThat(probe.out()).as(probe.out() + probe.err())
                    .contains("query filter[updatedAt]={since}..inf (iso-8601), since 2026-12-05T14:33:34Z")
                    .contains("filter%5BupdatedAt%5D=2026-12-05T14%3A33%3A34Z..inf");
            TestWorkspace.CliResult header = ws.cli(TestWorkspace.envWithKey(), "probe", "zoho", "--since", "2026-12-05T14:33:34Z");
            assertThat(header.out()).as(header.out() + header.err()).contains("If-Modified-Since: 2026-12-05T14:33:34+00:00");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "probe", "zoho", "--since", "yesterday").exitCode()).isEqualTo(2);
        }
    }

    /**
     * A delta proves itself against the API's count of the delta query: one that stored fewer records than the
     * API counts is a GAP (exit 3), never PASS. status says the watermark and where it came from.
     */
    @Test
    @Timeout(120)
    void aDeltaShortOfTheApisCountIsAGap() throws Exception {
        SourceRecords data = new SourceRecords(30, DeltaFakes.ids("outreach"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.outreach(data, 4); TestWorkspace ws = workspace(List.of(new Vendor("outreach", data, fake)))) {
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).as("the full pull: the count is the whole list's").isZero();
            data.change(2);
            TestWorkspace.CliResult delta = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(delta.out()).contains("completeness    GAP: the API reported ").contains("4 missing");
            assertThat(delta.exitCode()).isEqualTo(3);
            TestWorkspace.CliResult status = ws.cli(TestWorkspace.envWithKey(), "status");
            assertThat(status.out()).contains("job outreach-sync delta: watermark ").contains("(from the largest updated-at stored, ").contains("2 changed, 0 new");
        }
    }

    /** Zoho answers 304 Not Modified when nothing changed since If-Modified-Since: an empty delta, not a failure. */
    @Test
    @Timeout(120)
    void nothingModifiedIsAnEmptyDelta() throws Exception {
        SourceRecords data = new SourceRecords(30, DeltaFakes.ids("zoho"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.zoho(data); TestWorkspace ws = workspace("zoho", fake)) {
            ws.settings.put("leadpipe.source.zoho.delta.overlap-seconds", "0");
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
            assertThat(again.out()).contains("0 changed, 0 new, 0 re-read unchanged").contains("leads received  0 this run");
            assertThat(ws.checkpoint("zoho-sync")).containsEntry("status", "DONE");
        }
    }

    /** A delta job whose source's paging or delta changed since its last pull is refused like a changed filter, pointing to reset. */
    @Test
    @Timeout(120)
    void changedSettingsAreRefusedPointingToReset() throws Exception {
        SourceRecords data = new SourceRecords(30, DeltaFakes.ids("outreach"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.outreach(data); TestWorkspace ws = workspace("outreach", fake)) {
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            ws.settings.put("leadpipe.source.outreach.delta.template", "{since}");
            TestWorkspace.CliResult refused = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(refused.exitCode()).isNotZero();
            assertThat(String.valueOf(ws.checkpoint("outreach-sync").get("error")))
                    .contains("was pulled with other settings of source 'outreach'").contains("leadpipe reset outreach-sync");
            int before = fake.requests();
            assertThat(ws.cli(TestWorkspace.envWithKey(), "reset", "outreach-sync").exitCode()).isZero();
            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
            assertThat(fake.requests() - before).as("after reset: a full pull under the new settings").isEqualTo(1);
            assertThat(ws.storedLeadKeys()).hasSize(30);
        }
    }

}
