package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Parallel pages within a job (leadpipe.source.<name>.concurrency), in the common scenario: the simulator
 * answers in 300 ms ± 50% and allows 10 requests per 1 s window, with X-RateLimit headers. Quota
 * utilisation is counted by {@link QuotaUtilisation#measure}; resume waste by SIGKILLs of a real process.
 */
final class ParallelPages {

    static final int PAGE_SIZE = 10;

    /** The common scenario's answer time: 300 ms (± 50%); 20 ms in a smoke run. */
    static long latencyMs() {
        return Scale.of(300L, 20L);
    }

    static SimulatorConfig commonScenario(String paging, int leads) {
        SimulatorConfig c = new SimulatorConfig();
        c.paging = paging;
        c.leads = leads;
        c.latencyMillis = latencyMs();
        c.latencyJitter = 0.5;
        c.rateLimit = 10;
        c.rateWindowMillis = 1000;
        return c;
    }

    /** @param concurrency pages in flight, or null for leadpipe's default (the setting left unset) */
    static void settings(BenchWorkspace ws, String paging, Integer concurrency, long floor) {
        ws.settings.put("leadpipe.source.leads-api.paging", paging);
        ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
        if (concurrency != null) ws.settings.put("leadpipe.source.leads-api.concurrency", Integer.toString(concurrency));
        // the API's headers pace the pull, not the client-side cap
        ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
        ws.settings.put("leadpipe.ratelimit.floor", Long.toString(floor));
        ws.settings.put("leadpipe.ratelimit.reset-margin-ms", "100");
        ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
    }

    /** One job's pull: {@code leads} in pages of 10, {@code concurrency} pages in flight. */
    static QuotaUtilisation.Result utilisation(String label, String paging, Integer concurrency, long floor, int leads) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = commonScenario(paging, leads);
            ws.simulator(c);
            settings(ws, paging, concurrency, floor);
            long t0 = System.nanoTime();
            ws.run("run");
            double seconds = (System.nanoTime() - t0) / 1e9;
            return QuotaUtilisation.measure(label, 1, floor, c, ws.simulator.stats(), seconds);
        }
    }

    record Waste(int kills, List<Long> perKill, long pagesServedAgain, long pages, long firstPages, boolean complete, double seconds) {
        double mean() {
            return pagesServedAgain / (double) kills;
        }

        long max() {
            return perKill.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    /**
     * An offset pull with {@code concurrency} pages in flight as a separate JVM, SIGKILLed {@code kills} times
     * (0.2–2.2 s after it fetched its first 10 pages of the run), then run to the end. A kill's waste = pages
     * served again during the run after it (the pages that were in flight when it landed).
     */
    static Waste resume(int kills, int concurrency) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = commonScenario("offset", wasteLeads());
            ws.simulator(c);
            settings(ws, "offset", concurrency, 0);
            Random random = new Random(2026);
            Path log = ws.dir.resolve("resume.log");
            long t0 = System.nanoTime();
            List<Long> againAtKill = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                long pagesBefore = ws.simulator.stats().pages();
                Process p = ProcessRun.start(ws, log, List.of("-Xmx256m"), "run");
                while (ws.simulator.stats().pages() < pagesBefore + 10) {
                    if (!p.isAlive()) throw new IllegalStateException("the pull ended before " + kills + " kills: make it longer");
                    Thread.sleep(20);
                }
                Thread.sleep(200 + random.nextInt(wasteSpreadMs()));
                if (!p.isAlive()) throw new IllegalStateException("the pull ended before " + kills + " kills: make it longer");
                ProcessRun.kill9(p);
                againAtKill.add(ws.simulator.stats().pagesServedAgain());
            }
            Process last = ProcessRun.start(ws, log, List.of("-Xmx256m"), "run");
            boolean complete = last.waitFor() == 0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            var stats = ws.simulator.stats();
            againAtKill.add(stats.pagesServedAgain());
            List<Long> perKill = new ArrayList<>();
            for (int k = 0; k < kills; k++) perKill.add(againAtKill.get(k + 1) - againAtKill.get(k));
            return new Waste(kills, perKill, stats.pagesServedAgain(), stats.pages(), stats.firstPages(), complete, seconds);
        }
    }

    static int wasteLeads() {
        return Scale.of(6000, 300);
    }

    static int wasteSpreadMs() {
        return Scale.of(2000, 200);
    }

    /** bench/run parallel */
    static void report() throws Exception {
        System.out.println("### Parallel pages within a job (targets: offset × 8 ≥ 0.95 utilisation, 0 avoidable 429s; ≤ 8 pages re-fetched per kill)\n");
        System.out.printf(Locale.ROOT, "Simulator: %d ms ± 50%% per answer, 10 requests per 1000 ms fixed window, X-RateLimit headers, page size %d; "
                + "client-side cap out of the way (1000/s), reset margin 100 ms. \"default\": `leadpipe.source.<name>.concurrency` left unset "
                + "(leadpipe's default), beside the hand-set values. Load average at start: %.1f.%n%n", latencyMs(), PAGE_SIZE, loadAverage());
        System.out.println("| run | jobs | floor | full windows | requests | utilisation | rate ÷ allowed | 429s | avoidable 429s | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        int leads = Scale.of(4000, 200);
        for (Scale.Row<QuotaUtilisation.Result> r : Scale.<QuotaUtilisation.Result>rows(List.of(
                () -> utilisation("offset, default concurrency, floor 0", "offset", null, 0, leads),
                () -> utilisation("cursor, one page at a time (baseline)", "cursor", 1, 0, leads / 4),
                () -> utilisation("offset, concurrency 8, floor 0", "offset", 8, 0, leads),
                () -> utilisation("offset, concurrency 8, default floor 10", "offset", 8, 10, leads)))) {
            System.out.println(r.run().row());
        }
        if (Boolean.getBoolean("bench.skip-waste")) return; // BENCH_OPTS=-Dbench.skip-waste=true: the utilisation runs alone
        Waste w = resume(Scale.of(10, 1), 8);
        System.out.printf(Locale.ROOT, "%nResume waste: an offset pull of %,d leads with concurrency 8 as a separate JVM, SIGKILLed %d times "
                + "(0.2–%.1f s after each run's first 10 pages), then run to the end. Load average at the end: %.1f.%n%n",
                wasteLeads(), w.kills(), 0.2 + wasteSpreadMs() / 1000.0, loadAverage());
        System.out.println("| kills | pages served | pages served more than once | per kill (mean) | per kill (max) | per kill | first page requested | completed | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d | %d | %d | **%.2f** | **%d** | %s | %d × | %s | %.0f |%n%n", w.kills(), w.pages(), w.pagesServedAgain(), w.mean(),
                w.max(), w.perKill(), w.firstPages(), w.complete() ? "yes, exit 0" : "NO", w.seconds());
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
