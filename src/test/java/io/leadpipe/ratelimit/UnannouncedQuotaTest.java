package io.leadpipe.ratelimit;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.QuotaWindow;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.testing.VendorFake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An API that announces no quota (Stripe: no rate-limit headers, only a 429 when a second's requests are
 * spent), with a real limit of 10 requests per second, configured at twice that: the key learns the rate the
 * API accepts from its first 429, so each job costs one or two 429s — not one per second — and the second
 * job on the key starts from what the first learned. Every lead is stored once; the run report says the rate.
 */
class UnannouncedQuotaTest {

    private static final int REAL_LIMIT = 10;
    private static final int LEADS = 300;
    private static final int PAGE = 10;

    @Test
    @Timeout(120)
    void aRateTwiceTheLimitCostsAtMostTwo429sPerJob() throws Exception {
        List<String> ids = IntStream.range(0, LEADS).mapToObj(i -> String.format("cus_%06d", i)).toList();
        QuotaWindow perSecond = QuotaWindow.hiddenRolling("account", REAL_LIMIT, 1000);
        try (VendorFake fake = new VendorFake(List.of(perSecond), "Authorization", "Bearer " + TestWorkspace.API_KEY, (h, now) -> { },
                (ex, spent, now) -> FakeApi.send(ex, 429, "application/json",
                        "{\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Too many requests hit the API too quickly.\"}}"),
                (ex, body) -> {
                    String after = VendorFake.param(ex, "starting_after");
                    int from = after == null ? 0 : ids.indexOf(after) + 1;
                    int to = Math.min(LEADS, from + Integer.parseInt(VendorFake.param(ex, "limit")));
                    StringBuilder b = new StringBuilder("{\"object\":\"list\",\"has_more\":").append(to < LEADS).append(",\"data\":[");
                    for (int i = from; i < to; i++) b.append(i == from ? "" : ",").append("{\"id\":\"").append(ids.get(i)).append("\"}");
                    FakeApi.send(ex, 200, "application/json", b.append("]}").toString());
                });
             TestWorkspace ws = new TestWorkspace()) {
            ws.settings.put("leadpipe.sources", "stripe");
            ws.settings.put("leadpipe.source.stripe.profile", "stripe");
            ws.settings.put("leadpipe.source.stripe.url", fake.base() + "/v1/customers");
            ws.settings.put("leadpipe.source.stripe.page-size", Integer.toString(PAGE));
            ws.settings.put("leadpipe.source.stripe.max-requests-per-second", Integer.toString(2 * REAL_LIMIT));
            ws.settings.put("leadpipe.jobs.concurrency", "1"); // one job after the other, so each report counts its own 429s
            ws.jobs(TestWorkspace.job("first", "", "source", "stripe") + TestWorkspace.job("second", "a=1", "source", "stripe"));

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            System.out.println("[unannounced-quota] " + fake.summary("stripe"));
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();

            ObjectMapper json = new ObjectMapper();
            int all429 = 0;
            for (String job : List.of("first", "second")) {
                assertThat(ws.checkpoint(job).get("status")).isEqualTo("DONE");
                JsonNode report = json.readTree(ws.dir.resolve("reports/" + job + ".json").toFile());
                int refused = report.get("rateLimited429").asInt();
                all429 += refused;
                assertThat(refused).as(job + ": 429s in the job").isLessThanOrEqualTo(2);
                assertThat(report.get("requests").asInt() - refused).as(job + ": pages").isEqualTo(LEADS / PAGE);
                assertThat(report.path("learnedRate").asText()).as(job + ": the rate learned").contains("configured 20")
                        .containsPattern("^[1-9] requests/s");
            }
            assertThat(all429).as("429s in both jobs: the rate is kept on the key (a fixed rate costs one a second: 6 here)")
                    .isEqualTo(fake.refused()).isBetween(1, 2);
            assertThat(run.out()).contains("rate learned");

            List<String> keys = new ArrayList<>();
            try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT lead_key FROM leads")) {
                while (rs.next()) keys.add(rs.getString(1));
            }
            assertThat(keys).as("each lead once").hasSize(LEADS);
            assertThat(new TreeSet<>(keys)).isEqualTo(new TreeSet<>(ids));
        }
    }
}
