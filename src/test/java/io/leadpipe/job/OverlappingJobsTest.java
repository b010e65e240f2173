package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs whose lists overlap (one source, different filters), pulled at the same time as `run` does: they
 * store the same leads at the same moment. Every job finishes DONE with its completeness proof PASS and its
 * own export complete, and every lead is stored once. (Also on PostgreSQL.)
 */
class OverlappingJobsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fourOverlappingJobsPulledAtOnceEachKeepTheirLeadsAndEachLeadIsStoredOnce() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 5000;
            ws.startSimulator(c);
            LeadDataset data = ws.simulator.dataset();
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("everyone", "");
            filters.put("software", "industry=Software");
            filters.put("germany", "country=DE");
            filters.put("software-de", "industry=Software&country=DE");
            Map<String, IntPredicate> members = Map.of(
                    "everyone", i -> true,
                    "software", i -> data.industryOf(i).equals("Software"),
                    "germany", i -> data.countryOf(i).equals("DE"),
                    "software-de", i -> data.industryOf(i).equals("Software") && data.countryOf(i).equals("DE"));
            StringBuilder jobs = new StringBuilder();
            filters.forEach((job, f) -> jobs.append(TestWorkspace.job(job, f)));
            ws.jobs(jobs.toString());
            ws.settings.put("leadpipe.jobs.concurrency", "4");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:%n%s%s", run.out(), run.err()).isZero();
            for (String job : filters.keySet()) {
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < c.leads; i++) if (members.get(job).test(i)) expected.add(LeadDataset.idOf(i));
                assertThat(ws.checkpoint(job).get("status")).as("job %s", job).isEqualTo("DONE");
                JsonNode report = JSON.readTree(Files.readString(ws.dir.resolve("reports").resolve(job + ".json")));
                assertThat(report.path("completeness").asText()).as("job %s", job).isEqualTo("PASS: " + expected.size()
                        + " distinct leads stored = the API's total of " + expected.size());
                assertThat(report.path("leadsStored").asLong()).as("job %s: leads stored for the job", job).isEqualTo(expected.size());
                assertThat(exportedIds(ws, job)).as("export --job %s", job).isEqualTo(expected);
            }
            try (Connection db = ws.db(); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT lead_key) FROM leads")) {
                rs.next();
                assertThat(rs.getLong(1)).as("lead rows").isEqualTo(c.leads);
                assertThat(rs.getLong(2)).as("distinct lead ids").isEqualTo(c.leads);
            }
        }
    }

    private static Set<String> exportedIds(TestWorkspace ws, String job) throws Exception {
        TestWorkspace.CliResult export = ws.cli(Map.of(), "export", "--job", job);
        assertThat(export.exitCode()).as(export.err()).isZero();
        Set<String> ids = new TreeSet<>();
        for (String line : export.out().split("\n")) if (!line.isBlank()) ids.add(JSON.readTree(line).path("id").asText());
        return ids;
    }
}
