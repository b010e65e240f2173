package io.leadpipe.job;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Several jobs on one API key: one shared budget, each job's own checkpoint and complete set. */
class ManyJobsTest {

    private static final String[] INDUSTRIES = {"Software", "Finance", "Retail", "Energy"};

    @Test
    void fourParallelJobsOnOneKeyStayUnderATightLimitAndEachCompletes() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 4000;         // ~500 per industry: 5 pages each, 20 requests in all
            c.rateLimit = 10;
            c.rateWindowMillis = 2000;
            ws.startSimulator(c);
            StringBuilder jobs = new StringBuilder();
            for (String industry : INDUSTRIES) jobs.append(TestWorkspace.job(industry.toLowerCase(), "industry=" + industry));
            ws.jobs(jobs.toString());
            ws.settings.put("leadpipe.jobs.concurrency", "4");

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as("output:\n%s%s", run.out(), run.err()).isZero();
            assertThat(ws.simulator.stats().avoidableRateLimited()).as("avoidable 429s").isZero();
            LeadDataset data = ws.simulator.dataset();
            for (String industry : INDUSTRIES) {
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < c.leads; i++) if (data.industryOf(i).equals(industry)) expected.add(LeadDataset.idOf(i));
                assertThat(new HashSet<>(ws.storedLeadKeys(industry.toLowerCase()))).as("job %s", industry).isEqualTo(expected);
                assertThat(ws.checkpoint(industry.toLowerCase()).get("status")).isEqualTo("DONE");
            }
            // the jobs really ran side by side on the one budget: their requests interleave at the API
            java.util.List<String> firstEight = ws.simulator.stats().requestLog().stream().limit(8)
                    .map(r -> r.cursorKey().substring(0, r.cursorKey().indexOf('|'))).toList();
            assertThat(new HashSet<>(firstEight)).as("jobs seen among the first 8 requests: %s", firstEight).hasSizeGreaterThanOrEqualTo(3);
            assertThat(run.out()).contains("──── run report: software", "──── run report: finance", "──── run report: retail", "──── run report: energy");
        }
    }

    @Test
    void oneJobCanBeRunAlone() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 800;
            ws.startSimulator(c);
            ws.jobs(TestWorkspace.job("software", "industry=Software") + TestWorkspace.job("retail", "industry=Retail"));

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run", "--job", "retail");

            assertThat(run.exitCode()).isZero();
            assertThat(ws.checkpoint("retail").get("status")).isEqualTo("DONE");
            assertThat(ws.checkpoint("software")).as("the other job did not run").isNull();
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run", "--job", "nope").err()).contains("no job named 'nope'");
        }
    }
}
