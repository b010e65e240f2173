package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A 1,000,000-lead pull under -Xmx256m: does it complete, and does the heap after each GC stay flat? */
final class MemoryFootprint {

    /** How often the live objects of the pulling JVM are counted; the last count is the one nearest the end of the pull. */
    static final long HISTOGRAM_EVERY_MS = 5_000;

    record Result(boolean complete, double seconds, List<double[]> samples, List<String> lastHistogram, double histogramAtSeconds,
                  java.util.Map<String, String> storeInfo, String url, List<Watch> watches) {}

    /**
     * Live instances of the classes that once grew with the pull, at one histogram, and H2's own figures read
     * through the pulling process's auto-server at the same moment: its chunk count and how many versions behind
     * the current one the oldest version still in use is (a long-open transaction or result set would pin it, and
     * with it every chunk emptied since; -1 = not read).
     */
    record Watch(double seconds, long chunks, long tempFileManagers, long chunksInStore, long versionsPinned) {}

    static Result run(int leads) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            ws.settingsFromSystemProperties();
            Path gc = ws.dir.resolve("gc.log");
            long t0 = System.nanoTime();
            Process p = ProcessRun.start(ws, ws.dir.resolve("memory.log"), List.of("-Xmx256m", "-Xlog:gc:file=" + gc), "run");
            List<String> histogram = List.of();
            double histogramAt = 0;
            List<Watch> watches = new ArrayList<>();
            // jcmd GC.class_histogram: a full GC, then the live objects by class (what holds the heap)
            while (!p.waitFor(HISTOGRAM_EVERY_MS, TimeUnit.MILLISECONDS)) {
                List<String> h = classHistogram(p.pid());
                if (!h.isEmpty() && p.isAlive()) {
                    histogram = h;
                    histogramAt = (System.nanoTime() - t0) / 1e9;
                    java.util.Map<String, String> live = p.isAlive() ? liveStoreInfo(ws) : java.util.Map.of();
                    watches.add(new Watch(histogramAt, instances(h, "org.h2.mvstore.SFChunk"), instances(h, "org.apache.camel.converter.stream.FileInputStreamCache$TempFileManager"),
                            Long.parseLong(live.getOrDefault("info.CHUNK_COUNT", "-1")),
                            live.containsKey("info.CURRENT_VERSION") && live.containsKey("info.OLDEST_VERS_TO_KEEP")
                                    ? Long.parseLong(live.get("info.CURRENT_VERSION")) - Long.parseLong(live.get("info.OLDEST_VERS_TO_KEEP")) : -1));
                }
            }
            boolean complete = p.exitValue() == 0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            // "[12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 150M->31M(256M) 4.2ms"
            Matcher m = Pattern.compile("\\[(\\d+\\.\\d+)s\\].*GC\\(\\d+\\) Pause.*?(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gc));
            List<double[]> samples = new ArrayList<>();
            while (m.find()) samples.add(new double[]{Double.parseDouble(m.group(1)), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
            return new Result(complete, seconds, samples, histogram, histogramAt, storeInfo(ws), ws.settings.get("leadpipe.db.url"), watches);
        }
    }

    /** H2's figures of the store while the pull runs, through its auto-server (IFEXISTS: never creates or owns the file). */
    private static java.util.Map<String, String> liveStoreInfo(BenchWorkspace ws) {
        if (!Files.exists(ws.dir.resolve("db/leadpipe.mv.db"))) return java.util.Map.of();
        return storeInfo(ws, ws.settings.get("leadpipe.db.url") + ";IFEXISTS=TRUE");
    }

    /** H2's own figures for the store the pull left: the page cache's bound and use, chunks, file size. */
    private static java.util.Map<String, String> storeInfo(BenchWorkspace ws) {
        return storeInfo(ws, ws.settings.get("leadpipe.db.url"));
    }

    private static java.util.Map<String, String> storeInfo(BenchWorkspace ws, String url) {
        java.util.Map<String, String> info = new java.util.LinkedHashMap<>();
        try {
            Path pw = ws.dir.resolve("db/.db-password");
            String password = Files.exists(pw) ? Files.readString(pw).trim() : "";
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", password);
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                         + "WHERE SETTING_NAME IN ('info.CACHE_MAX_SIZE', 'info.CACHE_SIZE', 'info.CHUNK_COUNT', 'info.FILE_SIZE', 'info.PAGE_COUNT', 'WRITE_DELAY', "
                         + "'info.CURRENT_VERSION', 'info.OLDEST_VERS_TO_KEEP', 'RETENTION_TIME')")) {
                while (rs.next()) info.put(rs.getString(1), rs.getString(2));
            }
        } catch (Exception e) {
            info.put("error", e.toString());
        }
        return info;
    }

    /** The instance count of a class in a histogram ("  12:   10022   1282816  org.h2.mvstore.SFChunk"), 0 when absent. */
    private static long instances(List<String> histogram, String className) {
        for (String line : histogram) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[3].equals(className)) return Long.parseLong(f[1]);
        }
        return 0;
    }

    /** Classes that would grow with the pull if a bound were missing; shown even when not among the top 20. */
    static final Pattern WATCHED = Pattern.compile("TempFileManager|CachedOutputStream|FileInputStreamCache|SFChunk|LoopGuard|job\\.Pull(\\s|$)");

    /** The top of `jcmd PID GC.class_histogram` (header, 20 classes, the watched ones, total), or nothing when the process is gone. */
    private static List<String> classHistogram(long pid) {
        try {
            Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.class_histogram")
                    .redirectErrorStream(true).start();
            List<String> lines = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            if (j.waitFor() != 0 || lines.size() < 4) return List.of();
            List<String> top = new ArrayList<>(lines.subList(1, Math.min(lines.size(), 24)));
            for (String line : lines.subList(Math.min(lines.size(), 24), lines.size() - 1)) if (WATCHED.matcher(line).find()) top.add(line);
            top.add(lines.get(lines.size() - 1));
            return top;
        } catch (Exception e) {
            return List.of();
        }
    }
}
