package io.leadpipe.bench;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Entry point of bench/run: prints a markdown report with the machine, the commit and the figures. */
public final class Benchmarks {

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "all" : args[0];
        System.out.println("## Run of " + Instant.now() + "\n");
        System.out.println("- command: `bench/run " + which + "`");
        System.out.println("- machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + (((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize() >> 20) + " MiB RAM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"));
        System.out.println("- commit: " + commit() + "\n");
        if (which.equals("all") || which.equals("quota")) quota();
    }

    static void quota() throws Exception {
        System.out.println("### Quota utilisation (target ≥ 0.97, 0 avoidable 429s)\n");
        System.out.printf(Locale.ROOT, "Simulator: %d requests per %d ms fixed window (x2 for four jobs), X-RateLimit headers, page size %d.%n%n",
                QuotaUtilisation.LIMIT, QuotaUtilisation.WINDOW_MS, QuotaUtilisation.PAGE_SIZE);
        System.out.println("| run | jobs | floor | full windows | requests | utilisation | rate ÷ allowed | 429s | avoidable 429s | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (QuotaUtilisation.Result r : List.of(
                QuotaUtilisation.run("single job, floor 0", 1, 0),
                QuotaUtilisation.run("4 jobs on one key, floor 0", 4, 0),
                QuotaUtilisation.run("single job, default floor 10", 1, 10),
                QuotaUtilisation.run("4 jobs on one key, default floor 10", 4, 10))) {
            System.out.println(r.row());
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
