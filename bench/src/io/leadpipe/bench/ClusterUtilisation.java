package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three instances (processes) on one API key and one embedded PostgreSQL, one of them idle (`serve` with no
 * job), the other two pulling four jobs each: quota utilisation with the window shared through the database
 * (leadpipe.ratelimit.cluster = database) and with a node share of 1/3 each, in the common scenario
 * (300 ms ± 50% latency, 10 requests/s, X-RateLimit).
 */
final class ClusterUtilisation {

    static final int LIMIT = 10;
    static final long WINDOW_MS = 1000;
    static final int PAGE_SIZE = 10;
    /** ~560 leads per industry and country: ~57 pages per job, ~450 requests in all (~2 pages per job in a smoke run). */
    static int leads() {
        return Scale.of(36_000, 1_000);
    }
    private static final String[] INDUSTRIES = {"Software", "Manufacturing", "Healthcare", "Finance"};
    private static final String[] COUNTRIES = {"US", "DE"};

    record Result(String label, int windows, double utilisation, int bothWindows, double bothUtilisation, int mostInAWindow, long requests, long rateLimited, double seconds) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %d | **%.3f** | %d | **%.3f** | %d | %d | %.1f |", label, windows, requests, utilisation,
                    bothWindows, bothUtilisation, mostInAWindow, rateLimited, seconds);
        }
    }

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;
    private static int databases;

    static Result run(String label, Map<String, String> mode) throws Exception {
        if (postgres == null) postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
        String db = "cluster_bench_" + (++databases);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads();
            c.latencyMillis = ParallelPages.latencyMs();
            c.latencyJitter = 0.5;
            c.rateLimit = LIMIT;
            c.rateWindowMillis = WINDOW_MS;
            ws.simulator(c);
            ws.settings.put("leadpipe.db.url", postgres.getJdbcUrl("postgres", db));
            ws.settings.put("leadpipe.db.user", "postgres");
            ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.ratelimit.floor", "0");
            ws.settings.put("leadpipe.jobs.concurrency", "4");
            ws.settings.putAll(mode);

            List<Process> pulling = new ArrayList<>();
            Process idle;
            long t0 = System.nanoTime();
            idle = ProcessRun.start(ws, ws.dir.resolve("idle.log"), List.of("-Xmx256m"), "serve", "-Dcamel.main.routes-include-pattern=" + BenchWorkspace.CORE_ROUTES);
            for (String country : COUNTRIES) {
                StringBuilder jobs = new StringBuilder();
                for (String industry : INDUSTRIES) jobs.append(job((industry + "-" + country).toLowerCase(Locale.ROOT), "industry=" + industry + "&country=" + country));
                Path file = ws.dir.resolve("jobs-" + country + ".yaml");
                Files.writeString(file, jobs);
                pulling.add(ProcessRun.start(ws, ws.dir.resolve("node-" + country + ".log"), List.of("-Xmx256m"), "run",
                        "-Dcamel.main.routes-include-pattern=" + BenchWorkspace.CORE_ROUTES + ",file:" + file));
            }
            for (Process p : pulling) {
                if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(label + ": an instance failed, see " + ws.dir);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            idle.destroy();
            idle.waitFor(30, TimeUnit.SECONDS);

            SimulatorStats stats = ws.simulator.stats();
            List<SimulatorStats.RequestRecord> log = stats.requestLog();
            QuotaUtilisation.Windows windows = QuotaUtilisation.Windows.of(log, WINDOW_MS, LIMIT);
            // the same, over the span both pulling instances were running (their JVMs start seconds apart on a loaded machine)
            long from = Long.MIN_VALUE, to = Long.MAX_VALUE;
            for (String country : COUNTRIES) {
                List<Long> times = log.stream().filter(r -> country.equalsIgnoreCase(countryOf(r))).map(SimulatorStats.RequestRecord::arrivedMillis).toList();
                // the simulator's request log did not name this country (its key format): the span is the whole log, said
                if (times.isEmpty()) {
                    System.err.println(label + ": no request of the simulator's log names country " + country + " — 'while both pulled' spans the whole run");
                    continue;
                }
                from = Math.max(from, times.get(0));
                to = Math.min(to, times.get(times.size() - 1));
            }
            long start = from, end = to;
            List<SimulatorStats.RequestRecord> overlap = log.stream().filter(r -> r.arrivedMillis() >= start && r.arrivedMillis() <= end).toList();
            // at a tiny scale (the smoke) one instance can finish before the other starts: no span where both pulled
            if (overlap.isEmpty()) System.err.println(label + ": the pulling instances never pulled at once — 'while both pulled' spans the whole run");
            QuotaUtilisation.Windows both = QuotaUtilisation.Windows.of(overlap.isEmpty() ? log : overlap, WINDOW_MS, LIMIT);
            System.err.println(label + ": requests per window " + windows.served().values());
            for (SimulatorStats.RequestRecord r : log) {
                if (r.status() == 429) System.err.println(label + ": a 429 at " + Math.floorMod(r.arrivedMillis(), WINDOW_MS) + " ms into its window");
            }
            int most = windows.served().values().stream().mapToInt(Integer::intValue).max().orElse(0);
            return new Result(label, windows.full(), windows.utilisation(), both.full(), both.utilisation(), most, log.size(), stats.rateLimited(), seconds);
        }
    }

    /** A leads request's country filter (the simulator's key is industry|country|cursor). */
    private static String countryOf(SimulatorStats.RequestRecord r) {
        String[] parts = r.cursorKey().split("\\|", -1);
        return parts.length > 1 ? parts[1] : "";
    }

    private static String job(String id, String filters) {
        return "- templatedRoute:\n    routeTemplateRef: extract\n    routeId: job-" + id + "\n    parameters:\n"
                + "      - { name: jobId, value: \"" + id + "\" }\n      - { name: filters, value: \"" + filters + "\" }\n";
    }

    static void report() throws Exception {
        System.out.printf(Locale.ROOT, "### Cluster quota (target ≥ 0.9 with one instance of three idle)%n%n"
                + "Three instances (processes) on one API key and one embedded PostgreSQL: one idle (`serve`, no jobs), two pulling four jobs each "
                + "(page size %d, %,d leads in the simulator); simulator %d requests per %d ms, %d ms ± 50%% latency, X-RateLimit headers, floor 0. "
                + "Utilisation: requests served in the windows the pull fully covered ÷ (limit × those windows); "
                + "the same over the windows both pulling instances fully covered (from the later one's first request to the earlier one's last).%n%n", PAGE_SIZE, leads(), LIMIT, WINDOW_MS, ParallelPages.latencyMs());
        System.out.println("| quota shared by | full windows | requests | utilisation | full windows both pulled in | utilisation while both pulled | most requests in a window | 429s | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        try {
            for (Scale.Row<Result> r : Scale.<Result>rows(List.of(
                () -> run("the database (leadpipe.ratelimit.cluster = database)", Map.of("leadpipe.ratelimit.cluster", "database")),
                () -> run("a node share of 1/3 each (cluster = node-share, node-share = 0.3334)", Map.of("leadpipe.ratelimit.node-share", "0.3334"))))) {
                System.out.println(r.run().row());
            }
        } finally {
            if (postgres != null) postgres.close();
            postgres = null;
        }
        System.out.printf(Locale.ROOT, "%nLoad average at the end: %.2f%n%n", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
