package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Does a saved checkpoint survive kill -9? One pull (small pages, so many commits a second) killed with
 * SIGKILL again and again at random points (0.2–3 s after its first page); after each kill, the next start's "resumes from … page M"
 * is compared with the last "page=N" line the killed process logged — a line written only after that
 * page's checkpoint UPDATE returned. M < N means a committed checkpoint went backwards.
 */
final class CheckpointDurability {

    record Kill(int run, int lastLogged, int resumedAt) {}

    /**
     * @param compactions `leadpipe compact` runs between kills (issue 25): how many ended, how many were killed in the
     *                    middle, how many failed (exit code not 0)
     */
    record Result(int kills, int runsThatLoggedAPage, List<Kill> backwards, String url, double seconds, int compactEvery, int compactions,
                  int compactionsKilled, List<String> compactFailures) {}

    private static final Pattern LOGGED = Pattern.compile("job=all-leads page=(\\d+) leads=");
    private static final Pattern RESUMED = Pattern.compile("resumes from its \\w+ checkpoint: page (\\d+)");

    static int leads() {
        return Scale.of(1_000_000, 6_000); // smoke: still pulling when its one kill comes (0.2–0.5 s after the first page)
    }

    /** A kill comes 0.2 s + up to this long after a start's first logged page. */
    static int killSpreadMs() {
        return Scale.of(2800, 300);
    }

    /** The `compact` runs of the loop, under its table (issue 25: compaction must not make a checkpoint go back). */
    static void printCompactions(Result r) {
        if (r.compactEvery() == 0) return;
        System.out.printf(java.util.Locale.ROOT, "`leadpipe compact` on the killed pull's file after every %d. kill (-Dbench.compact-every): %d ran to the end, %d were SIGKILLed "
                + "in the middle (every other one, 0.3–1.8 s after its start, if still running), %d failed.%n%n", r.compactEvery(), r.compactions(), r.compactionsKilled(), r.compactFailures().size());
        r.compactFailures().forEach(f -> System.out.println("- compact " + f));
        if (!r.compactFailures().isEmpty()) System.out.println();
    }

    /** After every N-th kill, `leadpipe compact` runs on the killed pull's file, and every other one of those is killed too (0 = never). */
    static int compactEvery() {
        return Integer.getInteger("bench.compact-every", Scale.of(3, 1));
    }

    static Result run(int kills, String urlOptions) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads();
            c.latencyMillis = 2;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            String url = "jdbc:h2:file:" + ws.dir.resolve("db/leadpipe") + urlOptions;
            ws.settings.put("leadpipe.db.url", url);
            ws.settings.put("leadpipe.source.leads-api.page-size", "10");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
            ws.settings.put("leadpipe.progress.interval-ms", "600000");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            ws.settingsFromSystemProperties();
            Random random = new Random(2027);
            long t0 = System.nanoTime();
            List<Kill> backwards = new ArrayList<>();
            int lastLogged = 0;
            int logged = 0;
            int compactions = 0;
            int compactionsKilled = 0;
            List<String> compactFailures = new ArrayList<>();
            for (int run = 1; run <= kills + 1; run++) {
                Path log = ws.dir.resolve("run-" + run + ".log");
                Process p = ProcessRun.start(ws, log, List.of("-Xmx512m", "-Dorg.slf4j.simpleLogger.log.leadpipe.extract=info"), "run");
                if (run <= kills) {
                    // start-up time varies a lot on a busy machine: the kill comes 0.2–3 s after the first page is logged
                    long deadline = System.currentTimeMillis() + 120_000;
                    while (p.isAlive() && System.currentTimeMillis() < deadline && !LOGGED.matcher(Files.readString(log)).find()) Thread.sleep(50);
                    Thread.sleep(200 + random.nextInt(killSpreadMs()));
                    if (!p.isAlive()) throw new IllegalStateException("the pull ended before kill " + run + ": " + Files.readString(log));
                    ProcessRun.kill9(p);
                    if (compactEvery() > 0 && run % compactEvery() == 0) {
                        // the file rewritten between two kills, and every other time the rewrite is killed in the middle
                        Path clog = ws.dir.resolve("compact-" + run + ".log");
                        Process compact = ProcessRun.start(ws, clog, List.of("-Xmx512m"), "compact");
                        boolean killIt = (run / compactEvery()) % 2 == 0;
                        if (killIt && !compact.waitFor(300 + random.nextInt(1500), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                            ProcessRun.kill9(compact);
                            compactionsKilled++;
                        } else {
                            compact.waitFor();
                            compactions++;
                            if (compact.exitValue() != 0) compactFailures.add("after kill " + run + ": exit " + compact.exitValue() + ": " + Files.readString(clog).strip());
                        }
                    }
                } else {
                    p.destroy(); // the last start only has to say where it resumes
                    p.waitFor();
                }
                String text = Files.readString(log);
                Matcher resumed = RESUMED.matcher(text);
                if (resumed.find()) {
                    int at = Integer.parseInt(resumed.group(1));
                    if (at < lastLogged) backwards.add(new Kill(run - 1, lastLogged, at));
                }
                Matcher m = LOGGED.matcher(text);
                boolean any = false;
                while (m.find()) {
                    lastLogged = Integer.parseInt(m.group(1));
                    any = true;
                }
                if (any) logged++;
                if (run % 10 == 0) System.err.printf("checkpoint durability: %d kills, %d went backwards, last page %d%n", run, backwards.size(), lastLogged);
            }
            return new Result(kills, logged, backwards, urlOptions, (System.nanoTime() - t0) / 1e9, compactEvery(), compactions, compactionsKilled, compactFailures);
        }
    }
}
