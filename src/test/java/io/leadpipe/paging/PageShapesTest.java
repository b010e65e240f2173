package io.leadpipe.paging;

import io.leadpipe.testing.TestWorkspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the records sit is configuration: the body itself (GitHub's list endpoints answer a bare JSON array
 * and page with a Link header) or objects nested in the records (HubSpot's {@code results[].properties},
 * the id beside them), with a clear error when the shape does not match the settings.
 */
class PageShapesTest {

    private static final int LEADS = 250;

    @Test
    void aBodyThatIsTheRecordsArrayIsPulledWithAnEmptyRecordsPointer() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(simulator("array", "link-header"));
            ws.settings.put("leadpipe.source.leads-api.paging", "link-header");
            ws.settings.put("leadpipe.source.leads-api.records-pointer", ""); // the body itself

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:\n%s%s", run.out(), run.err()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
            assertThat(ws.simulator.stats().pages()).isEqualTo(3);
            assertThat(payloads(ws).get("L0000007").has("email")).as("the record stored as it came").isTrue();
        }
    }

    @Test
    void anArrayBodyWithARecordsPointerFailsAtOnceSayingWhatToSet() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(simulator("array", "link-header"));
            ws.settings.put("leadpipe.source.leads-api.paging", "link-header");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).contains("the response body is a JSON array, not an object with records at /data: if the array holds the records, set leadpipe.source.leads-api.records-pointer empty");
            assertThat(ws.simulator.stats().requests()).as("not retried").isEqualTo(1);
        }
    }

    @Test
    void nestedRecordsAreStoredAsTheirFieldsObjectWithTheIdFromTheRecord() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(simulator("nested", "cursor"));
            ws.settings.put("leadpipe.source.leads-api.records-pointer", "/results");
            ws.settings.put("leadpipe.source.leads-api.fields-pointer", "/properties");
            ws.settings.put("leadpipe.source.leads-api.id-pointer", "/id");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("exit code; output:\n%s%s", run.out(), run.err()).isZero();
            assertThat(new HashSet<>(ws.storedLeadKeys())).isEqualTo(TestWorkspace.idsOf(0, LEADS));
            JsonNode stored = payloads(ws).get("L0000007");
            Map<String, Object> served = ws.simulator.dataset().lead(6);
            assertThat(served.get("id")).isEqualTo("L0000007");
            assertThat(stored.path("email").asText()).as("fields at the top of the stored lead").isEqualTo(served.get("email"));
            assertThat(stored.has("properties")).as("the fields object itself is stored, not the record around it").isFalse();
            assertThat(stored.has("archived")).isFalse();
        }
    }

    @Test
    void aRecordWithoutItsFieldsObjectFailsNamingTheSetting() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(simulator("envelope", "cursor"));
            ws.settings.put("leadpipe.source.leads-api.fields-pointer", "/properties");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).contains("a record on page 1 has no fields object at /properties (check leadpipe.source.leads-api.fields-pointer)");
        }
    }

    private static SimulatorConfig simulator(String shape, String paging) {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = LEADS;
        c.pageShape = shape;
        c.paging = paging;
        return c;
    }

    private static Map<String, JsonNode> payloads(TestWorkspace ws) throws Exception {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Connection c = ws.db(); PreparedStatement ps = c.prepareStatement("SELECT lead_key, payload FROM leads"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) m.put(rs.getString(1), json.readTree(rs.getString(2)));
        }
        return m;
    }
}
