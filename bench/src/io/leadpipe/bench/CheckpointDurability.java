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

    record Result(int kills, int runsThatLoggedAPage, List<Kill> backwards, String url, double seconds) {}

    private static final Pattern LOGGED = Pattern.compile("job=all-leads page=(\\d+) leads=");
    private static final Pattern RESUMED = Pattern.compile("resumes from its \\w+ checkpoint: page (\\d+)");

    static int leads() {
        return Scale.of(1_000_000, 20_000);
    }

    /** A kill comes 0.2 s + up to this long after a start's first logged page. */
    static int killSpreadMs() {
        return Scale.of(2800, 300);
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
            ws.settings.put("camel.management.enabled", "false");
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
            return new Result(kills, logged, backwards, urlOptions, (System.nanoTime() - t0) / 1e9);
        }
    }
}
