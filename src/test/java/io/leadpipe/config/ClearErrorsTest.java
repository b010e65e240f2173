package io.leadpipe.config;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.config.JdbcUrlMask;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A configuration mistake: exit 2, one line saying what to fix, and nothing created (no database, no report). */
class ClearErrorsTest {

    private static String job(String routeId, String jobId) {
        return "- templatedRoute:\n    routeTemplateRef: extract\n    routeId: " + routeId + "\n    parameters:\n"
                + "      - { name: jobId, value: \"" + jobId + "\" }\n";
    }

    /** Runs `leadpipe ARGS` in a fresh workspace and checks the exit code, the single line and that nothing was created. */
    private static String refused(TestWorkspace ws, String... args) throws IOException {
        return refused(ws, TestWorkspace.envWithKey(), args);
    }

    private static String refused(TestWorkspace ws, java.util.Map<String, String> env, String... args) throws IOException {
        TestWorkspace.CliResult run = ws.cli(env, args);
        assertThat(run.exitCode()).as(run.err() + run.out()).isEqualTo(2);
        assertThat(run.err().lines()).as("one line").hasSize(1);
        assertThat(ws.dir.resolve("db")).as("no database created").doesNotExist();
        assertThat(ws.dir.resolve("reports")).as("no report written").doesNotExist();
        return run.err().strip();
    }

    @Test
    void aJobNamingAnUnknownSource() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(TestWorkspace.job("crm-leads", "", "source", "crm"));
            assertThat(refused(ws, "run")).endsWith("job crm-leads pulls from source 'crm', which is not in leadpipe.sources (leads-api)");
        }
    }

    @Test
    void runningAJobThatIsNotDeclared() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            assertThat(refused(ws, "run", "--job", "nosuch")).isEqualTo("leadpipe: no job named 'nosuch' in the routes (known: all-leads)");
            assertThat(refused(ws, "verify", "nosuch")).isEqualTo("leadpipe: no job named 'nosuch' in the routes (known: all-leads)");
        }
    }

    @Test
    void aYamlSyntaxErrorInTheRoutes() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-a", "a") + "- templatedRoute:\n    routeTemplateRef: extract\n    parameters: [ { name: jobId, value: b }\n");
            assertThat(refused(ws, "run")).startsWith("leadpipe: YAML syntax error in " + ws.dir.resolve("jobs.yaml") + " line ");
        }
    }

    @Test
    void aStepCamelDoesNotKnowInAValidYamlRouteFile() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-a", "a") + "- route:\n    id: extra\n    from:\n      uri: direct:extra\n      steps:\n        - logg: { message: hi }\n");
            assertThat(refused(ws, "run")).isEqualTo("leadpipe: route file " + ws.dir.resolve("jobs.yaml")
                    + ", line 11, column 11 is not a valid Camel route: Unknown node id: logg");
        }
    }

    @Test
    void aMisspeltOptionOfAStepInAValidYamlRouteFile() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-a", "a") + "- route:\n    id: extra\n    from:\n      uri: direct:extra\n      steps:\n        - log: { mesage: hi }\n");
            assertThat(refused(ws, "run")).isEqualTo("leadpipe: route file " + ws.dir.resolve("jobs.yaml")
                    + ", line 11, column 26 is not a valid Camel route: Unsupported field: mesage");
        }
    }

    @Test
    void twoJobsWithOneRouteId() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-a", "a") + job("job-a", "b"));
            assertThat(refused(ws, "run")).startsWith("leadpipe: two routes have the id 'job-a'");
        }
    }

    @Test
    void twoJobsWithOneJobId() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-a", "a") + job("job-a2", "a"));
            assertThat(refused(ws, "run")).isEqualTo("leadpipe: two jobs have the id 'a' (routes job-a and job-a2); they would share one checkpoint: give each its own jobId");
        }
    }

    @Test
    void aScheduleForAJobThatIsNotDeclared() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-a", "a") + "- templatedRoute:\n    routeTemplateRef: schedule\n    routeId: schedule-b\n    parameters:\n"
                    + "      - { name: jobId, value: b }\n      - { name: cron, value: \"0+0+2+1+*+?\" }\n");
            assertThat(refused(ws, "run")).isEqualTo("leadpipe: the schedule schedule-b fires job 'b', which no extract route declares (jobs: a)");
        }
    }

    @Test
    void aJobIdThatCouldEscapeTheReportDirectory() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-x", "../../x"));
            assertThat(refused(ws, "run")).contains("job id '../../x' (route job-x) must be letters, digits, '-', '_' or '.'");
            ws.jobs(job("job-x", ".."));
            assertThat(refused(ws, "run")).contains("job id '..' (route job-x) must be");
        }
    }

    @Test
    void aJobOrSliceIdThatNamesAFeedOfDeletions() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-d", "leads.deleted"));
            assertThat(refused(ws, "run")).contains("job id 'leads.deleted' (route job-d) ends in .deleted, which names the feed of deletions");
            ws.jobs(TestWorkspace.job("by-status", "", "slices", "status=open|status=deleted"));
            assertThat(refused(ws, "run")).contains("job by-status: slice id 'by-status.deleted' ends in .deleted");
        }
    }

    @Test
    void anUnknownSettingNamesTheClosestKnownOne() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.settings.put("leadpipe.source.leads-api.pag-size", "50");
            assertThat(refused(ws, "run")).isEqualTo("leadpipe: unknown setting leadpipe.source.leads-api.pag-size; did you mean "
                    + "leadpipe.source.leads-api.page-size? (from " + ws.dir.resolve("test.properties") + ")");
        }
    }

    @Test
    void aDashDWithoutAName() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            assertThat(refused(ws, "run", "-D=bar")).isEqualTo("leadpipe: -D=bar has no setting name: write -Dkey=value");
            assertThat(refused(ws, "run", "-Dleadpipe.jobs.concurrency")).isEqualTo("leadpipe: -Dleadpipe.jobs.concurrency has no value: write -Dkey=value");
        }
    }

    @Test
    void anInvalidJsonPointer() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.settings.put("leadpipe.source.leads-api.records-pointer", "/data~2items");
            assertThat(refused(ws, "run")).startsWith("leadpipe: invalid setting leadpipe.source.leads-api.records-pointer = '/data~2items' is not a JSON pointer");
            ws.settings.put("leadpipe.source.leads-api.records-pointer", "$.data");
            assertThat(refused(ws, "run")).contains("looks like a JSONPath");
            // a pointer the chosen paging kind (cursor) does not read is checked too
            ws.settings.put("leadpipe.source.leads-api.records-pointer", "/data");
            ws.settings.put("leadpipe.source.leads-api.has-more-pointer", "has_more");
            assertThat(refused(ws, "run")).startsWith("leadpipe: invalid setting leadpipe.source.leads-api.has-more-pointer = 'has_more'");
        }
    }

    @Test
    void aReportDirectoryThatCannotBeWritten() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            Path file = Files.writeString(ws.dir.resolve("a-file"), "not a directory");
            ws.settings.put("leadpipe.report.dir", file.resolve("reports").toString());
            assertThat(refused(ws, "run")).startsWith("leadpipe: invalid setting leadpipe.report.dir = '" + file.resolve("reports")
                    + "' cannot be created: " + file + " is not a directory");
        }
    }

    @Test
    void aJdbcUrlIsNeverPrintedWithItsPassword() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.settings.put("leadpipe.db.url", "jdbc:mysql://db.example/leads?user=app&password=s3cret-pw");
            String line = refused(ws, "status");
            assertThat(line).doesNotContain("s3cret-pw").contains("jdbc:mysql://db.example/leads?user=app&password=***");

            // (an H2 server that is not there fails at once; Hikari waits its 30 s connection timeout for PostgreSQL)
            ws.settings.put("leadpipe.db.url", "jdbc:h2:tcp://127.0.0.1:1/leads;USER=app;PASSWORD=s3cret-pw");
            ws.settings.put("leadpipe.db.open-timeout-ms", "0");
            line = refused(ws, "status");
            assertThat(line).doesNotContain("s3cret-pw").startsWith("leadpipe: cannot open the database jdbc:h2:tcp://127.0.0.1:1/leads;USER=app;PASSWORD=***:");
        }
    }

    @Test
    void everyFormOfPasswordInAJdbcUrlIsMasked() {
        assertThat(JdbcUrlMask.mask("jdbc:h2:file:./data/x;AUTO_SERVER=TRUE;PASSWORD=pw1;WRITE_DELAY=0")).isEqualTo("jdbc:h2:file:./data/x;AUTO_SERVER=TRUE;PASSWORD=***;WRITE_DELAY=0");
        assertThat(JdbcUrlMask.mask("jdbc:postgresql://h:5432/db?password=pw2&sslmode=require")).isEqualTo("jdbc:postgresql://h:5432/db?password=***&sslmode=require");
        assertThat(JdbcUrlMask.mask("jdbc:postgresql://h/db?sslmode=require&sslpassword=pw3")).isEqualTo("jdbc:postgresql://h/db?sslmode=require&sslpassword=***");
        assertThat(JdbcUrlMask.mask("jdbc:postgresql://app:pw4@h:5432/db")).isEqualTo("jdbc:postgresql://app:***@h:5432/db");
        assertThat(JdbcUrlMask.mask("jdbc:h2:file:./data/leadpipe;AUTO_SERVER=TRUE")).isEqualTo("jdbc:h2:file:./data/leadpipe;AUTO_SERVER=TRUE");
        assertThat(JdbcUrlMask.mask("not a url password=x")).isEqualTo("not a url password=x");
    }

    @Test
    void deliverWithoutACrmKeyNamesTheSinkSettings() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.settings.put("leadpipe.sink.crm.url", "http://127.0.0.1:1/crm/v3/objects/contacts/batch/upsert");
            ws.settings.put("leadpipe.sink.enrichment.enabled", "false");
            java.util.Map<String, String> env = new java.util.HashMap<>(TestWorkspace.envWithKey());
            env.remove("LEADPIPE_CRM_API_KEY");
            String line = refused(ws, env, "deliver");
            assertThat(line).contains("LEADPIPE_CRM_API_KEY").contains("leadpipe.sink.crm.api-key-file").doesNotContain("leadpipe.source.crm");
        }
    }

    @Test
    void aSourceUrlWithCredentialsIsRefusedAtStartWithoutShowingThePassword() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.settings.put("leadpipe.source.leads-api.url", "http://alice:Pw-s3cr3t-77@127.0.0.1:1/v1/leads");
            String line = refused(ws, "run");
            assertThat(line).contains("leadpipe.source.leads-api.url").contains("auth = basic").doesNotContain("Pw-s3cr3t-77");
        }
    }

    @Test
    void aManagementPortInUseIsNamedWithItsSetting() throws Exception {
        try (TestWorkspace ws = new TestWorkspace();
             java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.settings.put("camel.management.enabled", "true");
            ws.settings.put("camel.management.port", Integer.toString(taken.getLocalPort()));
            String line = refused(ws, "run");
            assertThat(line).contains("camel.management.port").contains(Integer.toString(taken.getLocalPort())).doesNotContain("Exception");
        }
    }

    @Test
    void aMistypedRouteTemplateRefIsAConfigurationError() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.jobs(job("job-a", "a").replace("routeTemplateRef: extract", "routeTemplateRef: extrcat"));
            assertThat(refused(ws, "run")).contains("job-a").contains("'extrcat'").contains("extract");
        }
    }

    @Test
    void aJobsFileWithoutJobsNamesThatFile() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            Path jobs = ws.dir.resolve("my-jobs.yaml");
            Files.writeString(jobs, "- route:\n    id: extra\n    from:\n      uri: direct:extra\n      steps:\n        - log: { message: hi }\n");
            ws.settings.put("leadpipe.jobs.file", jobs.toString());
            assertThat(refused(ws, "run")).contains(jobs.toString()).doesNotContain("routes/jobs.yaml");
        }
    }

    @Test
    void fullWidthDigitsAreNotANumber() throws Exception {
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.newDatabase = true; // refused before anything is opened: no database may appear
            ws.settings.put("leadpipe.source.leads-api.page-size", "\uFF11\uFF10\uFF10");
            assertThat(refused(ws, "run")).contains("leadpipe.source.leads-api.page-size").contains("whole number");
            ws.settings.put("leadpipe.source.leads-api.page-size", "100");
            ws.settings.put("leadpipe.ratelimit.node-share", "\u0660.5");
            assertThat(refused(ws, "run")).contains("leadpipe.ratelimit.node-share");
        }
    }
}
