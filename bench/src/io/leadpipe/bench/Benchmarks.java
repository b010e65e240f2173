package io.leadpipe.bench;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Entry point of bench/run: prints a markdown report with the machine, the commit and the figures. */
public final class Benchmarks {

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "all" : args[0];
        java.util.Set<String> known = new java.util.LinkedHashSet<>(List.of("all", "smoke", "latency"));
        known.addAll(Smoke.cases().keySet());
        if (!known.contains(which)) {
            System.err.println("bench/run: no case '" + which + "'; one of " + known);
            System.exit(2);
        }
        if (Integer.getInteger("bench.kills", 1) < 1) {
            System.err.println("bench/run: -Dbench.kills=" + Integer.getInteger("bench.kills") + ": a kill benchmark needs at least one kill");
            System.exit(2);
        }
        Scale.smoke(which.equals("smoke"));
        System.out.println("## Run of " + Instant.now() + "\n");
        System.out.println("- command: `bench/run " + which + "`");
        System.out.println("- machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + (((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() >> 20) + " MiB RAM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "- load average (1 min) at the start: %.1f (this machine is shared: figures are ratios within this run)%n", ParallelPages.loadAverage());
        System.out.println("- commit: " + commit() + "\n");
        if (Scale.smoke()) {
            // every case at a tiny scale: fails (exit 1) when one no longer runs or reports
            System.exit(Smoke.run(System.out).isEmpty() ? 0 : 1);
        }
        if (which.equals("all") || which.equals("quota")) quota();
        if (which.equals("all") || which.equals("overhead")) overhead();
        // issue 24 item 2: where leadpipe's CPU goes beyond the raw loop's, step by step, and which guarantee each step keeps
        if (which.equals("all") || which.equals("steps")) PullSteps.report();
        if (which.equals("all") || which.equals("guarantees")) guarantees();
        if (which.equals("all") || which.equals("resume")) resume();
        if (which.equals("all") || which.equals("memory")) memory();
        if (which.equals("durability")) durability(); // ~100 SIGKILLs: long, so not part of "all"
        if (which.equals("migration-kills")) migrationKills(); // ~100 SIGKILLs too
        if (which.equals("growth")) StorageGrowth.report(); // 60 pulls and the PostgreSQL re-pulls: long, so not part of "all"
        // "latency": issue 13's figures from one run — the API at 300 ms ± 50% and 10 requests/s, and the sink
        boolean latency = which.equals("latency");
        // issue 24: concurrency = auto beside hand-set values, at 300 and 30 ms; alone (auto-inflight) its first row is the JVM's first, cold pull
        if (latency || which.equals("auto-inflight")) AutoInFlight.report();
        if (latency || which.equals("all") || which.equals("parallel")) ParallelPages.report();
        if (latency || which.equals("all") || which.equals("slices")) SlicedUtilisation.report();
        // issue 24 item 4: a cursor-only API with slices = auto, beside the job unsliced and cut by hand
        if (latency || which.equals("auto-slices")) AutoSlicedUtilisation.report();
        if (latency || which.equals("all") || which.equals("parent-child")) ParentChildUtilisation.report();
        if (latency || which.equals("all") || which.equals("cluster")) ClusterUtilisation.report();
        if (latency || which.equals("all") || which.equals("sink")) sink();
    }

    static void overhead() throws Exception {
        overhead(Integer.getInteger("bench.overhead.leads", Scale.of(PipelineOverhead.LEADS, 1_000)), Integer.getInteger("bench.overhead.rounds", Scale.of(4, 1)));
    }

    /**
     * leadpipe and the raw loop, {@code rounds} times after a warm-up of both; each round also runs the raw loop with
     * leadpipe's guarantees added one at a time (what each costs, in the same round), and leadpipe with each of those it
     * adds at a run's end or beside it switched off. The order of a round's runs is rotated by one each round and run
     * backwards every other round, so that leadpipe runs right after the raw loop as often as the raw loop right after
     * leadpipe (a run's CPU figure depends on the run before it: up to 2 × when one order was kept); the headline is the
     * median over the rounds of raw CPU s ÷ leadpipe CPU s, with its range, beside all rounds together (the sums' ratio,
     * not the mean of the rounds' ratios). The two orders balance with an even number of rounds (the default, 4).
     */
    static void overhead(int leads, int rounds) throws Exception {
        System.out.printf(Locale.ROOT, "### Pipeline overhead (target: leadpipe ≥ 0.9 × the raw loop)%n%n"
                + "An unthrottled pull of %,d leads (page size %d) into a fresh H2 file each run; leadpipe vs a raw loop "
                + "(java.net.http.HttpClient + Jackson + leadpipe's own leads upsert as a JDBC batch + its checkpoint save, each statement "
                + "committing on its own, with the job and pull ids leadpipe writes); the last columns are leadpipe with one of "
                + "its end-of-run or background guarantees switched off. The machine is shared, so beside wall-clock leads/s each round also compares the CPU time "
                + "the JVM spent (leadpipe or the raw loop, plus the simulator both call), which other processes disturb less. A round's runs are "
                + "rotated by one each round and run backwards every other round (leadpipe right after the raw loop as often as the raw loop right "
                + "after leadpipe); the headline is the median by CPU over %d rounds, with the lowest and highest. Load average at the start: %.1f.%n%n",
                leads, PipelineOverhead.PAGE_SIZE, rounds, ParallelPages.loadAverage());
        if (!Scale.smoke()) {
            PipelineOverhead.leadpipe(leads); // warm-up of the JIT for both paths, not reported
            PipelineOverhead.raw(leads, PipelineOverhead.RAW);
        }
        List<PipelineOverhead.Raw> variants = PipelineOverhead.GUARANTEES;
        // the guarantees leadpipe adds at a run's end or beside it, each switched off in turn, then all three (the smoke runs only
        // the last: the line that sets it against the raw loop with the same writes must not rot)
        List<PipelineOverhead.Switched> off = Scale.smoke() ? PipelineOverhead.SWITCHED_OFF.subList(PipelineOverhead.SWITCHED_OFF.size() - 1, PipelineOverhead.SWITCHED_OFF.size())
                : PipelineOverhead.SWITCHED_OFF;
        // a round's runs: [0] leadpipe, [1] the raw loop, then the raw variants, then leadpipe with one guarantee off
        List<Scale.Row<PipelineOverhead.Run>> runs = new java.util.ArrayList<>();
        runs.add(() -> PipelineOverhead.leadpipe(leads));
        runs.add(() -> PipelineOverhead.raw(leads, PipelineOverhead.RAW));
        for (PipelineOverhead.Raw v : variants) runs.add(() -> PipelineOverhead.raw(leads, v));
        for (PipelineOverhead.Switched o : off) runs.add(() -> PipelineOverhead.leadpipe(leads, o.settings()));
        int n = runs.size();
        double[][] cpu = new double[n][rounds], perSecond = new double[n][rounds];
        String[] order = new String[rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < n; k++) {
                int at = Math.floorMod(r % 2 == 0 ? r + k : r - k, n);
                PipelineOverhead.Run run = runs.get(at).run();
                cpu[at][r] = run.cpuSeconds();
                perSecond[at][r] = run.leadsPerSecond();
            }
            order[r] = r % 2 == 0 ? "leadpipe, then raw" : "raw, then leadpipe";
        }
        StringBuilder header = new StringBuilder("| round | order | leadpipe leads/s | raw leads/s | leadpipe ÷ raw | by CPU time (raw CPU s ÷ leadpipe CPU s) |");
        for (PipelineOverhead.Raw v : variants) header.append(" raw ").append(v.label()).append(": leads/s (÷ raw; by CPU time) |");
        for (PipelineOverhead.Switched v : off) header.append(" leadpipe ").append(v.label()).append(": leads/s (÷ raw; by CPU time) |");
        System.out.println(header);
        System.out.println("|---|---|---|---|---|---|" + "---|".repeat(n - 2));
        for (int r = 0; r < rounds; r++) {
            System.out.printf(Locale.ROOT, "| %d | %s | %,.0f | %,.0f | %.3f | %.3f |", r + 1, order[r], perSecond[0][r], perSecond[1][r],
                    perSecond[0][r] / perSecond[1][r], cpu[1][r] / cpu[0][r]);
            // wall-clock ÷ raw, and by CPU time (raw CPU s ÷ this run's): what a guarantee costs, less disturbed by the machine
            for (int v = 2; v < n; v++) System.out.printf(Locale.ROOT, " %,.0f (%.3f; CPU %.3f) |", perSecond[v][r], perSecond[v][r] / perSecond[1][r], cpu[1][r] / cpu[v][r]);
            System.out.println();
        }
        System.out.printf(Locale.ROOT, "| **all rounds** (Σ ÷ Σ) | | **%,.0f** | **%,.0f** | **%.3f** | **%.3f** |", mean(perSecond[0]), mean(perSecond[1]),
                mean(perSecond[0]) / mean(perSecond[1]), sum(cpu[1]) / sum(cpu[0]));
        for (int v = 2; v < n; v++) System.out.printf(Locale.ROOT, " %,.0f (**%.3f**; CPU **%.3f**) |", mean(perSecond[v]), mean(perSecond[v]) / mean(perSecond[1]), sum(cpu[1]) / sum(cpu[v]));
        System.out.println();
        // the fair headline: per round, each run against the raw loop of its round; the median and the range over the rounds
        System.out.printf(Locale.ROOT, "| **median** (lowest – highest) | | | | %s | %s |", ranged(ratios(perSecond[0], perSecond[1])), ranged(ratios(cpu[1], cpu[0])));
        for (int v = 2; v < n; v++) System.out.printf(Locale.ROOT, " CPU %s |", ranged(ratios(cpu[1], cpu[v])));
        System.out.printf(Locale.ROOT, "%n%nleadpipe ÷ raw by CPU: **median %.3f** (lowest %.3f, highest %.3f) over %d round%s; all rounds together (Σ raw CPU ÷ Σ leadpipe CPU) %.3f.%n",
                median(ratios(cpu[1], cpu[0])), min(ratios(cpu[1], cpu[0])), max(ratios(cpu[1], cpu[0])), rounds, rounds == 1 ? "" : "s", sum(cpu[1]) / sum(cpu[0]));
        if (!off.isEmpty()) {
            // the same writes on both sides: leadpipe without the guarantees it adds at a run's end or beside it, against the raw
            // loop with leadpipe's three writes — what leadpipe costs beyond every guarantee, round by round
            double[] rawWrites = cpu[2 + variants.indexOf(PipelineOverhead.RAW_ALL_THREE)], bare = cpu[n - 1];
            System.out.printf(Locale.ROOT, "%nBeyond its guarantees: leadpipe %s ÷ the raw loop %s, by CPU: **median %.3f** (lowest %.3f, highest %.3f); "
                            + "all rounds together %.3f. The guarantees cost the rest: the raw loop's three writes %.3f of it, leadpipe's own three %.3f of leadpipe (medians by CPU).%n",
                    off.get(off.size() - 1).label(), PipelineOverhead.RAW_ALL_THREE.label(), median(ratios(rawWrites, bare)), min(ratios(rawWrites, bare)),
                    max(ratios(rawWrites, bare)), sum(rawWrites) / sum(bare), median(ratios(cpu[1], rawWrites)), median(ratios(bare, cpu[0])));
        }
        System.out.printf(Locale.ROOT, "%nLoad average at the end: %.1f.%n%n", ParallelPages.loadAverage());
    }

    /** a[r] ÷ b[r], round by round. */
    private static double[] ratios(double[] a, double[] b) {
        double[] q = new double[a.length];
        for (int r = 0; r < a.length; r++) q[r] = a[r] / b[r];
        return q;
    }

    private static String ranged(double[] values) {
        return String.format(Locale.ROOT, "**%.3f** (%.3f – %.3f)", median(values), min(values), max(values));
    }

    private static double sum(double[] values) {
        return java.util.Arrays.stream(values).sum();
    }

    private static double mean(double[] values) {
        return sum(values) / values.length;
    }

    private static double min(double[] values) {
        return java.util.Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return java.util.Arrays.stream(values).max().orElse(Double.NaN);
    }

    /**
     * What each of leadpipe's guarantees costs the raw loop, alone: only raw loops, {@code rounds} rounds after a warm-up,
     * each round running the raw loop and every variant in an order rotated by one per round (the runs right after a
     * start or another kind of run are not always the same one), each variant compared with the raw loop of its round
     * by CPU time; the median over the rounds and their range. (bench.guarantees.leads, bench.guarantees.rounds)
     */
    static void guarantees() throws Exception {
        int leads = Integer.getInteger("bench.guarantees.leads", Scale.of(50_000, 1_000)), rounds = Integer.getInteger("bench.guarantees.rounds", Scale.of(7, 1));
        System.out.printf(Locale.ROOT, "### What each guarantee costs the raw loop%n%n"
                + "The raw loop of the overhead case (%,d leads, page size %d, a fresh H2 file each run) with one of leadpipe's guarantees taken away "
                + "or added, %d rounds, the order rotated each round; per round raw CPU s ÷ the variant's CPU s (below 1: the guarantee costs that share), "
                + "then the median over the rounds and the lowest and highest. Load average at the start: %.1f.%n%n",
                leads, PipelineOverhead.PAGE_SIZE, rounds, ParallelPages.loadAverage());
        List<PipelineOverhead.Raw> all = new java.util.ArrayList<>(List.of(PipelineOverhead.RAW));
        all.addAll(PipelineOverhead.GUARANTEES);
        if (!Scale.smoke()) PipelineOverhead.raw(leads, PipelineOverhead.RAW); // warm-up, not reported
        double[][] cpu = new double[all.size()][rounds], wall = new double[all.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < all.size(); k++) {
                int v = (k + r) % all.size();
                PipelineOverhead.Run run = PipelineOverhead.raw(leads, all.get(v));
                cpu[v][r] = run.cpuSeconds();
                wall[v][r] = run.seconds();
            }
        }
        System.out.println("| raw loop | CPU s (median) | raw CPU ÷ this (median) | lowest – highest | wall-clock: raw ÷ this (median) |");
        System.out.println("|---|---|---|---|---|");
        for (int v = 0; v < all.size(); v++) {
            double[] byCpu = new double[rounds], byWall = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                byCpu[r] = cpu[0][r] / cpu[v][r];
                byWall[r] = wall[0][r] / wall[v][r];
            }
            double[] sorted = byCpu.clone();
            java.util.Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f | %.3f – %.3f | %.3f |%n", all.get(v).label(), median(cpu[v]), median(byCpu), sorted[0], sorted[rounds - 1], median(byWall));
        }
        System.out.printf(Locale.ROOT, "%nLoad average at the end: %.1f.%n%n", ParallelPages.loadAverage());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static void resume() throws Exception {
        ResumeWaste.Result r = ResumeWaste.run(Scale.of(20, 1));
        System.out.printf(Locale.ROOT, "### Resume waste (target ≤ 1 page fetched again per kill)%n%n"
                + "One pull of %,d leads (5 ms per page at the API) as a separate JVM, killed with SIGKILL %d times at random points "
                + "(%s after each start), then run to the end.%n%n", r.leads(), r.kills(), r.killWindow());
        System.out.println("| kills | pages served | pages served more than once | per kill | first page requested | completed | seconds |");
        System.out.println("|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d | %d | %d | **%.2f** | %d × | %s | %.0f |%n%n", r.kills(), r.pages(), r.pagesServedAgain(), r.perKill(),
                r.firstPages(), r.complete() ? "yes, exit 0" : "NO", r.seconds());
    }

    /** What bounds the H2 chunks in the run: leadpipe's housekeeping when a run turned it on, else nothing (the default). */
    static String housekeeping() {
        String ms = System.getProperty("bench.set.leadpipe.db.housekeeping-ms", "1000");
        return ms.equals("0") ? "not bounded (leadpipe.db.housekeeping-ms = 0: about one chunk per page commit)"
                : "sparse chunks older than H2's 45 s retention rewritten every " + ms + " ms by leadpipe's H2 housekeeping, emptied ones dropped (about the last 1–2 minutes of commits)";
    }

    /** The -Dbench.set.* settings a durability run tried, or "the defaults". */
    static String tried() {
        String s = System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.set.")).sorted()
                .map(k -> "`" + k.substring("bench.set.".length()) + "=" + System.getProperty(k) + "`").collect(java.util.stream.Collectors.joining(", "));
        return s.isEmpty() ? "the defaults" : s;
    }

    static void durability() throws Exception {
        int kills = kills();
        String options = System.getProperty("bench.url-options", ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
        CheckpointDurability.Result r = CheckpointDurability.run(kills, options);
        System.out.printf(Locale.ROOT, "### Checkpoint durability (target: a logged checkpoint never goes backwards)%n%n"
                + "One pull of %,d leads in pages of 10, SIGKILLed %d times (0.2–%.1f s after each start's first page); H2 URL options `%s`; "
                + "settings tried: %s.%n%n", CheckpointDurability.leads(), r.kills(), CheckpointDurability.killSpreadMs() / 1000.0 + 0.2, r.url(), tried());
        System.out.println("| kills | runs that logged a page | checkpoints that went backwards | seconds |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d | %d | **%d** | %.0f |%n%n", r.kills(), r.runsThatLoggedAPage(), r.backwards().size(), r.seconds());
        CheckpointDurability.printCompactions(r);
        for (CheckpointDurability.Kill k : r.backwards()) {
            System.out.printf(Locale.ROOT, "- after kill %d: page %d was logged as saved, the next start resumed at page %d%n", k.run(), k.lastLogged(), k.resumedAt());
        }
    }

    /** -Dbench.kills (at least one: main refuses fewer, which ran nothing and printed an empty table). */
    private static int kills() {
        return Integer.getInteger("bench.kills", Scale.of(100, 1));
    }

    static void migrationKills() throws Exception {
        int kills = kills(); // the smoke: one kill, of the upgrade (a kind given no kill is not run)
        int leads = Integer.getInteger("bench.leads", Scale.of(100_000, 500));
        MigrationKills.Result r = MigrationKills.run(kills, leads);
        System.out.printf(Locale.ROOT, "### Schema migrations under kill -9 (target: every database opens afterwards with every lead)%n%n"
                + "`status` (which migrates) SIGKILLed at a random point of the migration (0.25–1.1 × its unkilled time), then started again "
                + "(`repair` if that fails): a fresh database (every migration), and a database at V1 holding %,d leads (V2–V14).%n%n", leads);
        System.out.println("| database | migration alone (s) | kills | open with every lead | of which only after `repair` |");
        System.out.println("|---|---|---|---|---|");
        for (MigrationKills.Kind k : r.kinds()) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %d | **%d** | %d |%n", k.name(), k.migrationSeconds(), k.kills(), k.opened(), k.openedOnlyAfterRepair());
        }
        System.out.printf(Locale.ROOT, "%n%.0f s in all.%n%n", r.seconds());
        r.kinds().forEach(k -> k.failures().forEach(f -> System.out.println("- " + k.name() + ", " + f)));
    }

    static void memory() throws Exception {
        int leads = Integer.getInteger("bench.leads", Scale.of(1_000_000, 2_000));
        MemoryFootprint.Result r = MemoryFootprint.run(leads);
        System.out.printf(Locale.ROOT, "### Memory (target: a %,d-lead pull under -Xmx256m completes, heap after GC flat)%n%n"
                + "Settings tried: %s.%n%n| leads | completed | seconds | GCs |%n|---|---|---|---|%n| %,d | **%s** | %.0f | %d |%n%n"
                + "Heap after each young/mixed GC (from -Xlog:gc), sampled at 10 points of the run:%n%n",
                leads, tried(), leads, r.complete() ? "yes" : "NO", r.seconds(), r.samples().size());
        System.out.println("| time (s) | heap after GC (MiB) | heap size (MiB) |");
        System.out.println("|---|---|---|");
        int n = r.samples().size();
        for (int i = 0; i < 10 && n > 0; i++) {
            double[] s = r.samples().get(Math.min(n - 1, i * n / 10));
            System.out.printf(Locale.ROOT, "| %.1f | %.0f | %.0f |%n", s[0], s[1], s[2]);
        }
        if (n > 3) {
            double first = 0, last = 0;
            int q = Math.max(1, n / 4);
            for (int i = 0; i < q; i++) { first += r.samples().get(i)[1]; last += r.samples().get(n - 1 - i)[1]; }
            System.out.printf(Locale.ROOT, "%n%d GCs; mean heap after GC: first quarter %.0f MiB, last quarter %.0f MiB.%n%n", n, first / q, last / q);
        }
        // the bounds of what grows with a pull, next to the samples
        System.out.printf(Locale.ROOT, "Bounds: H2 page cache ≤ %s MiB (CACHE_SIZE in `%s`); connection pool ≤ 10 (leadpipe.db.max-connections); "
                        + "H2 chunks (one `SFChunk` each in the heap): %s; "
                        + "API answers read into memory once (no stream cache: no `TempFileManager` per page). After the pull: %s chunks, %.0f MiB file (read in a fresh connection).%n%n",
                r.storeInfo().get("info.CACHE_MAX_SIZE"), r.url().substring(r.url().indexOf(';')), housekeeping(),
                r.storeInfo().get("info.CHUNK_COUNT"), Long.parseLong(r.storeInfo().getOrDefault("info.FILE_SIZE", "0")) / 1048576.0);
        if (!r.watches().isEmpty()) {
            System.out.println("| time (s) | H2 chunks in the heap (`SFChunk`) | H2 chunks (`info.CHUNK_COUNT`) | versions the oldest one in use is behind | stream-cache temp-file managers |");
            System.out.println("|---|---|---|---|---|");
            int w = r.watches().size();
            for (int i = 0; i < Math.min(20, w); i++) {
                MemoryFootprint.Watch x = r.watches().get(Math.min(w - 1, i * w / Math.min(20, w)));
                System.out.printf(Locale.ROOT, "| %.0f | %,d | %,d | %,d | %,d |%n", x.seconds(), x.chunks(), x.chunksInStore(), x.versionsPinned(), x.tempFileManagers());
            }
            System.out.println();
        }
        if (!r.lastHistogram().isEmpty()) {
            System.out.printf(Locale.ROOT, "Live objects at %.0f s (the last `jcmd PID GC.class_histogram` before the pull ended, top 20 classes):%n%n```%n", r.histogramAtSeconds());
            r.lastHistogram().forEach(System.out::println);
            System.out.println("```\n");
        }
    }

    static void sink() throws Exception {
        // -Dbench.sink.profiles-only=true: only the CRM profiles' table (e.g. before/after a change to delivery)
        if (Boolean.getBoolean("bench.sink.profiles-only")) {
            CrmProfilesThroughput.report();
            return;
        }
        int leads = Scale.of(20_000, 300);
        System.out.printf(Locale.ROOT, "### Sink throughput (target ≥ 0.9 of the CRM's allowance)%n%n%,d leads delivered to the CRM simulator in batches of 100, "
                + "enrichment on (one cached call per domain), CRM limit %d requests per %d ms = %,.0f leads/s allowed. "
                + "÷ allowed: wall-clock leads/s of the whole `deliver` (start-up included) ÷ that; quota used: CRM requests served in the "
                + "windows the delivery covered fully ÷ (limit × those windows). \"default\": `leadpipe.sink.crm.concurrency` and "
                + "`leadpipe.sink.enrichment.concurrency` left unset (leadpipe's defaults), beside the hand-set values.%n%n",
                leads, SinkThroughput.CRM_LIMIT, SinkThroughput.crmWindowMs(), SinkThroughput.CRM_LIMIT * 100.0 * 1000 / SinkThroughput.crmWindowMs());
        System.out.println("| run | batches in flight | floor | leads | seconds | delivered leads/s | ÷ allowed | full windows | quota used | CRM requests | 429s | most in flight |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Scale.Row<SinkThroughput.Result> r : Scale.<SinkThroughput.Result>rows(List.of(
                () -> SinkThroughput.run("default", leads, null, null),
                () -> SinkThroughput.run("one batch at a time", leads, 1, null),
                () -> SinkThroughput.run("4 in flight", leads, 4, null),
                () -> SinkThroughput.run("default, floor 0", leads, null, 0L),
                () -> SinkThroughput.run("one batch at a time, floor 0", leads, 1, 0L),
                () -> SinkThroughput.run("4 in flight, floor 0", leads, 4, 0L)))) {
            System.out.println(r.run().row());
        }
        System.out.println();
        CrmProfilesThroughput.report();
    }

    static void quota() throws Exception {
        System.out.println("### Quota utilisation (target ≥ 0.97, 0 avoidable 429s)\n");
        System.out.printf(Locale.ROOT, "Simulator: %d requests per %d ms fixed window (x2 for four jobs), X-RateLimit headers, page size %d.%n%n",
                QuotaUtilisation.limit(), QuotaUtilisation.windowMs(), QuotaUtilisation.PAGE_SIZE);
        System.out.println("| run | jobs | floor | full windows | requests | utilisation | rate ÷ allowed | 429s | avoidable 429s | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Scale.Row<QuotaUtilisation.Result> r : Scale.<QuotaUtilisation.Result>rows(List.of(
                () -> QuotaUtilisation.run("single job, floor 0", 1, 0),
                () -> QuotaUtilisation.run("4 jobs on one key, floor 0", 4, 0),
                () -> QuotaUtilisation.run("single job, default floor 10", 1, 10),
                () -> QuotaUtilisation.run("4 jobs on one key, default floor 10", 4, 10)))) {
            System.out.println(r.run().row());
        }
        System.out.println();
    }

    private static String commit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String sha = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            Process d = new ProcessBuilder("git", "status", "--porcelain").redirectErrorStream(true).start();
            boolean dirty = !new String(d.getInputStream().readAllBytes()).isBlank();
            d.waitFor();
            return sha + (dirty ? " (with uncommitted changes)" : "");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
