package io.leadpipe.testing;

import io.leadpipe.simulator.LeadsApiSimulator;
import io.leadpipe.simulator.SimulatorConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The options of a test's child JVM running target/leadpipe.jar. A child's start is mostly class loading, and the
 * process tests start about a hundred of them: they share one class-data archive (AppCDS) of the classes a small
 * `run` loads, written once per build of the jar, which takes about a third off each start's CPU. Without the
 * archive (it could not be written) a child starts as before; a stale one is refused by the JVM itself, silently.
 */
public final class ChildJvm {

    /** C1 only and the serial collector: short-lived JVMs spent most of their CPU in the C2 compiler. */
    private static final List<String> BASE = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private static Path archive;
    private static boolean tried;

    private ChildJvm() {
    }

    /** The JVM options for any other child JVM of a test (the simulator's jar): no archive of leadpipe's classes. */
    public static List<String> plainOptions() {
        return BASE;
    }

    /** The JVM options for a child running target/leadpipe.jar. */
    public static List<String> options() {
        List<String> options = new ArrayList<>(BASE);
        options.addAll(archiveOptions());
        return options;
    }

    /** Only the class-data archive's options (none without an archive): for children whose heap and JIT are set elsewhere. */
    public static List<String> archiveOptions() {
        Path a = archive();
        return a == null ? List.of() : List.of("-XX:SharedArchiveFile=" + a, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /** target/leadpipe-&lt;jar's time&gt;.jsa, written by the first fork that needs it (a file lock keeps the others waiting). */
    private static synchronized Path archive() {
        if (tried) return archive;
        tried = true;
        Path jar = Path.of("target/leadpipe.jar").toAbsolutePath();
        try {
            if (!Files.isRegularFile(jar)) return null;
            Path target = jar.resolveSibling("leadpipe-" + Files.getLastModifiedTime(jar).toMillis() + ".jsa");
            archive = OncePerBuild.get(target, jar.resolveSibling("leadpipe-jsa.lock"), partial -> dump(jar, partial));
        } catch (IOException e) {
            archive = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the test run is being stopped: say so to the caller's waits
            archive = null;
        }
        return archive;
    }

    /** A small pull against the simulator, with -XX:ArchiveClassesAtExit: the classes of a run, written at {@code partial} as it exits. */
    private static void dump(Path jar, Path partial) throws IOException, InterruptedException {
        try (TestWorkspace ws = new TestWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = 30;
            ws.startSimulator(c);
            List<String> cmd = new ArrayList<>(List.of(TestWorkspace.javaBin()));
            cmd.addAll(BASE);
            cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                    "-jar", jar.toString(), "--config", ws.configFile().toString(), "run"));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ws.dir.resolve("dump.log").toFile());
            pb.environment().putAll(TestWorkspace.envWithKey());
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0 || Files.size(partial) == 0) {
                p.destroyForcibly();
                Files.deleteIfExists(partial);
            }
        } catch (UncheckedIOException e) {
            Files.deleteIfExists(partial); // no archive: children start without one
        }
    }
}
