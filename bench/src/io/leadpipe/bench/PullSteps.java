package io.leadpipe.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * `bench/run steps`: where leadpipe's CPU goes, step by step, when it runs as the overhead case's last run (its own
 * three end-of-run guarantees off), beside the raw loop that writes what it writes ({@link PipelineOverhead#RAW_ALL_THREE})
 * in the same rounds. {@link StepCpu} measures each step of the routes; each step falls in the first group whose pattern
 * its label matches: what the raw loop does too, a guarantee the raw loop does not keep, or Camel's routing. The rest of
 * leadpipe's CPU is outside its steps (the JIT, GC, the simulator both call, Camel's start and stop).
 */
final class PullSteps {

    /** @param guarantee a guarantee of the mission the raw loop does not keep */
    record Group(String name, boolean guarantee, Pattern steps) {}

    static final List<Group> GROUPS = List.of(
            new Group("the raw loop's writes too: the leads' upsert and lead_jobs, the page key, the checkpoint, the page's commit", false,
                    Pattern.compile("ref:leadStore method:upsert|^transacted\\[|ref:pullRepository method:save\\(|^idempotentConsumer\\[")),
            new Group("the raw loop's fetch and read too: the request's URL, the HTTP call, the JSON parse, the records and the next cursor", false,
                    Pattern.compile("^toD\\[|^unmarshal\\[|ref:paging method:(readPage|prepareRequest)|ref:instanceUrls")),
            new Group("the completeness proof and the run report: the job's leads counted at the start and at the end", true,
                    Pattern.compile("ref:leadStore method:count|ref:runReport|ref:driftMeter method:evaluate")),
            new Group("pacing and the quota's signals: the Throttler, the key's governor, every answer's rate-limit headers", true,
                    Pattern.compile("^throttle\\[|ref:rateLimits")),
            new Group("per-page checks: the loop guard, drift, answers that are not JSON, pages sent twice, a sync's changes and deletions, the page's log line", true,
                    Pattern.compile("ref:pullLoop method:(inspect|pageStored|duplicatePage)|ref:driftMeter|ref:jsonAnswer|ref:deltaWatermarks|CamelDuplicateMessage|^log\\[")),
            new Group("one writer per job: the checkpoint opened, renewed and ended under the job's lease", true,
                    Pattern.compile("ref:pullRepository")),
            new Group("Camel's routing: the loop, choices, calls between routes, the kamelet, variables and headers", false, Pattern.compile("")));

    static Group groupOf(String label) {
        for (Group g : GROUPS) if (g.steps().matcher(label).find()) return g;
        throw new IllegalStateException("no group for " + label); // the last group takes every step
    }

    /** Adds a run's CPU seconds and the JIT's compilation seconds during it to {@code sums}. */
    private static void measured(double[] sums, Scale.Row<PipelineOverhead.Run> run) throws Exception {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        long jit0 = jit.getTotalCompilationTime();
        sums[0] += run.run().cpuSeconds();
        sums[1] += (jit.getTotalCompilationTime() - jit0) / 1e3;
    }

    static void report() throws Exception {
        int leads = Integer.getInteger("bench.steps.leads", Scale.of(PipelineOverhead.LEADS, 1_000)), rounds = Integer.getInteger("bench.steps.rounds", Scale.of(4, 1));
        // the JIT keeps compiling leadpipe's code for several runs of a JVM (more code than the raw loop's): a warm-up of a few
        int warmUp = Integer.getInteger("bench.steps.warm-up", Scale.of(3, 0));
        PipelineOverhead.Switched allOff = PipelineOverhead.SWITCHED_OFF.get(PipelineOverhead.SWITCHED_OFF.size() - 1);
        Map<String, String> settings = new LinkedHashMap<>(allOff.settings());
        settings.putAll(StepCpu.SETTING);
        System.out.printf(Locale.ROOT, "### Where leadpipe's CPU goes, step by step%n%n"
                        + "leadpipe %s (the overhead case's last run), an unthrottled pull of %,d leads (page size %d) into a fresh H2 file each run, "
                        + "with the CPU of each step of its routes measured on the thread that runs it (without the steps nested in it), beside the raw loop %s; "
                        + "%d round%s after a warm-up of both (%d runs each), the order swapped every round. Load average at the start: %.1f.%n%n",
                allOff.label(), leads, PipelineOverhead.PAGE_SIZE, PipelineOverhead.RAW_ALL_THREE.label(), rounds, rounds == 1 ? "" : "s",
                warmUp, ParallelPages.loadAverage());
        for (int w = 0; w < warmUp; w++) {
            PipelineOverhead.leadpipe(leads, settings);
            PipelineOverhead.raw(leads, PipelineOverhead.RAW_ALL_THREE);
        }
        StepCpu.clear();
        // [CPU s, JIT s] of each side, summed over the rounds
        double[] leadpipe = new double[2], raw = new double[2];
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                measured(leadpipe, () -> PipelineOverhead.leadpipe(leads, settings));
                measured(raw, () -> PipelineOverhead.raw(leads, PipelineOverhead.RAW_ALL_THREE));
            } else {
                measured(raw, () -> PipelineOverhead.raw(leads, PipelineOverhead.RAW_ALL_THREE));
                measured(leadpipe, () -> PipelineOverhead.leadpipe(leads, settings));
            }
        }
        double leadpipeCpu = leadpipe[0] / rounds, rawCpu = raw[0] / rounds, leadpipeJit = leadpipe[1] / rounds, rawJit = raw[1] / rounds;
        Map<StepCpu.Step, StepCpu.Spent> spent = StepCpu.spent();
        Map<Group, Double> byGroup = new LinkedHashMap<>();
        for (Group g : GROUPS) byGroup.put(g, 0.0);
        double inSteps = 0;
        for (Map.Entry<StepCpu.Step, StepCpu.Spent> e : spent.entrySet()) {
            double s = e.getValue().cpuSeconds() / rounds;
            byGroup.merge(groupOf(e.getKey().label()), s, Double::sum);
            inSteps += s;
        }
        System.out.println("| where | a guarantee the raw loop does not keep | CPU s per run | share of leadpipe's CPU |");
        System.out.println("|---|---|---|---|");
        double guarantees = 0;
        for (Map.Entry<Group, Double> g : byGroup.entrySet()) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.1f%% |%n", g.getKey().name(), g.getKey().guarantee() ? "yes" : "no", g.getValue(), 100 * g.getValue() / leadpipeCpu);
            if (g.getKey().guarantee()) guarantees += g.getValue();
        }
        System.out.printf(Locale.ROOT, "| outside the pull's steps: the JIT compiling (the JVM's compilation time, elapsed in its compiler threads) | no | %.3f | %.1f%% |%n", leadpipeJit, 100 * leadpipeJit / leadpipeCpu);
        double rest = leadpipeCpu - inSteps - leadpipeJit;
        System.out.printf(Locale.ROOT, "| outside the pull's steps: the rest — GC, the simulator, Camel's start and stop | no | %.3f | %.1f%% |%n", rest, 100 * rest / leadpipeCpu);
        System.out.printf(Locale.ROOT, "| **leadpipe %s, in all** | | **%.3f** | 100%% |%n", allOff.label(), leadpipeCpu);
        System.out.printf(Locale.ROOT, "| the raw loop %s, of which the JIT compiling | | %.3f, %.3f | |%n%n", PipelineOverhead.RAW_ALL_THREE.label(), rawCpu, rawJit);
        System.out.printf(Locale.ROOT, "The raw loop ÷ leadpipe by CPU: %.3f. Without the guarantees above (%.3f s per run, %.1f%% of leadpipe's CPU): %.3f — "
                        + "what leadpipe costs beyond every guarantee it keeps, per page and at the end.%n",
                rawCpu / leadpipeCpu, guarantees, 100 * guarantees / leadpipeCpu, rawCpu / (leadpipeCpu - guarantees));
        // the JIT's time is elapsed time in its compiler threads: their CPU on a quiet machine, more on a busy one
        System.out.printf(Locale.ROOT, "Without those guarantees and without the JIT compiling on either side (leadpipe's %.3f s, the raw loop's %.3f s per run): %.3f.%n%n",
                leadpipeJit, rawJit, (rawCpu - rawJit) / (leadpipeCpu - guarantees - leadpipeJit));
        // the instrument's own cost is in leadpipe's figures: two reads of the thread's CPU clock per step run
        long stepsPerRun = spent.values().stream().mapToLong(StepCpu.Spent::calls).sum() / rounds;
        double read = StepCpu.clockReadSeconds();
        System.out.printf(Locale.ROOT, "Timing the steps (%,d a run, two reads of the thread's CPU clock each, %.2f µs a read here) costs leadpipe's figures about %.3f s per run.%n%n",
                stepsPerRun, read * 1e6, 2 * stepsPerRun * read);
        // every step, the costliest first: which group each one fell in can be checked here
        List<Map.Entry<StepCpu.Step, StepCpu.Spent>> steps = new ArrayList<>(spent.entrySet());
        steps.sort((a, b) -> Double.compare(b.getValue().cpuSeconds(), a.getValue().cpuSeconds()));
        System.out.println("| route | step | runs per pull | CPU s per run | group |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<StepCpu.Step, StepCpu.Spent> e : steps) {
            double s = e.getValue().cpuSeconds() / rounds;
            if (s < 0.0005 && !Scale.smoke()) continue;
            System.out.printf(Locale.ROOT, "| %s | `%s` | %,d | %.4f | %s |%n", e.getKey().route(), e.getKey().label().replace("|", "\\|"), e.getValue().calls() / rounds, s,
                    GROUPS.indexOf(groupOf(e.getKey().label())) + 1);
        }
        System.out.printf(Locale.ROOT, "%n(Steps under 0.5 ms per run left out; groups by their row above, from 1. Load average at the end: %.1f.)%n%n", ParallelPages.loadAverage());
    }
}
