package io.leadpipe.ratelimit;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three leadpipe processes on one embedded PostgreSQL pull on one API key (40 requests per 2 s) with
 * leadpipe.ratelimit.cluster = database: counted at the API, no window ever gets more requests than the limit (and
 * no 429 is answered),
 * and once the third instance is idle (its jobs done) the other two use the whole window, not two thirds of it.
 */
class ClusterQuotaIT {

    private static final int LIMIT = 40;
    private static final long WINDOW_MS = 2000;
    private static final String[] INDUSTRIES = {"Software", "Manufacturing", "Healthcare", "Finance"};
    /** One country per instance: a request's filter tells which instance sent it. */
    private static final String[] COUNTRIES = {"US", "DE", "GB"};

    @Test
    void threeInstancesOnOneKeyNeverExceedTheWindowAndTwoUseTheIdleOnesShare() throws Exception {
        try (TestWorkspace ws = new TestWorkspace().onPostgres()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 200_000;         // ~3,000 leads per industry and country: more than the first two get through (they are stopped)
            c.latencyMillis = 50;
            c.rateLimit = LIMIT;
            c.rateWindowMillis = WINDOW_MS;
            ws.startSimulator(c);
            ws.settings.put("leadpipe.source.leads-api.page-size", "10");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.ratelimit.floor", "0");
            ws.settings.put("leadpipe.ratelimit.cluster", "database");
            // a permit used up to this long after it was given still counts in its own window: on a loaded 2-core machine
            // starting JVMs beside the pull, a request can wait longer than the default 250 ms between permit and API
            ws.settings.put("leadpipe.ratelimit.reset-margin-ms", "500");
            ws.settings.put("leadpipe.jobs.concurrency", "4");
            ws.configFile();

            List<Process> nodes = new ArrayList<>();
            List<Path> logs = new ArrayList<>();
            try {
                // the third instance is idle until the other two pull, then pulls two short jobs, then is idle again
                for (int i = 0; i < 2; i++) nodes.add(start(ws, i, logs));
                await("both first instances pulling").atMost(90, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS)
                        .until(() -> pulling(ws.simulator.stats(), 0, 1));
                nodes.add(start(ws, 2, logs));
                assertThat(nodes.get(2).waitFor(90, TimeUnit.SECONDS)).as("the third instance finished its jobs").isTrue();
                assertThat(nodes.get(2).exitValue()).as("the third instance's exit; its log:%n%s", Files.readString(logs.get(2))).isZero();
                // a few windows of the first two with the third idle: two whole ones at the API, as judged below
                await("two whole windows of the first two alone").atMost(8 * WINDOW_MS, TimeUnit.MILLISECONDS).pollInterval(100, TimeUnit.MILLISECONDS)
                        .until(() -> Windows.of(ws.simulator.stats().requestLog()).innerOfTheTwo().size() >= 2);
                for (int i = 0; i < 2; i++) assertThat(nodes.get(i).isAlive()).as("instance %d still pulls (it has more work than the test lasts)", i).isTrue();
                for (int i = 0; i < 2; i++) nodes.get(i).destroy(); // SIGTERM: they stop between pages
                for (int i = 0; i < 2; i++) nodes.get(i).waitFor(30, TimeUnit.SECONDS);
            } finally {
                for (Process p : nodes) p.destroyForcibly();
            }

            SimulatorStats stats = ws.simulator.stats();
            List<SimulatorStats.RequestRecord> log = stats.requestLog();
            Windows windows = Windows.of(log);
            Map<Long, Integer> perWindow = windows.requests();
            Map<Long, Set<Integer>> sendersPerWindow = windows.senders();
            System.out.println("requests per window: " + perWindow + "\ninstances per window: " + sendersPerWindow);
            assertThat(perWindow.values()).as("requests per window at the API (limit %d): %s", LIMIT, perWindow.values()).allMatch(n -> n <= LIMIT);
            assertThat(stats.rateLimited()).as("429s").isZero();
            assertThat(sendersPerWindow.values().stream().filter(s -> s.size() == 3).count()).as("windows where all three instances pulled").isGreaterThanOrEqualTo(2);

            List<Integer> inner = windows.innerOfTheTwo();
            assertThat(inner).as("full windows with one instance idle").hasSizeGreaterThanOrEqualTo(2);
            double used = inner.stream().mapToInt(Integer::intValue).sum() / (double) (LIMIT * inner.size());
            // a node share of 1/3 would have let the two use 2 × 13 = 26 of 40 (0.65)
            assertThat(used).as("share of the window two of three instances used: %s", inner).isGreaterThanOrEqualTo(0.85);

            LeadDataset data = ws.simulator.dataset();
            for (String industry : List.of(INDUSTRIES).subList(0, 2)) {
                String id = (industry + "-" + COUNTRIES[2]).toLowerCase(Locale.ROOT);
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < c.leads; i++) {
                    if (data.industryOf(i).equals(industry) && data.countryOf(i).equals(COUNTRIES[2])) expected.add(LeadDataset.idOf(i));
                }
                assertThat(new HashSet<>(ws.storedLeadKeys(id))).as("job %s complete", id).isEqualTo(expected);
            }
            assertThat(String.join("", readAll(logs))).as("the logs name no key").doesNotContain(TestWorkspace.API_KEY);
        }
    }

    /** Instance i runs the four jobs of its country, as a process of its own. */
    private static Process start(TestWorkspace ws, int i, List<Path> logs) throws Exception {
        StringBuilder jobs = new StringBuilder();
        for (String industry : i == 2 ? List.of(INDUSTRIES).subList(0, 2) : List.of(INDUSTRIES)) {
            jobs.append(TestWorkspace.job((industry + "-" + COUNTRIES[i]).toLowerCase(Locale.ROOT), "industry=" + industry + "&country=" + COUNTRIES[i]));
        }
        Path file = ws.dir.resolve("jobs-" + i + ".yaml");
        Files.writeString(file, jobs);
        Path log = ws.dir.resolve("node" + i + ".log");
        logs.add(log);
        // the third's pages are 200 leads: ~15 requests per job, so its work ends soon
        return ws.startProcess(log, "run", "-Dcamel.main.routes-include-pattern=" + TestWorkspace.CORE_ROUTES + ",file:" + file,
                "-Dleadpipe.source.leads-api.page-size=" + (i == 2 ? 200 : 10));
    }

    /** The API's windows (by number since the epoch): requests counted in each, and the instances that sent them. */
    private record Windows(Map<Long, Integer> requests, Map<Long, Set<Integer>> senders) {

        static Windows of(List<SimulatorStats.RequestRecord> log) {
            Windows ws = new Windows(new TreeMap<>(), new TreeMap<>());
            for (SimulatorStats.RequestRecord r : log) {
                long w = Math.floorDiv(r.arrivedMillis(), WINDOW_MS);
                ws.requests.merge(w, 1, Integer::sum);
                ws.senders.computeIfAbsent(w, k -> new TreeSet<>()).add(instanceOf(r));
            }
            return ws;
        }

        /**
         * Requests per window once the third was idle (its jobs done; before, its JVM starting competes for the CPU with
         * the pull): the windows only the other two pulled in, but the first and the last (partly covered: the third's
         * end, the stop).
         */
        List<Integer> innerOfTheTwo() {
            long thirdsLast = senders.entrySet().stream().filter(e -> e.getValue().contains(2)).mapToLong(Map.Entry::getKey).max().orElse(Long.MAX_VALUE);
            List<Long> twoOnly = senders.entrySet().stream().filter(e -> e.getKey() > thirdsLast && e.getValue().equals(Set.of(0, 1)))
                    .map(Map.Entry::getKey).toList();
            List<Integer> inner = new ArrayList<>();
            for (int i = 1; i < twoOnly.size() - 1; i++) inner.add(requests.get(twoOnly.get(i)));
            return inner;
        }
    }

    private static boolean pulling(SimulatorStats stats, int... instances) {
        Set<Integer> seen = new TreeSet<>();
        for (SimulatorStats.RequestRecord r : stats.requestLog()) seen.add(instanceOf(r));
        for (int i : instances) if (!seen.contains(i)) return false;
        return true;
    }

    private static int instanceOf(SimulatorStats.RequestRecord r) {
        String country = r.cursorKey().split("\\|", -1).length > 1 ? r.cursorKey().split("\\|", -1)[1] : "";
        for (int i = 0; i < COUNTRIES.length; i++) if (COUNTRIES[i].toLowerCase(Locale.ROOT).equals(country)) return i;
        return -1;
    }

    private static List<String> readAll(List<Path> logs) throws Exception {
        List<String> texts = new ArrayList<>();
        for (Path l : logs) texts.add(Files.readString(l));
        return texts;
    }
}
