package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A 1,000,000-lead pull under -Xmx256m: does it complete, and does the heap after each GC stay flat? */
final class MemoryFootprint {

    record Result(boolean complete, double seconds, List<double[]> samples) {}

    static Result run(int leads) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            ws.settings.put("camel.management.enabled", "false");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            Path gc = ws.dir.resolve("gc.log");
            long t0 = System.nanoTime();
            Process p = ProcessRun.start(ws, ws.dir.resolve("memory.log"), List.of("-Xmx256m", "-Xlog:gc:file=" + gc), "run");
            boolean complete = p.waitFor() == 0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            // "[12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 150M->31M(256M) 4.2ms"
            Matcher m = Pattern.compile("\\[(\\d+\\.\\d+)s\\].*GC\\(\\d+\\) Pause.*?(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gc));
            List<double[]> samples = new ArrayList<>();
            while (m.find()) samples.add(new double[]{Double.parseDouble(m.group(1)), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
            return new Result(complete, seconds, samples);
        }
    }
}
