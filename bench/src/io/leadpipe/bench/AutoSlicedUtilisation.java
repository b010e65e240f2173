package io.leadpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.simulator.SimulatorStats;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;

/**
 * Issue 24 item 4: a cursor-only API at 300 ms ± 50% and 10 requests per 1-second window, one job pulled three
 * ways in one run — `slices = auto` (cut by time on updated_since/updated_before, sized from the API's counts),
 * unsliced, and cut by hand into 8 country slices. Floor 0, the client-side cap out of the way. Utilisation is
 * {@link QuotaUtilisation.Windows} over the simulator's own request log (the count requests included: they
 * spend the quota too, and are shown apart).
 */
final class AutoSlicedUtilisation {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Row(String label, int slices, long counts, QuotaUtilisation.Windows w, long requests, long rateLimited, long avoidable, double seconds,
               double load, String cut) {
        String line() {
            return String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | **%.3f** | %d | %d | %.1f | %.1f |",
                    label, slices, counts, w.full(), requests, w.utilisation(), rateLimited, avoidable, seconds, load);
        }
    }

    /** bench/run latency, bench/run auto-slices */
    static void report() throws Exception {
        int leads = Scale.of(20_000, 600);
        System.out.printf(Locale.ROOT, "### A cursor-only API: `slices = auto` beside the job unsliced and cut by hand (target: auto ≥ 0.9)%n%n"
                + "Simulator: cursor paging with a total (/meta/total), %d requests per %d ms window, X-RateLimit headers, every answer %d ms ± 50%%; "
                + "%,d leads updated one a minute from 2026-01-01, page size %d; floor 0, client-side cap out of the way (1000/s), "
                + "leadpipe.slices.concurrency 8. auto: `slices = auto` on delta.param = updated_since, delta.until-param = updated_before, "
                + "its range from the start of time to now (or from the day the records start). count requests = requests the slices did not make (the plan's). "
                + "Load average at start: %.1f.%n%n",
                SlicedUtilisation.LIMIT, SlicedUtilisation.WINDOW_MS, ParallelPages.latencyMs(), leads, SlicedUtilisation.PAGE_SIZE, ParallelPages.loadAverage());
        if (!Scale.smoke()) {
            // the JVM's first pull is slow on its own (bench/run auto-inflight's cold row): whichever row came first lost to it
            // (the bare `auto` row, 0.73 in one run, 0.84 and 0.80 in another after a row by hand had taken the cold start)
            run("warm-up", "auto from 2026-01-01", 2_000);
            System.out.println("An unreported warm-up pull (a small `slices = auto from 2026-01-01` job) ran first, so that the rows compare plans, not the JVM's warm-up.\n");
        }
        System.out.println("| job | slices | count requests | full windows | requests | utilisation | 429s | avoidable 429s | seconds | load avg before |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        StringBuilder cuts = new StringBuilder();
        for (Scale.Row<Row> r : Scale.<Row>rows(List.of(
                () -> run("**slices = auto**", "auto", leads),
                // the range given (the records start then): fewer count requests than from the start of time
                () -> run("slices = auto from 2026-01-01", "auto from 2026-01-01", leads),
                () -> run("unsliced", "", leads / 4),
                () -> run("8 country slices (by hand)", SlicedUtilisation.SLICES, leads)))) {
            Row row = r.run();
            System.out.println(row.line());
            if (row.cut() != null) cuts.append("- ").append(row.label().replace("*", "")).append(": ").append(row.cut()).append('\n');
        }
        System.out.printf(Locale.ROOT, "%n%sLoad average at the end: %.1f.%n%n", cuts, ParallelPages.loadAverage());
    }

    static Row run(String label, String slices, int leads) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SlicedUtilisation.cursorJob(ws, "leads", slices, leads, ParallelPages.latencyMs());
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.source.leads-api.delta.in", "query");
            ws.settings.put("leadpipe.source.leads-api.delta.param", "updated_since");
            ws.settings.put("leadpipe.source.leads-api.delta.until-param", "updated_before");
            ws.settings.put("leadpipe.ratelimit.floor", "0");
            ws.settings.put("leadpipe.slices.concurrency", "8");
            double load = ParallelPages.loadAverage();

            long t0 = System.nanoTime();
            ws.run("run");
            double seconds = (System.nanoTime() - t0) / 1e9;

            SimulatorStats stats = ws.simulator.stats();
            List<SimulatorStats.RequestRecord> log = stats.requestLog();
            QuotaUtilisation.Windows w = QuotaUtilisation.Windows.of(log, SlicedUtilisation.WINDOW_MS, SlicedUtilisation.LIMIT);
            System.err.println(label + ": requests per window " + w.served().values());
            if (Boolean.getBoolean("bench.request-log")) {
                long first = log.isEmpty() ? 0 : log.get(0).arrivedMillis();
                for (SimulatorStats.RequestRecord r : log) System.err.println(label + ": +" + (r.arrivedMillis() - first) + " ms " + r.status() + " " + r.cursorKey());
            }
            JsonNode report = JSON.readTree(Files.readString(ws.dir.resolve("reports/leads.json")));
            if (!"DONE".equals(report.path("status").asText()) || !report.path("completeness").asText().startsWith("PASS")) {
                throw new IllegalStateException(label + ": the pull did not end DONE and complete: " + report.path("status") + " " + report.path("completeness"));
            }
            int n = report.path("slices").isArray() ? report.path("slices").size() : 1;
            long counts = log.size() - report.path("requests").asLong();
            return new Row(label, n, counts, w, log.size(), stats.rateLimited(), stats.avoidableRateLimited(), seconds, load,
                    report.path("cut").isMissingNode() ? null : report.path("cut").asText());
        }
    }
}
