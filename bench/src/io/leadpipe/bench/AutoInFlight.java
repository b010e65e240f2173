package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.util.List;
import java.util.Locale;

/**
 * concurrency = auto (the default) beside hand-set values, in one run (issue 24): an offset API with a total at
 * 10 requests per 1-second window (X-RateLimit headers) answering in 300 ms ± 50%, then 30 ms ± 50%; floor 0,
 * the client-side cap out of the way. Quota utilisation is counted by {@link QuotaUtilisation#measure} from the
 * simulator's own request log; "most in flight" is the most pages the simulator worked on at once.
 */
final class AutoInFlight {

    record Row(QuotaUtilisation.Result quota, int mostInFlight, long latencyMs, String concurrency) {
        String line() {
            QuotaUtilisation.Result q = quota;
            return String.format(Locale.ROOT, "| %d ms ± 50%% | %s | %d | %d | **%.3f** | %.3f | %d | %d | %d | %.1f |",
                    latencyMs, concurrency, mostInFlight, q.windows(), q.utilisation(), q.rateRatio(), q.requests(), q.rateLimited(), q.avoidable(), q.seconds());
        }
    }

    /** One offset pull of {@code leads} in pages of 10; {@code concurrency} null: leadpipe's default (auto). */
    static Row pull(long latencyMs, String concurrency, int leads) throws Exception {
        return pull(latencyMs, concurrency, leads, concurrency == null ? "**auto (default)**" : concurrency);
    }

    static Row pull(long latencyMs, String concurrency, int leads, String label) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = ParallelPages.commonScenario("offset", leads);
            latencyMs = Scale.of(latencyMs, Math.min(latencyMs, 20L)); // a smoke run: a few seconds
            c.latencyMillis = latencyMs;
            ws.simulator(c);
            ParallelPages.settings(ws, "offset", null, 0);
            if (concurrency != null) ws.settings.put("leadpipe.source.leads-api.concurrency", concurrency);
            long t0 = System.nanoTime();
            ws.run("run");
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Row(QuotaUtilisation.measure(label, 1, 0, c, ws.simulator.stats(), seconds), ws.simulator.stats().mostInFlight(), latencyMs, label);
        }
    }

    /** bench/run latency */
    static void report() throws Exception {
        System.out.println("### Pages in flight: `concurrency = auto` (the default) beside hand-set values (targets: auto ≥ 0.95 at 300 ms; at 30 ms no more pages than needed)\n");
        System.out.printf(Locale.ROOT, "Simulator: offset paging with a total, 10 requests per 1000 ms fixed window, X-RateLimit headers, page size %d; "
                + "floor 0, reset margin 100 ms, client-side cap out of the way (1000/s). auto = the quota's rate × the measured answer time × 1.5, "
                + "at most max-concurrency (16). Load average at start: %.1f.%n%n", ParallelPages.PAGE_SIZE, ParallelPages.loadAverage());
        System.out.println("| answer time | concurrency | most pages in flight | full windows | utilisation | rate ÷ allowed | requests | 429s | avoidable 429s | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        int slow = Scale.of(3000, 200);
        int fast = Scale.of(2000, 200);
        for (Scale.Row<Row> r : Scale.<Row>rows(List.of(
                // first: the JVM's first pull, cold, as every `leadpipe run` is
                () -> pull(300, null, slow, "**auto (default)**, cold (the JVM's first pull)"),
                () -> pull(300, "1", slow / 4),
                () -> pull(300, "4", slow),
                () -> pull(300, "8", slow),
                // auto again, the JVM now warm: the first row is what `leadpipe run` in a fresh JVM sees
                () -> pull(300, null, slow, "**auto (default)**, warm (after the rows above)"),
                () -> pull(30, null, fast),
                () -> pull(30, "1", fast),
                () -> pull(30, "8", fast)))) {
            System.out.println(r.run().line());
        }
        System.out.printf(Locale.ROOT, "%nLoad average at the end: %.1f.%n%n", ParallelPages.loadAverage());
    }
}
