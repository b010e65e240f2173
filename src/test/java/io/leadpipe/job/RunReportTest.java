package io.leadpipe.job;

import io.leadpipe.monitor.JobCounters;
import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The run report from a pull: the completeness proof, the JSON file, the sliced job's sum — no database, no Camel. */
class RunReportTest {

    @TempDir
    Path reports;

    private RunReport report() {
        return new RunReport(reports, new JobCounters());
    }

    private static Pull pulled(long apiTotal, int storedDistinct, String... ids) {
        Pull p = new Pull(new JobSpec("job-a", "api", "country=DE", 0, 0, null, "", null, null), false, new LoopGuard("api", false, 2), () -> 0L, () -> false);
        p.startNew("pull-1");
        p.storedBefore(0);
        p.pageStored(new FetchedPage(1, List.of(ids), List.of(ids), null, apiTotal, 2, "p:1"));
        p.storedAfter(storedDistinct, storedDistinct);
        return p;
    }

    @Test
    void aDoneJobWhoseDistinctLeadsMatchTheApisTotalPassesAndIsWrittenAsJson() throws Exception {
        RunReport report = report();
        Pull p = pulled(2, 2, "a", "b");
        p.done();
        report.finish(p);

        Map<String, Object> written = report.lastWritten("job-a");
        assertThat(Files.isRegularFile(reports.resolve("job-a.json"))).isTrue();
        assertThat(written).containsEntry("status", "DONE").containsEntry("filters", "country=DE").containsEntry("matchesApiTotal", true)
                .containsEntry("leadsReceivedThisRun", 2).containsEntry("newLeads", 2);
        assertThat((String) written.get("completeness")).startsWith("PASS: 2 distinct leads stored = the API's total of 2");
        assertThat(report.latest("job-a")).containsEntry("status", "DONE");
        assertThat(RunReport.toText(written)).contains("job-a").contains("DONE");
    }

    @Test
    void fewerDistinctLeadsThanTheApiReportedIsAGapNamingWhatIsMissing() throws Exception {
        RunReport report = report();
        Pull p = pulled(3, 2, "a", "b");
        p.done();
        report.finish(p);
        assertThat((String) report.latest("job-a").get("completeness"))
                .isEqualTo("GAP: the API reported 3 leads but 2 distinct leads were stored in this pull (1 missing)");
    }

    @Test
    void aJobThatDidNotFinishIsNotJudgedAndItsErrorLeavesNoEmailAddress() throws Exception {
        RunReport report = report();
        Pull p = pulled(3, 2, "a", "b");
        p.failedWith("HTTP 400: no such contact jane.doe@example.com");
        report.finish(p);
        Map<String, Object> r = report.latest("job-a");
        assertThat(r).containsEntry("status", "FAILED");
        assertThat((String) r.get("completeness")).isEqualTo("NOT CHECKED: the job is FAILED");
        assertThat((String) r.get("error")).startsWith("HTTP 400").doesNotContain("jane.doe@example.com");
        assertThat(Files.readString(reports.resolve("job-a.json"))).doesNotContain("jane.doe@example.com");
    }

    @Test
    void aSlicedJobIsAsBadAsItsWorstSliceAndNamesIt() throws Exception {
        RunReport report = report();
        Map<String, Object> de = Map.of("completeness", "PASS: 2 distinct leads stored = the API's total of 2", "leadsStored", 2, "apiTotal", 2);
        Map<String, Object> r = report.finishSliced("by-country", "api", "", List.of(
                new SlicedPulls.SliceResult("DE", "by-country.DE", "country=DE", "DONE", null, de),
                new SlicedPulls.SliceResult("FR", "by-country.FR", "country=FR", "FAILED", "HTTP 401", null)), System.currentTimeMillis(), 2L);
        assertThat(r).containsEntry("status", "FAILED");
        assertThat((String) r.get("error")).startsWith("slice FR (by-country.FR) FAILED: HTTP 401 — 1 of 2 slices DONE");
    }
}
