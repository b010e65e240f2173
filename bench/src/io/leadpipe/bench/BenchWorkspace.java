package io.leadpipe.bench;

import io.leadpipe.cli.LeadpipeCli;
import io.leadpipe.simulator.LeadsApiSimulator;
import io.leadpipe.simulator.SimulatorConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A throw-away directory with its own H2 file and settings, a simulator, and the real CLI in this JVM. */
final class BenchWorkspace implements AutoCloseable {
    static final String KEY = "bench-key";
    static final String CORE_ROUTES = "file:routes/extract.yaml,file:routes/fetch.yaml,file:routes/checkpoint.yaml,file:routes/errors.yaml,file:routes/sink.yaml,file:routes/monitor.yaml";

    final Path dir;
    final Map<String, String> settings = new LinkedHashMap<>();
    LeadsApiSimulator simulator;

    BenchWorkspace() throws IOException {
        dir = Files.createTempDirectory("leadpipe-bench");
        settings.put("leadpipe.db.url", "jdbc:h2:file:" + dir.resolve("db/leadpipe") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;CACHE_SIZE=16384");
        settings.put("leadpipe.report.dir", dir.resolve("reports").toString());
        // no management port: another leadpipe on this machine (a test, another benchmark) may hold 9876, and no case reads it
        settings.put("camel.management.enabled", "false");
    }

    /** -Dbench.set.<setting>=<value>: a leadpipe setting tried under a benchmark (e.g. leadpipe.db.housekeeping-ms). */
    void settingsFromSystemProperties() {
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.set."))
                .forEach(k -> settings.put(k.substring("bench.set.".length()), System.getProperty(k)));
    }

    LeadsApiSimulator simulator(SimulatorConfig c) throws IOException {
        c.apiKey = KEY;
        simulator = new LeadsApiSimulator(c).start();
        settings.put("leadpipe.source.leads-api.url", simulator.leadsUrl());
        return simulator;
    }

    String run(String... args) throws IOException {
        Path cfg = dir.resolve("bench.properties");
        StringBuilder b = new StringBuilder();
        settings.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Files.writeString(cfg, b);
        List<String> argv = new ArrayList<>(List.of("--config", cfg.toString()));
        argv.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new LeadpipeCli(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of("LEADPIPE_API_KEY", KEY, "LEADPIPE_CRM_API_KEY", "crm-key", "LEADPIPE_ENRICH_API_KEY", "enrich-key"))
                .execute(argv.toArray(String[]::new));
        if (code != 0) throw new IllegalStateException("leadpipe exited " + code + ":\n" + out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        if (simulator != null) simulator.close();
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }
}
