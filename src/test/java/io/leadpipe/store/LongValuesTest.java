package io.leadpipe.store;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values from the API are stored whole, never cut to a column's length: two ids that share their first 200
 * characters stay two leads, a long cursor resumes the pull, a long error is recorded. An id longer than
 * leadpipe.leads.max-id-length fails the job with one line naming the setting. (Also on PostgreSQL.)
 */
class LongValuesTest {

    private static final String PREFIX = "urn:leads:" + "x".repeat(190) + ":";

    private static String record(String id) {
        return "{\"id\":\"" + id + "\",\"name\":\"lead\"}";
    }

    private static String page(List<String> ids, String nextCursorJson) {
        return "{\"data\":[" + String.join(",", ids.stream().map(LongValuesTest::record).toList()) + "],\"meta\":{\"next_cursor\":"
                + nextCursorJson + ",\"total\":" + ids.size() + "}}";
    }

    @Test
    void idsSharingTheirFirst200CharactersStayTwoLeads() throws Exception {
        List<String> ids = List.of(PREFIX + "1", PREFIX + "2", PREFIX + "y".repeat(700));
        try (TestWorkspace ws = new TestWorkspace();
             FakeApi api = new FakeApi((ex, n) -> FakeApi.send(ex, 200, "application/json", page(ids, "null"))).serve(ws)) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(ws.storedLeadKeys()).as("every id stored in full, none cut or merged").containsExactlyInAnyOrderElementsOf(ids);
            assertThat(run.out()).contains("PASS: 3 distinct leads stored");
        }
    }

    @Test
    void anIdLongerThanTheSettingFailsTheJobNamingIt() throws Exception {
        try (TestWorkspace ws = new TestWorkspace();
             FakeApi api = new FakeApi((ex, n) -> FakeApi.send(ex, 200, "application/json", page(List.of("short", "z".repeat(301)), "null"))).serve(ws)) {
            ws.settings.put("leadpipe.leads.max-id-length", "300");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).isEqualTo("FAILED");
            assertThat(String.valueOf(cp.get("error"))).contains("301 characters").contains("leadpipe.leads.max-id-length (300)")
                    .doesNotContain("z".repeat(50));
            assertThat(ws.storedLeadKeys()).as("the page was not stored in part").isEmpty();
        }
    }

    @Test
    void aLongCursorResumesThePullAndALongErrorIsRecordedWhole() throws Exception {
        String cursor = "c".repeat(5000);
        boolean[] apiDown = {true};
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            String query = ex.getRequestURI().getRawQuery();
            if (query == null || !query.contains("cursor=")) {
                FakeApi.send(ex, 200, "application/json", page(List.of("A1", "A2"), "\"" + cursor + "\"").replace("\"total\":2", "\"total\":4"));
            } else if (!query.endsWith("cursor=" + cursor)) {
                FakeApi.send(ex, 400, "application/json", "{\"error\":\"cursor was cut to " + query.length() + " characters\"}");
            } else if (apiDown[0]) {
                FakeApi.send(ex, 400, "application/json", "{\"error\":\"bad request\"}");
            } else {
                FakeApi.send(ex, 200, "application/json", page(List.of("A3", "A4"), "null").replace("\"total\":2", "\"total\":4"));
            }
        }).serve(ws)) {
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(first.exitCode()).as(first.out() + first.err()).isEqualTo(1);
            Map<String, Object> cp = ws.checkpoint("all-leads");
            assertThat(cp.get("status")).as("the failure was recorded").isEqualTo("FAILED");
            assertThat(cp.get("next_cursor")).as("the cursor of page 1, whole").isEqualTo(cursor);
            assertThat(String.valueOf(cp.get("error"))).as("the error names the whole request").contains("HTTP 400").contains("cursor=" + cursor);

            apiDown[0] = false;
            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            assertThat(ws.storedLeadKeys()).containsExactlyInAnyOrder("A1", "A2", "A3", "A4");
            assertThat(ws.checkpoint("all-leads").get("status")).isEqualTo("DONE");
        }
    }
}
