package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Pages fetched more than once per SIGKILL, over 20 kills at random points of one pull. */
final class ResumeWaste {

    record Result(int leads, int kills, String killWindow, long pagesServedAgain, long firstPages, long pages, boolean complete, double seconds) {
        double perKill() {
            return pagesServedAgain / (double) kills;
        }
    }

    static Result run(int kills) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = Scale.of(200_000, 2_000);
            int from = Scale.of(1500, 300), spread = Scale.of(2500, 500);
            c.latencyMillis = 5;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            Random random = new Random(2026);
            Path log = ws.dir.resolve("resume.log");
            long t0 = System.nanoTime();
            int done = 0;
            while (done < kills) {
                Process p = ProcessRun.start(ws, log, List.of("-Xmx512m"), "run");
                Thread.sleep(from + random.nextInt(spread)); // start-up takes ~1.2 s: kills land anywhere in the pull
                if (!p.isAlive()) throw new IllegalStateException("the pull finished before " + kills + " kills: make it longer");
                ProcessRun.kill9(p);
                done++;
            }
            Process last = ProcessRun.start(ws, log, List.of("-Xmx512m"), "run");
            boolean complete = last.waitFor() == 0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            var stats = ws.simulator.stats();
            return new Result(c.leads, kills, String.format(java.util.Locale.ROOT, "%.1f–%.1f s", from / 1000.0, (from + spread) / 1000.0), stats.pagesServedAgain(), stats.firstPages(), stats.pages(), complete, seconds);
        }
    }
}
