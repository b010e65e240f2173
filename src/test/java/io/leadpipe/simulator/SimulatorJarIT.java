package io.leadpipe.simulator;

import io.leadpipe.testing.TestWorkspace;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** target/leadpipe-simulator.jar: only the simulator's classes, and it serves on its own, without leadpipe.jar. */
class SimulatorJarIT {

    static final Path JAR = Path.of("target/leadpipe-simulator.jar");

    @Test
    void theJarHoldsExactlyTheSimulatorsClassesAndRunsTheSimulator() throws Exception {
        Set<String> inJar;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            inJar = jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).collect(Collectors.toCollection(TreeSet::new));
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.leadpipe.simulator.SimulatorMain");
            for (String c : inJar) {
                try (var in = jar.getInputStream(jar.getEntry(c))) {
                    assertThat(SimulatorBoundaryTest.referencedLeadpipeNames(in)).as("leadpipe names used by %s", c).allMatch(n -> n.startsWith("io/leadpipe/simulator/"));
                }
            }
        }
        Set<String> compiled = new TreeSet<>();
        Path testClasses = SimulatorBoundaryTest.classesOf(io.leadpipe.simulator.LeadsApiSimulator.class);
        for (Path c : SimulatorBoundaryTest.simulatorClasses()) compiled.add(testClasses.relativize(c).toString().replace('\\', '/'));
        assertThat(inJar).as("classes in the simulator jar = classes compiled from simulator/src/main/java").isEqualTo(compiled);
    }

    /** The layout of the Docker image's simulator stage: the jar and the Jackson jars beside it, nothing of leadpipe. */
    @Test
    void servesStandaloneWithOnlyJacksonBesideIt() throws Exception {
        Path dir = Files.createTempDirectory("leadpipe-sim-jar");
        Files.createDirectories(dir.resolve("lib"));
        Files.copy(JAR, dir.resolve("leadpipe-simulator.jar"));
        try (Stream<Path> libs = Files.list(Path.of("target/lib"))) {
            for (Path lib : libs.filter(p -> p.getFileName().toString().startsWith("jackson-")).toList()) Files.copy(lib, dir.resolve("lib").resolve(lib.getFileName()));
        }
        int port = TestWorkspace.freePort();
        Path log = dir.resolve("sim.log");
        List<String> cmd = new ArrayList<>(List.of(TestWorkspace.javaBin(), "-Xmx128m", "-jar", "leadpipe-simulator.jar", "serve",
                "-Dleadpipe.simulator.port=" + port));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LEADPIPE_SIMULATOR_LEADS", "250"); // settings from the environment, as in docker/compose.yaml
        Process sim = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            // serving once its stats endpoint answers (or it died: the next line shows its log)
            await().atMost(30, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS).ignoreExceptions()
                    .until(() -> !sim.isAlive() || get(http, port, "/_sim/stats", null).statusCode() == 200);
            assertThat(sim.isAlive()).as("simulator running; log:\n%s", Files.readString(log)).isTrue();

            HttpResponse<String> ok = get(http, port, "/v1/leads?limit=100", "demo-key");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(ok.body()).contains("\"total\":250");
            assertThat(ok.headers().firstValue("X-RateLimit-Limit")).contains("600");
            assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).contains("599");
            assertThat(get(http, port, "/v1/leads", "wrong").statusCode()).isEqualTo(401);
            assertThat(get(http, port, "/_sim/stats", null).body()).contains("\"requests\":2");
            sim.destroy();
            assertThat(sim.waitFor(10, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
            assertThat(Files.readString(log)).contains("leadpipe simulator: 250 leads at http://127.0.0.1:" + port + "/v1/leads");
        } finally {
            sim.destroy();
            sim.waitFor(10, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (key != null) b.header("X-API-Key", key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
