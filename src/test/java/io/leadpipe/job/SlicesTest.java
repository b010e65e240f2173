package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Partitioned jobs: a job cut into slices (filter values or a time range), each slice a pull of its own with its
 * own checkpoint, run at once on the key's one governor; the job's report sums them and proves completeness per
 * slice; one slice failing leaves the others DONE and the next run pulls it alone, from its checkpoint.
 */
class SlicesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COUNTRIES = List.of("DE", "FR", "US", "GB");

    @Test
    void aJobCutIntoFourCountrySlicesStoresEveryLeadOnceUnderOneSharedQuota() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 3000;
            c.rateLimit = 10;          // a tight window: four slices with a governor each would overspend it
            c.rateWindowMillis = 1000;
            c.latencyMillis = 50;      // a slice's second request waits for its first answer: room for all four to start
            ws.startSimulator(c);
            LeadDataset data = ws.simulator.dataset();
            ws.jobs(TestWorkspace.job("by-country", "", "slices", "country=DE|country=FR|country=US|country=GB"));
            ws.settings.put("leadpipe.source.leads-api.page-size", "100");
            ws.settings.put("leadpipe.ratelimit.floor", "0");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:%n%s%s", run.out(), run.err()).isZero();
            Set<String> expected = ids(c.leads, i -> COUNTRIES.contains(data.countryOf(i)));
            for (String country : COUNTRIES) {
                String slice = "by-country." + country;
                Set<String> own = ids(c.leads, i -> data.countryOf(i).equals(country));
                assertThat(ws.checkpoint(slice).get("status")).as("slice %s", slice).isEqualTo("DONE");
                assertThat(new TreeSet<>(leadIds(ws.storedLeadKeys(slice)))).as("leads seen by slice %s", slice).isEqualTo(own);
            }
            assertThat(ws.storedLeadKeys()).as("every lead of the four countries stored once").hasSize(expected.size());
            assertThat(new TreeSet<>(leadIds(ws.storedLeadKeys()))).isEqualTo(expected);
            assertThat(ws.simulator.stats().rateLimited()).as("429s: the slices share the key's one governor").isZero();
            assertThat(ws.simulator.stats().firstPages()).as("one first page per slice").isEqualTo(4);
            // the slices ran at once: every slice's first page was asked for before any slice's third
            List<SimulatorStats.WireRequest> wire = ws.simulator.stats().wireLog();
            assertThat(wire.subList(0, 4)).as("the first four requests are the four slices' first pages")
                    .allMatch(w -> !w.rawQuery().contains("cursor="));

            JsonNode report = JSON.readTree(Files.readString(ws.dir.resolve("reports/by-country.json")));
            assertThat(report.path("status").asText()).isEqualTo("DONE");
            assertThat(report.path("leadsStored").asLong()).isEqualTo(expected.size());
            assertThat(report.path("completeness").asText()).isEqualTo("PASS: every slice complete — " + expected.size()
                    + " distinct leads in 4 slices = the API's totals of " + expected.size());
            assertThat(report.path("slices")).hasSize(4);
            for (JsonNode s : report.path("slices")) {
                long own = ids(c.leads, i -> data.countryOf(i).equals(s.path("slice").asText())).size();
                assertThat(s.path("completeness").asText()).as("slice %s", s.path("slice").asText())
                        .isEqualTo("PASS: " + own + " distinct leads stored = the API's total of " + own);
            }
            assertThat(run.out()).contains("──── run report: by-country (4 slices) ────", "4 of 4 DONE");

            TestWorkspace.CliResult status = ws.cli(java.util.Map.of(), "status", "by-country");
            assertThat(status.out()).contains("job by-country: DONE — 4 of 4 slices DONE, " + expected.size() + " leads");
            for (String country : COUNTRIES) assertThat(status.out()).contains("by-country." + country);
            assertThat(status.out()).doesNotContain("all-leads");

            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(again.out()).contains("job by-country: already DONE");
            // one slice held by a live run elsewhere: the reset is refused whole, no slice forgotten (it was slice by slice)
            try (Connection db = ws.db(); java.sql.PreparedStatement ps = db.prepareStatement("UPDATE extraction_checkpoint SET lease_owner = 'someone-else', "
                    + "lease_host = 'another-host', lease_pid = 4242, lease_since = ?, lease_heartbeat_at = ?, lease_expires_at = ? WHERE job_id = 'by-country.US'")) {
                java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
                ps.setObject(1, now);
                ps.setObject(2, now);
                ps.setObject(3, now.plusMinutes(10));
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            TestWorkspace.CliResult refused = ws.cli(java.util.Map.of(), "reset", "by-country");
            assertThat(refused.exitCode()).as(refused.out() + refused.err()).isNotZero();
            assertThat(refused.err()).contains("by-country.US").contains("another-host");
            for (String country : COUNTRIES) assertThat(ws.checkpoint("by-country." + country).get("status")).as("slice %s kept", country).isEqualTo("DONE");
            try (Connection db = ws.db(); java.sql.Statement st = db.createStatement()) {
                st.executeUpdate("UPDATE extraction_checkpoint SET lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_expires_at = NULL WHERE job_id = 'by-country.US'");
            }
            TestWorkspace.CliResult reset = ws.cli(java.util.Map.of(), "reset", "by-country");
            assertThat(reset.out()).contains("4 of 4 slice checkpoints forgotten");
            assertThat(ws.cli(java.util.Map.of(), "status", "by-country").out()).contains("0 of 4 slices DONE");
        }
    }

    @Test
    void timeRangeSlicesOnUpdatedAndOnStripesCreatedBracketsCoverEveryLeadOnce() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 2000; // one a minute from 2026-01-01T00:00Z: 33 h 20 min of updated_at and created
            ws.startSimulator(c);
            long start = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
            ws.jobs(TestWorkspace.job("by-updated", "", "slices", "updated_since..updated_before from 2026-01-01T00:00:00Z to 2026-01-02T12:00:00Z step 6h")
                    + TestWorkspace.job("by-created", "", "slices", "created[gte]..created[lt] from " + start + " to " + (start + 36 * 3600) + " step 12h"));
            ws.settings.put("leadpipe.source.leads-api.page-size", "200");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:%n%s%s", run.out(), run.err()).isZero();
            Set<String> all = ids(c.leads, i -> true);
            assertThat(ws.storedLeadKeys()).hasSize(c.leads);
            for (String job : List.of("by-updated", "by-created")) {
                JsonNode report = JSON.readTree(Files.readString(ws.dir.resolve("reports/" + job + ".json")));
                assertThat(report.path("status").asText()).as(job).isEqualTo("DONE");
                assertThat(report.path("completeness").asText()).as(job).startsWith("PASS: every slice complete — " + c.leads + " distinct leads in");
                Set<String> seen = new HashSet<>();
                int slices = 0;
                for (JsonNode s : report.path("slices")) {
                    List<String> own = leadIds(ws.storedLeadKeys(s.path("job").asText()));
                    for (String id : own) assertThat(seen.add(id)).as("%s: lead %s in two slices", job, id).isTrue();
                    slices++;
                }
                assertThat(slices).as(job).isEqualTo("by-updated".equals(job) ? 6 : 3);
                assertThat(seen).as(job).isEqualTo(all);
            }
            assertThat(ws.checkpoint("by-updated.20260101T060000Z").get("lead_count")).as("06:00 to 12:00: 360 minutes").isEqualTo(360L);
            // Stripe's bracketed names are encoded once on the wire, and the bound is epoch seconds
            assertThat(ws.simulator.stats().wireLog()).anyMatch(w -> w.rawQuery().contains("created%5Bgte%5D=" + start + "&created%5Blt%5D=" + (start + 12 * 3600)));
            assertThat(ws.simulator.stats().wireLog()).anyMatch(w -> w.rawQuery().contains("updated_since=2026-01-01T06%3A00%3A00Z")
                    && w.rawQuery().contains("updated_before=2026-01-01T12%3A00%3A00Z"));
        }
    }

    @Test
    void oneSliceFailingLeavesTheOthersDoneAndTheNextRunResumesItAlone() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 2000;
            c.failStatus = 400;          // a refusal no retry fixes: the slice fails at once
            c.failFilter = "country=FR"; // only the FR slice, after two pages of it
            c.failAfterPages = 2;
            ws.startSimulator(c);
            LeadDataset data = ws.simulator.dataset();
            ws.jobs(TestWorkspace.job("by-country", "", "slices", "country=DE|country=FR|country=US|country=GB"));
            ws.settings.put("leadpipe.source.leads-api.page-size", "50");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");

            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(first.exitCode()).as("a failed slice fails the run; output:%n%s%s", first.out(), first.err()).isEqualTo(1);
            for (String country : List.of("DE", "US", "GB")) assertThat(ws.checkpoint("by-country." + country).get("status")).isEqualTo("DONE");
            assertThat(ws.checkpoint("by-country.FR").get("status")).isEqualTo("FAILED");
            assertThat(ws.checkpoint("by-country.FR").get("page_no")).as("FR keeps its two stored pages").isEqualTo(2);
            JsonNode failed = JSON.readTree(Files.readString(ws.dir.resolve("reports/by-country.json")));
            assertThat(failed.path("status").asText()).isEqualTo("FAILED");
            assertThat(failed.path("error").asText()).startsWith("slice FR (by-country.FR) FAILED: ").contains("3 of 4 slices DONE");
            assertThat(first.out()).contains("slice FR (by-country.FR) FAILED");
            assertThat(ws.cli(java.util.Map.of(), "status", "by-country").out()).contains("job by-country: not done — 3 of 4 slices DONE", "FR FAILED");

            ws.simulator.config().failStatus = 0;
            ws.simulator.stats().reset();
            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(second.exitCode()).as("output:%n%s%s", second.out(), second.err()).isZero();
            assertThat(ws.simulator.stats().wireLog()).as("only the FR slice is pulled again").isNotEmpty()
                    .allMatch(w -> w.rawQuery().contains("country=FR"));
            assertThat(ws.simulator.stats().firstPages()).as("FR resumes from its checkpoint, not its first page").isZero();
            assertThat(ws.checkpoint("by-country.FR").get("status")).isEqualTo("DONE");
            Set<String> expected = ids(c.leads, i -> COUNTRIES.contains(data.countryOf(i)));
            assertThat(ws.storedLeadKeys()).hasSize(expected.size());
            assertThat(new TreeSet<>(leadIds(ws.storedLeadKeys()))).isEqualTo(expected);
            JsonNode done = JSON.readTree(Files.readString(ws.dir.resolve("reports/by-country.json")));
            assertThat(done.path("status").asText()).isEqualTo("DONE");
            assertThat(done.path("completeness").asText()).startsWith("PASS: every slice complete — " + expected.size() + " distinct leads");
            assertThat(second.out()).contains("(already DONE)");
        }
    }

    /** A slice's page answered 429 is waited out and fetched again inside its slice, as a job's is: the job ends DONE. */
    @Test
    void aSlicesRateLimitedPageIsRetriedWithinTheSlice() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            c.burstEvery = 6;            // every 6th request starts a 429 (Retry-After: 1 s)
            c.burstLength = 1;
            c.burstRetryAfterSeconds = 1;
            ws.startSimulator(c);
            ws.jobs(TestWorkspace.job("by-country", "", "slices", "country=DE|country=FR|country=US|country=GB"));
            ws.settings.put("leadpipe.source.leads-api.page-size", "50");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(ws.simulator.stats().rateLimited()).as("429s answered").isPositive();
            assertThat(run.exitCode()).as("every 429 retried within its slice; output:%n%s%s", run.out(), run.err()).isZero();
            for (String country : COUNTRIES) assertThat(ws.checkpoint("by-country." + country).get("status")).isEqualTo("DONE");
        }
    }

    @Test
    void badSlicesStopBeforeAnythingIsOpened() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // the check below is that leadpipe itself creates no database
            ws.jobs(TestWorkspace.job("by-day", "", "slices", "updated_since..updated_before from 2026-01-01 to 2026-01-03 step 6h"));
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("job by-day: slices 'updated_since..updated_before from 2026-01-01 to 2026-01-03 step 6h': step '6h' is not whole days");
            ws.jobs(TestWorkspace.job("eu", "", "slices", "country=DE|country=FR") + TestWorkspace.job("eu.DE", "country=DE"));
            TestWorkspace.CliResult clash = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(clash.exitCode()).isEqualTo(2);
            assertThat(clash.err()).contains("slice DE of job eu would share its checkpoint with job 'eu.DE'");
            // slices = auto cuts by time: a source without both bounds of a time filter is refused, naming the keys
            ws.jobs(TestWorkspace.job("by-time", "", "slices", "auto"));
            ws.settings.put("leadpipe.source.leads-api.delta.in", "query");
            ws.settings.put("leadpipe.source.leads-api.delta.param", "updated_since");
            TestWorkspace.CliResult noUntil = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(noUntil.exitCode()).isEqualTo(2);
            assertThat(noUntil.err()).contains("job by-time: slices = auto cuts the job by time, but source leads-api has no time filter with both bounds: set "
                    + "leadpipe.source.leads-api.delta.in = query, leadpipe.source.leads-api.delta.param (the lower bound, inclusive, e.g. updated_since) and "
                    + "leadpipe.source.leads-api.delta.until-param (the upper bound, exclusive, e.g. updated_before)");
            assertThat(ws.dir.resolve("db")).doesNotExist();
        }
    }

    /**
     * slices = auto: the job's range of time cut on the source's time filter into slices of about the same number
     * of records by the API's counts, as many as the pages in flight the quota and answer time want; the plan is
     * kept, so a run stopped part-way (here by the request cap) resumes every slice under its name, from its
     * checkpoint: the second run asks for no count and fetches no page twice.
     */
    @Test
    void autoSlicesAreSizedFromTheApisCountsAndAStoppedRunResumesEachSlice() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 3000;            // one a minute from 2026-01-01T00:00Z
            c.rateLimit = 20;
            c.rateWindowMillis = 1000;
            c.latencyMillis = 150;     // 20/s × 0.15 s × 1.5: about 5 slices
            ws.startSimulator(c);
            timeFilter(ws);
            ws.settings.put("leadpipe.source.leads-api.page-size", "100");
            ws.settings.put("leadpipe.ratelimit.floor", "0");
            String auto = "auto from 2026-01-01T00:00:00Z to 2026-01-03T12:00:00Z";
            ws.jobs(TestWorkspace.job("by-time", "", "slices", auto, "maxRequests", "8"));

            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(capped.exitCode()).as("a cap is a clean stop; output:%n%s%s", capped.out(), capped.err()).isZero();
            Map<String, Long> pagesAfterCap = slicePages(ws, "by-time");
            assertThat(pagesAfterCap.size()).as("slices: %s", pagesAfterCap).isBetween(3, 8);
            String plan = keptPlan(ws, "by-time");
            long countRequests = ws.simulator.stats().requests() - requestsOfSlices(ws, "by-time");
            assertThat(countRequests).as("the count requests: the whole range, then one per halving").isBetween(2L, 4L * pagesAfterCap.size());
            long beforeResume = ws.simulator.stats().requests();

            ws.jobs(TestWorkspace.job("by-time", "", "slices", auto, "maxRequests", "0"));
            TestWorkspace.CliResult resumed = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(resumed.exitCode()).as("output:%n%s%s", resumed.out(), resumed.err()).isZero();
            Map<String, Long> pagesDone = slicePages(ws, "by-time");
            assertThat(pagesDone.keySet()).as("the same slices, by name").isEqualTo(pagesAfterCap.keySet());
            assertThat(keptPlan(ws, "by-time")).as("the plan kept from the first run").isEqualTo(plan);
            long remaining = 0;
            for (String slice : pagesDone.keySet()) {
                assertThat(ws.checkpoint(slice).get("status")).as("slice %s", slice).isEqualTo("DONE");
                remaining += pagesDone.get(slice) - pagesAfterCap.get(slice);
            }
            assertThat(ws.simulator.stats().requests() - beforeResume).as("the second run: only the pages not stored yet, no count").isEqualTo(remaining);
            assertThat(ws.storedLeadKeys()).as("every lead once").hasSize(c.leads);
            assertThat(ws.simulator.stats().rateLimited()).isZero();
            // about the same number of records in each slice
            long share = c.leads / pagesDone.size();
            for (String slice : pagesDone.keySet()) {
                assertThat((Long) ws.checkpoint(slice).get("lead_count")).as("slice %s of %d", slice, pagesDone.size()).isBetween(share / 2, share * 2);
            }
            JsonNode report = JSON.readTree(Files.readString(ws.dir.resolve("reports/by-time.json")));
            assertThat(report.path("status").asText()).isEqualTo("DONE");
            assertThat(report.path("completeness").asText()).isEqualTo("PASS: every slice complete — " + c.leads + " distinct leads in "
                    + pagesDone.size() + " slices = the API's totals of " + c.leads);
            // time slices: a record edited during the pull moves between slices, so "no slice lists it" is no deletion
            assertThat(report.path("reconciled").asText()).startsWith("NOT APPLIED — the job is sliced by a time range (slices = auto)");
            assertThat(ws.cli(java.util.Map.of(), "status", "by-time").out()).contains("job by-time: DONE — " + pagesDone.size() + " of " + pagesDone.size() + " slices DONE");

            // reset forgets the slices and the plan: the next run cuts the job again
            assertThat(ws.cli(java.util.Map.of(), "reset", "by-time").out()).contains(pagesDone.size() + " of " + pagesDone.size() + " slice checkpoints forgotten");
            assertThat(keptPlan(ws, "by-time")).isNull();
        }
    }

    /** An API that reports no total: the range is cut evenly by time, and the run says so; every lead still once. */
    @Test
    void autoSlicesWithoutTheApisTotalCutTheRangeEvenlyByTime() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            c.reportTotal = false;
            c.latencyMillis = 100;
            c.rateLimit = 30;
            c.rateWindowMillis = 1000;
            ws.startSimulator(c);
            timeFilter(ws);
            ws.settings.put("leadpipe.source.leads-api.page-size", "100");
            ws.jobs(TestWorkspace.job("by-time", "", "slices", "auto from 2026-01-01T00:00:00Z to 2026-01-01T16:40:00Z"));

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("output:%n%s%s", run.out(), run.err()).isZero();
            assertThat(run.out()).contains("cut (auto)", "slices cut evenly by time from 2026-01-01T00:00:00Z to 2026-01-01T16:40:00Z, not by records: "
                    + "source leads-api reports no total (total-pointer)");
            assertThat(ws.storedLeadKeys()).as("every lead once").hasSize(c.leads);
            Map<String, Long> slices = slicePages(ws, "by-time");
            assertThat(slices.size()).isBetween(2, 8);
            // one lead a minute: 1000 minutes of leads, cut evenly by time, every slice holds some
            long holding = slices.keySet().stream().filter(s -> {
                try {
                    return ((Long) ws.checkpoint(s).get("lead_count")) > 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).count();
            assertThat(holding).as("slices with leads: %s", slices).isEqualTo(slices.size());
        }
    }

    private static void timeFilter(TestWorkspace ws) {
        // the simulator's range on updated_at: updated_since inclusive, updated_before exclusive
        ws.settings.put("leadpipe.source.leads-api.delta.in", "query");
        ws.settings.put("leadpipe.source.leads-api.delta.param", "updated_since");
        ws.settings.put("leadpipe.source.leads-api.delta.until-param", "updated_before");
    }

    /** Each slice's checkpoint page (its pages stored), by slice job id. */
    private static Map<String, Long> slicePages(TestWorkspace ws, String job) throws Exception {
        Map<String, Long> pages = new java.util.TreeMap<>();
        try (Connection db = ws.db(); java.sql.PreparedStatement ps = db.prepareStatement("SELECT job_id, page_no FROM extraction_checkpoint WHERE job_id LIKE ?")) {
            ps.setString(1, job + ".%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) pages.put(rs.getString(1), rs.getLong(2));
            }
        }
        return pages;
    }

    private static long requestsOfSlices(TestWorkspace ws, String job) throws Exception {
        try (Connection db = ws.db(); java.sql.PreparedStatement ps = db.prepareStatement("SELECT SUM(requests) FROM extraction_checkpoint WHERE job_id LIKE ?")) {
            ps.setString(1, job + ".%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String keptPlan(TestWorkspace ws, String job) throws Exception {
        try (Connection db = ws.db(); java.sql.PreparedStatement ps = db.prepareStatement("SELECT slices FROM slice_plan WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Slices whose filters are not exclusive (an industry and a country) share leads: each slice's proof is its own,
     * but the job stored each shared lead once, and its report says so instead of summing the slices twice over.
     */
    @Test
    void overlappingSlicesCountASharedLeadOnceInTheJobsReport() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 1000;
            ws.startSimulator(c);
            LeadDataset data = ws.simulator.dataset();
            ws.jobs(TestWorkspace.job("overlap", "", "slices", "industry=Software|country=DE"));
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("output:%n%s%s", run.out(), run.err()).isZero();
            Set<String> software = ids(c.leads, i -> data.industryOf(i).equals("Software"));
            Set<String> germany = ids(c.leads, i -> data.countryOf(i).equals("DE"));
            Set<String> union = new TreeSet<>(software);
            union.addAll(germany);
            long shared = software.size() + germany.size() - union.size();
            assertThat(shared).as("leads in both slices").isPositive();
            assertThat(ws.storedLeadKeys()).as("each lead one row").hasSize(union.size());
            JsonNode report = JSON.readTree(Files.readString(ws.dir.resolve("reports/overlap.json")));
            assertThat(report.path("leadsStored").asLong()).as("the job's leads: the union of its slices").isEqualTo(union.size());
            long sum = software.size() + germany.size();
            assertThat(report.path("completeness").asText()).isEqualTo("PASS: every slice complete — " + sum + " leads in 2 slices = the API's totals of "
                    + sum + " (" + union.size() + " distinct leads: " + shared + " are in more than one slice — the slices overlap)");
        }
    }

    /**
     * A sliced job's credit budget is the job's: maxRequests counts the requests of all its slices (before, four
     * slices with a cap of 6 each could make 24). The slices running at once may each have one request in flight
     * when the budget runs out, so at most maxRequests + 3 here; raising the cap continues every slice from its checkpoint.
     */
    @Test
    void aSlicedJobsRequestCapCountsTheRequestsOfAllItsSlices() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 2000;
            ws.startSimulator(c);
            LeadDataset data = ws.simulator.dataset();
            String slices = "country=DE|country=FR|country=US|country=GB";
            ws.jobs(TestWorkspace.job("by-country", "", "slices", slices, "maxRequests", "6"));
            ws.settings.put("leadpipe.source.leads-api.page-size", "50");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");

            TestWorkspace.CliResult capped = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(capped.exitCode()).as("a cap is a clean stop; output:%n%s%s", capped.out(), capped.err()).isZero();
            long made = ws.simulator.stats().requests();
            assertThat(made).as("requests of all four slices: the cap, plus at most one in flight per other slice").isBetween(6L, 9L);
            long counted = 0;
            for (String country : COUNTRIES) {
                Map<String, Object> cp = ws.checkpoint("by-country." + country);
                assertThat(cp.get("status")).as("slice %s", country).isIn("CAPPED", "DONE");
                counted += ((Number) cp.get("requests")).longValue();
            }
            assertThat(counted).as("the slices' checkpoints count every request made").isEqualTo(made);
            JsonNode report = JSON.readTree(Files.readString(ws.dir.resolve("reports/by-country.json")));
            assertThat(report.path("status").asText()).isEqualTo("CAPPED");
            assertThat(capped.out()).contains("requests made by the 4 slices of job by-country, cap 6");

            TestWorkspace.CliResult stillCapped = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(stillCapped.exitCode()).isZero();
            assertThat(ws.simulator.stats().requests()).as("no request while the job's budget is spent").isEqualTo(made);

            ws.jobs(TestWorkspace.job("by-country", "", "slices", slices, "maxRequests", "0"));
            TestWorkspace.CliResult raised = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(raised.exitCode()).as(raised.out()).isZero();
            Set<String> expected = ids(c.leads, i -> COUNTRIES.contains(data.countryOf(i)));
            assertThat(ws.storedLeadKeys()).as("every lead once").hasSize(expected.size());
            assertThat(new TreeSet<>(leadIds(ws.storedLeadKeys()))).isEqualTo(expected);
            for (String country : COUNTRIES) assertThat(ws.checkpoint("by-country." + country).get("status")).isEqualTo("DONE");
            assertThat(ws.simulator.stats().firstPages()).as("every slice continued from its checkpoint, none restarted").isEqualTo(4);
        }
    }

    private static Set<String> ids(int leads, IntPredicate member) {
        Set<String> ids = new TreeSet<>();
        for (int i = 0; i < leads; i++) if (member.test(i)) ids.add(LeadDataset.idOf(i));
        return ids;
    }

    /** Lead keys are (source, id): the id part. */
    private static List<String> leadIds(List<String> keys) {
        return keys.stream().map(k -> k.substring(k.lastIndexOf(':') + 1)).toList();
    }
}
