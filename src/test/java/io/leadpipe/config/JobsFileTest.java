package io.leadpipe.config;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

/** A deployment declares its jobs in a file of its own (leadpipe.jobs.file): no tracked route file is edited to add a pull. */
class JobsFileTest {

    @Test
    void jobsFromTheDeploymentsOwnFileRunInPlaceOfTheBundledOnes() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 300;
            ws.startSimulator(c);
            // the routes as shipped, bundled jobs file included; the deployment's jobs live outside the repository
            ws.settings.put("camel.main.routes-include-pattern", TestWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            Path own = ws.dir.resolve("deployment/my-jobs.yaml");
            Files.createDirectories(own.getParent());
            // two segments that do not overlap (overlapping jobs run at once are issue 14 item 4, not this test)
            Files.writeString(own, TestWorkspace.job("software", "industry=Software", "maxLeads", "0")
                    + TestWorkspace.job("retail-capped", "industry=Retail", "maxRequests", "2"));
            ws.settings.put("leadpipe.source.leads-api.page-size", "10");
            ws.settings.put("leadpipe.jobs.file", own.toString());

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(ws.checkpoint("software").get("status")).isEqualTo("DONE");
            assertThat(((Number) ws.checkpoint("software").get("lead_count")).longValue()).isPositive().isLessThan(300);
            assertThat(ws.checkpoint("retail-capped").get("status")).as("the deployment's caps apply").isEqualTo("CAPPED");
            try (Connection db = ws.db(); ResultSet rs = db.createStatement().executeQuery("SELECT COUNT(*) FROM extraction_checkpoint WHERE job_id = 'all-leads'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the bundled routes/jobs.yaml job is not pulled").isZero();
            }
            TestWorkspace.CliResult bundled = ws.cli(TestWorkspace.envWithKey(), "run", "--job", "all-leads");
            assertThat(bundled.exitCode()).isEqualTo(2);
            assertThat(bundled.err()).contains("no job named 'all-leads' in the routes (known: software, retail-capped)");
        }
    }

    @Test
    void aJobsFileThatIsNotThereStopsBeforeAnythingIsCreated() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // the check below is that leadpipe itself creates no database
            ws.settings.put("leadpipe.jobs.file", ws.dir.resolve("nope.yaml").toString());
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().strip()).isEqualTo("leadpipe: leadpipe.jobs.file " + ws.dir.resolve("nope.yaml") + " is not a readable file");
            assertThat(ws.dir.resolve("db")).doesNotExist();
        }
    }
}
