package io.leadpipe.source;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two APIs whose ids look alike (small integers, as many APIs use) pulled side by side: each keeps all of its
 * leads, `export --job` returns that job's rows with their source, and each lead reaches the CRM once, saying
 * which source it came from. (Also on PostgreSQL.)
 */
class SourcesKeepTheirLeadsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LEADS = 250;

    /** An API serving ids 1..250, 100 a page, the cursor being the next offset; e-mails in its own domain. */
    private static FakeApi api(String domain) throws Exception {
        return new FakeApi((ex, n) -> {
            String q = ex.getRequestURI().getRawQuery();
            int from = q != null && q.contains("cursor=") ? Integer.parseInt(q.replaceAll(".*cursor=(\\d+).*", "$1")) : 0;
            int to = Math.min(LEADS, from + 100);
            StringBuilder b = new StringBuilder("{\"data\":[");
            for (int i = from; i < to; i++) {
                b.append(i == from ? "" : ",").append("{\"id\":").append(i + 1).append(",\"email\":\"lead").append(i + 1).append('@').append(domain)
                        .append("\",\"first_name\":\"Ann\",\"last_name\":\"Lee").append(i + 1).append("\"}");
            }
            b.append("],\"meta\":{\"next_cursor\":").append(to < LEADS ? "\"" + to + "\"" : "null").append(",\"total\":").append(LEADS).append("}}");
            FakeApi.send(ex, 200, "application/json", b.toString());
        });
    }

    @Test
    void twoSourcesWithTheSameIdsEachKeepAllTheirLeads() throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 10;
        try (TestWorkspace ws = new TestWorkspace().withSink(c); FakeApi alpha = api("alpha.example"); FakeApi beta = api("beta.example")) {
            ws.startSimulator(c); // the CRM and the enrichment API
            ws.settings.put("leadpipe.sources", "leads-api,api-a,api-b");
            ws.settings.put("leadpipe.source.api-a.url", alpha.url());
            ws.settings.put("leadpipe.source.api-b.url", beta.url());
            ws.jobs(TestWorkspace.job("alpha", "", "source", "api-a") + TestWorkspace.job("beta", "", "source", "api-b"));
            ws.settings.merge("camel.main.routes-include-pattern", ",file:routes/sink.yaml", String::concat);

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:%n%s%s", run.out(), run.err()).isZero();
            assertThat(run.out()).contains("PASS: " + LEADS + " distinct leads stored");
            try (Connection db = ws.db(); Statement st = db.createStatement();
                 ResultSet rs = st.executeQuery("SELECT source, COUNT(*) FROM leads GROUP BY source ORDER BY source")) {
                Map<String, Long> perSource = new TreeMap<>();
                while (rs.next()) perSource.put(rs.getString(1), rs.getLong(2));
                assertThat(perSource).as("lead rows per source").isEqualTo(Map.of("api-a", (long) LEADS, "api-b", (long) LEADS));
            }
            for (String[] job : new String[][]{{"alpha", "api-a", "alpha.example"}, {"beta", "api-b", "beta.example"}}) {
                List<JsonNode> rows = export(ws, job[0]);
                assertThat(rows).as("export --job %s", job[0]).hasSize(LEADS);
                assertThat(rows).as("export --job %s: its own records", job[0])
                        .allSatisfy(r -> assertThat(r.path("email").asText()).endsWith("@" + job[2]))
                        .allSatisfy(r -> assertThat(r.path("leadpipe").path("source").asText()).isEqualTo(job[1]))
                        .allSatisfy(r -> assertThat(r.path("leadpipe").path("job_id").asText()).isEqualTo(job[0]));
                assertThat(rows.stream().map(r -> r.path("leadpipe").path("lead_id").asText()).distinct().count()).isEqualTo(LEADS);
            }
            Map<String, Map<String, Object>> contacts = ws.simulator.crm().contacts();
            assertThat(contacts).as("contacts in the CRM").hasSize(2 * LEADS);
            assertThat(ws.simulator.crm().upsertsPerId().values()).as("upserts per contact").allMatch(n -> n == 1);
            assertThat(contacts.get("lead1@alpha.example")).containsEntry("leadpipe_source", "api-a").containsEntry("lastname", "Lee1");
            assertThat(contacts.get("lead1@beta.example")).containsEntry("leadpipe_source", "api-b").containsEntry("lastname", "Lee1");
        }
    }

    private static List<JsonNode> export(TestWorkspace ws, String job) throws Exception {
        TestWorkspace.CliResult export = ws.cli(Map.of(), "export", "--job", job);
        assertThat(export.exitCode()).as(export.err()).isZero();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : export.out().split("\n")) if (!line.isBlank()) rows.add(JSON.readTree(line));
        return rows;
    }
}
