package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How much of the API's quota a pull uses: the simulator allows L requests per fixed window of W ms; a
 * pull spanning at least ten windows runs; utilisation = requests the API served in the windows the pull
 * fully covered ÷ (L × those windows). Also: avoidable 429s (sent after an answer said remaining = 0).
 */
final class QuotaUtilisation {

    record Result(String label, int jobs, long floor, int windows, double utilisation, double rateRatio,
                  long requests, long rateLimited, long avoidable, double seconds) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | **%.3f** | %.3f | %d | %d | %.1f |",
                    label, jobs, floor, windows, requests, utilisation, rateRatio, rateLimited, avoidable, seconds);
        }
    }

    /**
     * Requests the API served (not 429) per fixed window, and utilisation over the windows a pull fully
     * covered: the first and last windows are partly outside it, so only the ones between count.
     */
    record Windows(Map<Long, Integer> served, int full, long servedInFull, double utilisation) {
        static Windows of(List<SimulatorStats.RequestRecord> log, long windowMs, int limit) {
            return ofServed(log.stream().filter(r -> r.status() != 429).map(SimulatorStats.RequestRecord::arrivedMillis).toList(), windowMs, limit);
        }

        /** The same from the moments an API served its requests (a CRM fake's or the simulator CRM's log). */
        static Windows ofServed(List<Long> servedAt, long windowMs, int limit) {
            Map<Long, Integer> perWindow = new TreeMap<>();
            for (long at : servedAt) perWindow.merge(Math.floorDiv(at, windowMs), 1, Integer::sum);
            List<Long> windows = List.copyOf(perWindow.keySet());
            long served = 0;
            int full = 0;
            for (long w = windows.get(0) + 1; w < windows.get(windows.size() - 1); w++) {
                served += perWindow.getOrDefault(w, 0);
                full++;
            }
            return new Windows(perWindow, full, served, full == 0 ? 0 : served / (double) (limit * (long) full));
        }
    }

    static final int PAGE_SIZE = 10;

    static int limit() {
        return Scale.of(30, 10);
    }

    static long windowMs() {
        return Scale.of(3000L, 300L);
    }

    static Result run(String label, int jobs, long floor) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.rateLimit = jobs == 1 ? limit() : limit() * 2;
            c.rateWindowMillis = windowMs();
            // about 12 windows' worth of requests (4 in a smoke run): single job 360 pages, four jobs ~720 pages over 4/8 of the set
            int windows = Scale.of(12, 4);
            c.leads = jobs == 1 ? windows * limit() * PAGE_SIZE : windows * 2 * limit() * PAGE_SIZE * 2;
            ws.simulator(c);
            ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.ratelimit.floor", Long.toString(floor));
            ws.settings.put("leadpipe.ratelimit.reset-margin-ms", "100");
            ws.settings.put("leadpipe.jobs.concurrency", Integer.toString(jobs));
            if (jobs > 1) ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:bench/jobs-4.yaml");
            else ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");

            long t0 = System.nanoTime();
            ws.run("run");
            double seconds = (System.nanoTime() - t0) / 1e9;
            return measure(label, jobs, floor, c, ws.simulator.stats(), seconds);
        }
    }

    /** The figures of a pull that just ran against a simulator with config {@code c} (its fixed windows of c.rateWindowMillis). */
    static Result measure(String label, int jobs, long floor, SimulatorConfig c, SimulatorStats stats, double seconds) {
        long windowMs = c.rateWindowMillis;
        List<SimulatorStats.RequestRecord> log = stats.requestLog();
        Windows covered = Windows.of(log, windowMs, c.rateLimit);
        System.err.println(label + ": requests per window " + covered.served().values());
        double spanSeconds = (log.get(log.size() - 1).arrivedMillis() - log.get(0).arrivedMillis()) / 1000.0;
        double rateRatio = (log.size() / spanSeconds) / (c.rateLimit * 1000.0 / windowMs);
        return new Result(label, jobs, floor, covered.full(), covered.utilisation(), rateRatio, log.size(), stats.rateLimited(), stats.avoidableRateLimited(), seconds);
    }
}
