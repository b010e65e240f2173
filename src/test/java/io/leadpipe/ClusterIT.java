package io.leadpipe;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three leadpipe processes (`serve`) on one PostgreSQL with a dozen scheduled jobs: Quartz's cluster
 * runs each job once; one process is killed with SIGKILL mid-pull and another finishes its job from the
 * checkpoint; together they stay under the API key's shared limit.
 */
class ClusterIT {

    private static final String[] INDUSTRIES = {"Software", "Finance", "Retail", "Energy"};
    private static final String[] COUNTRIES = {"US", "DE", "GB"};

    @Test
    void aDozenScheduledJobsOnThreeInstancesRunOnceAndSurviveLosingOne() throws Exception {
        try (TestWorkspace ws = new TestWorkspace().onPostgres()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 6_000;             // 25 pages a job: the victim is still caught mid-pull, in half the time of 12,000
            c.latencyMillis = 60;
            c.rateLimit = 60;            // one key, 60 requests per 2 s for the whole cluster
            c.rateWindowMillis = 2000;
            ws.startSimulator(c);
            ws.settings.put("leadpipe.source.leads-api.page-size", "20");
            ws.settings.put("leadpipe.ratelimit.node-share", "0.33");
            ws.settings.put("leadpipe.ratelimit.floor", "0");
            ws.settings.put("leadpipe.cluster.checkin-interval-ms", "1000");
            ws.settings.put("leadpipe.jobs.concurrency", "4");
            StringBuilder jobs = new StringBuilder();
            List<String> ids = new ArrayList<>();
            for (String industry : INDUSTRIES) {
                for (String country : COUNTRIES) {
                    String id = (industry + "-" + country).toLowerCase();
                    ids.add(id);
                    jobs.append(TestWorkspace.job(id, "industry=" + industry + "&country=" + country));
                    jobs.append("- templatedRoute:\n    routeTemplateRef: schedule\n    routeId: schedule-").append(id)
                            .append("\n    parameters:\n      - { name: jobId, value: \"").append(id).append("\" }\n")
                            .append("      - { name: cron, value: \"0/2+*+*+*+*+?\" }\n");
                }
            }
            ws.jobs(jobs.toString());
            ws.settings.put("camel.main.routes-include-pattern", ws.settings.get("camel.main.routes-include-pattern") + ",file:routes/schedule.yaml");

            List<Process> nodes = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path log = ws.dir.resolve("node" + i + ".log");
                logs.add(log);
                nodes.add(ws.startProcess(log, "serve", "-Dorg.slf4j.simpleLogger.log.leadpipe=info"));
            }
            try {
                // kill a node while it is in the middle of a job: it holds the lease of a job RUNNING with pages to go
                Map.Entry<Integer, String> caught;
                try {
                    caught = await().atMost(60, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions()
                            .until(() -> midPull(ws, nodes), java.util.Objects::nonNull);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    StringBuilder tails = new StringBuilder();
                    for (Path l : logs) {
                        List<String> lines = Files.exists(l) ? Files.readAllLines(l) : List.of();
                        tails.append("\n--- ").append(l.getFileName()).append(" (").append(lines.size()).append(" lines), last 15:\n")
                                .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
                    }
                    throw new AssertionError("no node was caught mid-pull; statuses " + statuses(ws) + "; node logs:" + tails, e);
                }
                int victim = caught.getKey();
                String victimJob = caught.getValue();
                new ProcessBuilder("kill", "-KILL", Long.toString(nodes.get(victim).pid())).start().waitFor();
                nodes.get(victim).waitFor(10, TimeUnit.SECONDS);

                await().atMost(120, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS).ignoreExceptions()
                        .until(() -> statuses(ws).values().stream().filter("DONE"::equals).count() == ids.size());
                // a few more firings (every 2 s): DONE jobs must not pull again, not one request more
                long requestsWhenDone = ws.simulator.stats().requests();
                await().during(3, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS)
                        .failFast(() -> assertThat(ws.simulator.stats().requests()).as("requests after every job was DONE").isEqualTo(requestsWhenDone))
                        .until(() -> ws.simulator.stats().requests() == requestsWhenDone);

                LeadDataset data = ws.simulator.dataset();
                for (String industry : INDUSTRIES) {
                    for (String country : COUNTRIES) {
                        String id = (industry + "-" + country).toLowerCase();
                        Set<String> expected = new TreeSet<>();
                        for (int i = 0; i < c.leads; i++) {
                            if (data.industryOf(i).equals(industry) && data.countryOf(i).equals(country)) expected.add(LeadDataset.idOf(i));
                        }
                        assertThat(new HashSet<>(ws.storedLeadKeys(id))).as("job %s complete", id).isEqualTo(expected);
                    }
                }
                assertThat(ws.simulator.stats().firstPages()).as("each job's pull started once").isEqualTo(ids.size());
                // the killed node ran up to 4 jobs at once: each of them may fetch its last page again, none more
                Map<String, Integer> extraPerJob = new TreeMap<>();
                ws.simulator.stats().servesPerCursor().forEach((key, serves) -> {
                    String filter = key.substring(0, key.lastIndexOf('|'));
                    extraPerJob.merge(filter, serves - 1, Integer::sum);
                });
                assertThat(extraPerJob.values()).as("pages fetched twice per job: %s", extraPerJob).allMatch(n -> n <= 1);
                assertThat(ws.simulator.stats().pagesServedAgain()).as("pages fetched twice in all").isLessThanOrEqualTo(4);
                assertThat(ws.simulator.stats().rateLimited()).as("429s: the cluster stayed under the shared limit").isZero();
                String others = "";
                for (int i = 0; i < 3; i++) if (i != victim) others += Files.readString(logs.get(i));
                assertThat(others).as("another node finished %s from its checkpoint", victimJob).contains("job " + victimJob + " resumes from its RUNNING checkpoint");
            } finally {
                for (Process p : nodes) p.destroy();
                for (Process p : nodes) p.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** A node (its index) and the job it is in the middle of: the job RUNNING past its second page, on that node's lease; else null. */
    private static Map.Entry<Integer, String> midPull(TestWorkspace ws, List<Process> nodes) throws Exception {
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT job_id, lease_pid FROM extraction_checkpoint WHERE status = 'RUNNING' AND page_no >= 2 AND lease_pid IS NOT NULL")) {
            while (rs.next()) {
                for (int i = 0; i < nodes.size(); i++) {
                    if (nodes.get(i).pid() == rs.getLong(2)) return Map.entry(i, rs.getString(1));
                }
            }
        }
        return null;
    }

    private static Map<String, String> statuses(TestWorkspace ws) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Connection c = ws.db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT job_id, status FROM extraction_checkpoint")) {
            while (rs.next()) m.put(rs.getString(1), rs.getString(2));
        }
        return m;
    }
}
