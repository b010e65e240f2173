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
            // transacted's own time is the page's commit and Camel's routing around the steps inside it (see StepCpu)
            new Group("the raw loop's writes and counts too: the leads' upsert and lead_jobs, the page key, the checkpoint, the page's commit, the pull's counts and next position", false,
                    Pattern.compile("ref:leadStore method:upsert|^transacted\\[|ref:pullRepository method:save\\(|^idempotentConsumer\\[|ref:pullLoop method:pageStored")),
            new Group("the raw loop's fetch and read too: the request's URL, the HTTP call, the JSON parse, the records and the next cursor", false,
                    Pattern.compile("^toD\\[|^unmarshal\\[|ref:paging method:(readPage|prepareRequest)|ref:instanceUrls")),
            // the run report is where the proof's verdict (complete or not) is written
            new Group("the completeness proof and the run report: the job's leads counted at the start and at the end", true,
                    Pattern.compile("ref:leadStore method:count|ref:runReport|ref:driftMeter method:evaluate")),
            new Group("pacing and the quota's signals: the Throttler, the key's governor, every answer's rate-limit headers", true,
                    Pattern.compile("^throttle\\[|ref:rateLimits")),
            new Group("per-page checks: the loop guard, drift, answers that are not JSON, pages sent twice, a sync's changes and deletions", true,
                    Pattern.compile("ref:pullLoop method:(inspect|duplicatePage)|ref:driftMeter|ref:jsonAnswer|ref:deltaWatermarks|CamelDuplicateMessage")),
            new Group("one writer per job: the checkpoint opened, renewed and ended under the job's lease", true,
                    Pattern.compile("ref:pullRepository")),
            new Group("Camel's routing: the loop, choices, calls between routes, the kamelet, variables and headers, the page's log line", false, Pattern.compile("")));

    static Group groupOf(String label) {
        for (Group g : GROUPS) if (g.steps().matcher(label).find()) return g;
        throw new IllegalStateException("no group for " + label); // the last group takes every step
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
                        + "once with the CPU of each step of its routes measured on the thread that runs it (without the steps nested in it; Camel's routing "
                        + "around a step falls to the step around it), once as it is, beside the raw loop %s; %d round%s after a warm-up of both "
                        + "(%d runs each), the order reversed every other round. Load average at the start: %.1f.%n%n",
                allOff.label(), leads, PipelineOverhead.PAGE_SIZE, PipelineOverhead.RAW_ALL_THREE.label(), rounds, rounds == 1 ? "" : "s",
                warmUp, ParallelPages.loadAverage());
        for (int w = 0; w < warmUp; w++) {
            PipelineOverhead.leadpipe(leads, settings);
            PipelineOverhead.raw(leads, PipelineOverhead.RAW_ALL_THREE);
        }
        StepCpu.clear();
        // per round: leadpipe timed step by step, leadpipe as it is (the ratios: the instrument costs CPU of its own), the raw loop
        List<Scale.Row<PipelineOverhead.Run>> round = List.of(() -> PipelineOverhead.leadpipe(leads, settings), () -> PipelineOverhead.leadpipe(leads, allOff.settings()),
                () -> PipelineOverhead.raw(leads, PipelineOverhead.RAW_ALL_THREE));
        double[] cpu = new double[3], jit = new double[3];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < round.size(); i++) {
                int at = r % 2 == 0 ? i : round.size() - 1 - i; // backwards every other round
                PipelineOverhead.Run run = round.get(at).run();
                cpu[at] += run.cpuSeconds() / rounds;
                jit[at] += run.jitSeconds() / rounds;
            }
        }
        double timedCpu = cpu[0], leadpipeCpu = cpu[1], rawCpu = cpu[2], timedJit = jit[0], leadpipeJit = jit[1], rawJit = jit[2];
        Map<StepCpu.Step, StepCpu.Spent> spent = StepCpu.spent();
        // a route or bean renamed would move its steps into Camel's routing unseen: every group must still hold a step
        for (Group g : GROUPS) {
            if (spent.keySet().stream().noneMatch(step -> groupOf(step.label()) == g)) {
                throw new IllegalStateException("no step of leadpipe's routes fell in the group \"" + g.name() + "\": its pattern no longer matches them (PullSteps.GROUPS)");
            }
        }
        long stepsPerRun = spent.values().stream().mapToLong(StepCpu.Spent::calls).sum() / rounds;
        // what timing one step costs, from the timed run against leadpipe as it is: taken off each guarantee's steps below
        double perStep = Math.max(0, timedCpu - leadpipeCpu) / Math.max(1, stepsPerRun);
        Map<Group, Double> byGroup = new LinkedHashMap<>();
        for (Group g : GROUPS) byGroup.put(g, 0.0);
        double inSteps = 0, guarantees = 0;
        for (Map.Entry<StepCpu.Step, StepCpu.Spent> e : spent.entrySet()) {
            double s = e.getValue().cpuSeconds() / rounds;
            Group g = groupOf(e.getKey().label());
            byGroup.merge(g, s, Double::sum);
            inSteps += s;
            if (g.guarantee()) guarantees += Math.max(0, s - perStep * e.getValue().calls() / rounds);
        }
        System.out.println("In the run timed step by step:\n");
        System.out.println("| where | a guarantee the raw loop does not keep | CPU s per run | share of leadpipe's CPU |");
        System.out.println("|---|---|---|---|");
        for (Map.Entry<Group, Double> g : byGroup.entrySet()) {
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.1f%% |%n", g.getKey().name(), g.getKey().guarantee() ? "yes" : "no", g.getValue(), 100 * g.getValue() / timedCpu);
        }
        System.out.printf(Locale.ROOT, "| outside the pull's steps: the JIT compiling (the JVM's compilation time, elapsed in its compiler threads) | no | %.3f | %.1f%% |%n", timedJit, 100 * timedJit / timedCpu);
        double rest = timedCpu - inSteps - timedJit;
        System.out.printf(Locale.ROOT, "| outside the pull's steps: the rest — GC, the simulator, Camel's start and stop | no | %.3f | %.1f%% |%n", rest, 100 * rest / timedCpu);
        System.out.printf(Locale.ROOT, "| **leadpipe %s, timed step by step, in all** | | **%.3f** | 100%% |%n%n", allOff.label(), timedCpu);
        System.out.printf(Locale.ROOT, "Without the timing, in the same rounds: leadpipe %.3f s per run (the JIT compiling %.3f s), the raw loop %s %.3f s (the JIT %.3f s). "
                        + "Timing the steps (%,d a run) cost %.3f s per run, %.2f µs a step, taken off each guarantee's steps below.%n%n",
                leadpipeCpu, leadpipeJit, PipelineOverhead.RAW_ALL_THREE.label(), rawCpu, rawJit, stepsPerRun, timedCpu - leadpipeCpu, perStep * 1e6);
        System.out.printf(Locale.ROOT, "The raw loop ÷ leadpipe by CPU: %.3f. Without the guarantees above (%.3f s per run, %.1f%% of leadpipe's CPU): **%.3f** — "
                        + "what leadpipe costs beyond every guarantee it keeps, per page and at the end.%n",
                rawCpu / leadpipeCpu, guarantees, 100 * guarantees / leadpipeCpu, rawCpu / (leadpipeCpu - guarantees));
        // not a way to meet the target: a fresh JVM (leadpipe run) compiles far more. It says how much of the rest is the JIT's
        System.out.printf(Locale.ROOT, "Without those guarantees and without the JIT's compiling on either side: %.3f.%n%n",
                (rawCpu - rawJit) / (leadpipeCpu - guarantees - leadpipeJit));
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
