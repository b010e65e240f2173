package io.leadpipe.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * `bench/run smoke`: every case of the harness at {@link Scale smoke size}, one after another. A case fails when
 * it throws (it no longer runs) or prints no table row with a figure (it no longer reports); the others still run.
 */
final class Smoke {

    interface Case {
        void run() throws Exception;
    }

    /** A row of a markdown table that holds a number: not a header, not the |---| line. */
    private static final Pattern FIGURE_ROW = Pattern.compile("(?m)^\\| (?!-).*\\d.*\\|\\s*$");

    /** Every case of `bench/run all`, `latency` and `durability`, by the name bench/run takes. */
    static Map<String, Case> cases() {
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("quota", Benchmarks::quota);
        cases.put("overhead", Benchmarks::overhead);
        cases.put("steps", PullSteps::report);
        cases.put("guarantees", Benchmarks::guarantees);
        cases.put("resume", Benchmarks::resume);
        cases.put("memory", Benchmarks::memory);
        cases.put("durability", Benchmarks::durability);
        cases.put("parallel", ParallelPages::report);
        // also the first table of `latency`; alone, its first row is the JVM's first (cold) pull
        cases.put("auto-inflight", AutoInFlight::report);
        cases.put("slices", SlicedUtilisation::report);
        cases.put("auto-slices", AutoSlicedUtilisation::report);
        cases.put("parent-child", ParentChildUtilisation::report);
        cases.put("cluster", ClusterUtilisation::report);
        cases.put("sink", Benchmarks::sink);
        // not part of "all" (long), but in the smoke: `bench/run migration-kills` was once left out of the known cases
        cases.put("migration-kills", Benchmarks::migrationKills);
        cases.put("growth", StorageGrowth::report);
        return cases;
    }

    /** Runs every case, printing each one's report to {@code out}; the failures, empty when all ran and reported. */
    static List<String> run(PrintStream out) {
        List<String> failures = new ArrayList<>();
        PrintStream stdout = System.out;
        for (Map.Entry<String, Case> c : cases().entrySet()) {
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            long t0 = System.nanoTime();
            double cpu0 = cpuSeconds();
            String failure = null;
            // the cases print to System.out: captured, to be checked, and passed on
            System.setOut(new PrintStream(new TeeStream(report, out), true, StandardCharsets.UTF_8));
            try {
                c.getValue().run();
            } catch (Throwable e) {
                failure = c.getKey() + " failed: " + e;
                e.printStackTrace(out);
            } finally {
                System.setOut(stdout);
            }
            if (failure == null && !FIGURE_ROW.matcher(report.toString(StandardCharsets.UTF_8)).find()) {
                failure = c.getKey() + " reported no figures";
            }
            out.printf(Locale.ROOT, "smoke: %s %s in %.1f s, %.1f s of CPU%n%n", c.getKey(), failure == null ? "ok" : "FAILED", (System.nanoTime() - t0) / 1e9,
                    cpuSeconds() - cpu0);
            if (failure != null) failures.add(failure);
        }
        out.println(failures.isEmpty() ? "smoke: every case ran and reported" : "smoke: FAILED: " + String.join("; ", failures));
        return failures;
    }

    /**
     * CPU seconds of this JVM and of the child processes it has waited for (leadpipe's processes, the simulator's):
     * the smoke runs inside `mvn -B verify`, whose time is bound by CPU. From /proc/self/stat on Linux; elsewhere this
     * JVM's own. A thread a case leaves running counts against the cases after it.
     */
    static double cpuSeconds() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command's closing parenthesis: state is field 3, utime 14, stime 15, cutime 16, cstime 17
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks / 100.0; // USER_HZ, 100 on Linux
        } catch (Exception notLinux) {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
        }
    }

    /** Writes to two streams. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a, b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
