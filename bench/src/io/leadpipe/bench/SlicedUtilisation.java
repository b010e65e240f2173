package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Issue 13 item 7, "one cursor job cut into 8 slices": the common scenario (simulator answering in 300 ms ± 50%,
 * 10 requests per 1 s window, X-RateLimit headers) and one cursor job sliced by its 8 countries, each slice a pull
 * of its own, all on the key's one governor. Utilisation as {@link QuotaUtilisation.Windows} counts it.
 */
final class SlicedUtilisation {

    static final int LIMIT = 10;
    static final long WINDOW_MS = 1000;
    static final int PAGE_SIZE = 100;
    /** ~400 pages: about 40 s of pulling at 10 requests/s. */
    static int leads() {
        return Scale.of(40_000, 1_000);
    }

    static final String SLICES = "country=US|country=DE|country=GB|country=FR|country=NL|country=SE|country=CA|country=AU";

    record Result(String label, long floor, int slices, int windows, long requests, double utilisation, long rateLimited, long avoidable,
                  double seconds, double load) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | **%.3f** | %d | %d | %.1f | %.2f |",
                    label, slices, floor, windows, requests, utilisation, rateLimited, avoidable, seconds, load);
        }
    }

    static void report() throws Exception {
        System.out.printf(Locale.ROOT, "### Quota utilisation: one cursor job cut into 8 slices (target ≥ 0.95, 0 avoidable 429s)%n%n"
                + "Simulator: %d requests per %d ms window, X-RateLimit headers (reset in epoch seconds), every answer %d ms ± 50%%; "
                + "%,d leads, page size %d, cursor paging; one job with `slices = %s`, leadpipe.slices.concurrency 8. "
                + "Utilisation = requests served in the windows the pull fully covered ÷ (limit × windows).%n%n", LIMIT, WINDOW_MS, ParallelPages.latencyMs(), leads(), PAGE_SIZE, SLICES);
        System.out.println("| case | slices | floor | full windows | requests | utilisation | 429s | avoidable 429s | seconds | load avg (1 min) before |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        // the JIT compiles the pull's path before a measured run, as in the overhead case
        if (!Scale.smoke()) run("warm-up (not reported)", 0, Integer.getInteger("bench.warm-up-leads", 20_000), 0);
        for (String floor : System.getProperty("bench.floors", Scale.smoke() ? "0" : "0,10").split(",")) {
            long f = Long.parseLong(floor.strip());
            System.out.println(run(f == 10 ? "8 slices, default floor 10" : "8 slices, floor " + f, f, leads(), ParallelPages.latencyMs()).row());
        }
        System.out.println();
    }

    /**
     * The common cursor scenario in {@code ws}: the simulator ({@code leads}, {@link #LIMIT} per {@link #WINDOW_MS},
     * answers at {@code latencyMillis} ± 50%) and one job of the extract template with these {@code slices}, page size
     * {@link #PAGE_SIZE}. Returns the simulator's settings.
     */
    static SimulatorConfig cursorJob(BenchWorkspace ws, String jobId, String slices, int leads, long latencyMillis) throws java.io.IOException {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = leads;
        c.rateLimit = LIMIT;
        c.rateWindowMillis = WINDOW_MS;
        c.latencyMillis = latencyMillis;
        c.latencyJitter = 0.5;
        c.paging = "cursor";
        ws.simulator(c);
        Path jobs = ws.dir.resolve("jobs.yaml");
        Files.writeString(jobs, "- templatedRoute:\n    routeTemplateRef: extract\n    routeId: job-" + jobId + "\n    parameters:\n"
                + "      - { name: jobId, value: " + jobId + " }\n      - { name: slices, value: \"" + slices + "\" }\n");
        ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:" + jobs);
        ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
        return c;
    }

    static Result run(String label, long floor, int leads, long latencyMillis) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            cursorJob(ws, "by-country", SLICES, leads, latencyMillis);
            ws.settings.put("leadpipe.ratelimit.floor", Long.toString(floor));
            ws.settings.put("leadpipe.slices.concurrency", "8");
            String margin = System.getProperty("bench.reset-margin-ms");
            if (margin != null) ws.settings.put("leadpipe.ratelimit.reset-margin-ms", margin);
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

            long t0 = System.nanoTime();
            ws.run("run");
            double seconds = (System.nanoTime() - t0) / 1e9;

            SimulatorStats stats = ws.simulator.stats();
            List<SimulatorStats.RequestRecord> log = stats.requestLog();
            QuotaUtilisation.Windows w = QuotaUtilisation.Windows.of(log, WINDOW_MS, LIMIT);
            System.err.println(label + ": requests per window " + w.served().values());
            // where in its window each 429 arrived, and how many that window had served before it
            for (SimulatorStats.RequestRecord r : log) {
                if (r.status() != 429) continue;
                long window = Math.floorDiv(r.arrivedMillis(), WINDOW_MS);
                long before = log.stream().filter(x -> x.status() != 429 && Math.floorDiv(x.arrivedMillis(), WINDOW_MS) == window && x.arrivedMillis() <= r.arrivedMillis()).count();
                System.err.println(label + ": 429 at " + Math.floorMod(r.arrivedMillis(), WINDOW_MS) + " ms into its window, after " + before + " served in it");
            }
            return new Result(label, floor, 8, w.full(), log.size(), w.utilisation(), stats.rateLimited(), stats.avoidableRateLimited(), seconds, load);
        }
    }
}
