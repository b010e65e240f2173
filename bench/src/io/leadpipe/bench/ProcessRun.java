package io.leadpipe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** target/leadpipe.jar as a separate JVM, for the benchmarks that kill it or cap its heap. */
final class ProcessRun {
    private ProcessRun() {
    }

    static Process start(BenchWorkspace ws, Path log, List<String> jvmArgs, String... args) throws IOException {
        Path cfg = ws.dir.resolve("bench.properties");
        StringBuilder b = new StringBuilder();
        ws.settings.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Files.writeString(cfg, b);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        // a smoke run checks that the case runs and reports, not its speed: C1 alone is cheaper for such short processes
        if (Scale.smoke()) cmd.add("-XX:TieredStopAtLevel=1");
        // BenchSmokeIT passes the tests' class-data archive of leadpipe.jar (one option a line), shared by the suite's child JVMs
        String more = System.getProperty("bench.child-jvm-options", "").strip();
        if (!more.isEmpty()) cmd.addAll(List.of(more.split("\n")));
        cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.log.leadpipe=warn", "-jar", Path.of("target/leadpipe.jar").toAbsolutePath().toString(), "--config", cfg.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(Map.of("LEADPIPE_API_KEY", BenchWorkspace.KEY));
        return pb.start();
    }

    static void kill9(Process p) throws Exception {
        new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
        p.waitFor();
    }
}
