package io.leadpipe;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * There is no Docker engine on the build machines, so the image is checked against the build instead:
 * after {@code mvn package}, every path docker/Dockerfile copies exists, the build stage copies every source
 * root the pom compiles, the image's entry point runs the jar the build makes (and its Class-Path is in the
 * copied lib/), and docker/compose.yaml runs the simulator from the simulator's own jar.
 */
class DockerLayoutIT {

    static final Path DOCKERFILE = Path.of("docker/Dockerfile");
    static final Path COMPOSE = Path.of("docker/compose.yaml");

    record Copy(String from, List<String> sources, String destination) {}

    static final class Stage {
        final String name;
        String workdir = "/";
        final List<Copy> copies = new ArrayList<>();
        List<String> entrypoint = List.of();
        List<String> cmd = List.of();

        Stage(String name) {
            this.name = name;
        }

        /** The build path a file of this image came from, e.g. /app/leadpipe.jar ← /src/target/leadpipe.jar. */
        Copy copyOf(String destination) {
            return copies.stream().filter(c -> c.destination().equals(destination)).findFirst()
                    .orElseThrow(() -> new AssertionError("stage " + name + " copies nothing to " + destination));
        }
    }

    @Test
    void everyPathTheDockerfileCopiesExistsAfterPackage() throws Exception {
        Map<String, Stage> stages = stages();
        Stage build = stages.get("build");
        assertThat(build).as("a build stage named build").isNotNull();
        for (Stage stage : stages.values()) {
            for (Copy c : stage.copies) {
                for (String source : c.sources()) {
                    // from the build context (the repository root), or from the build stage's /src (the repository after `mvn package`)
                    String inRepo = c.from() == null ? source : relativeTo(build.workdir, source);
                    assertThat(matches(inRepo)).as("stage %s: COPY %s%s → %s (looked for %s)", stage.name,
                            c.from() == null ? "" : "--from=" + c.from() + " ", source, c.destination(), inRepo).isNotEmpty();
                }
            }
        }
    }

    @Test
    void theBuildStageCopiesEverySourceTheBuildCompiles() throws Exception {
        Stage build = stages().get("build");
        List<String> copied = build.copies.stream().filter(c -> c.from() == null).flatMap(c -> c.sources().stream()).toList();
        String pom = Files.readString(Path.of("pom.xml"));
        List<String> roots = new ArrayList<>(List.of("pom.xml", "src/main/java", "src/main/resources", "src/test/java", "src/test/resources"));
        // source roots added by build-helper (the simulator's tree)
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<source>([^<]+)</source>").matcher(pom);
        while (m.find()) roots.add(m.group(1).trim());
        assertThat(roots).contains("simulator/src/main/java");
        for (String root : roots) {
            assertThat(copied).as("the build stage copies %s (copied: %s)", root, copied).anyMatch(c -> root.equals(c) || root.startsWith(c + "/"));
        }
    }

    @Test
    void theImageRunsTheJarTheBuildMakes() throws Exception {
        Map<String, Stage> stages = stages();
        Stage last = new ArrayList<>(stages.values()).get(stages.size() - 1);
        assertThat(last.name).as("the default target (last stage)").isEqualTo("leadpipe");
        runsJar(stages.get("build"), last, "target/leadpipe.jar", "io.leadpipe.cli.LeadpipeCli");
        assertThat(last.cmd).containsExactly("run");
        assertThat(last.copyOf("/app/routes").sources()).containsExactly("routes");
        assertThat(last.copyOf("/app/application.properties").sources()).containsExactly("application.properties");

        Stage simulator = stages.get("simulator");
        assertThat(simulator).as("a simulator stage").isNotNull();
        runsJar(stages.get("build"), simulator, "target/leadpipe-simulator.jar", "io.leadpipe.simulator.SimulatorMain");
        assertThat(simulator.cmd).containsExactly("serve");
    }

    @Test
    void composeRunsTheSimulatorFromItsOwnJar() throws Exception {
        Map<String, Stage> stages = stages();
        @SuppressWarnings("unchecked")
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(COMPOSE));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

        Stage simulator = imageOf(services.get("simulator"), stages);
        assertThat(simulator.entrypoint).as("the compose simulator's entry point").containsExactly("java", "-jar", "/app/leadpipe-simulator.jar");
        assertThat(services.get("simulator").get("command")).isEqualTo(List.of("serve"));
        assertThat(services.get("simulator").get("entrypoint")).as("no entry point override").isNull();

        Stage leadpipe = imageOf(services.get("leadpipe"), stages);
        assertThat(leadpipe.entrypoint).containsExactly("java", "-jar", "/app/leadpipe.jar");
        assertThat(services.get("leadpipe").get("command")).isIn(List.of("run"), List.of("serve"));
    }

    /** The stage a compose service builds: its build target, or the last stage. */
    private static Stage imageOf(Map<String, Object> service, Map<String, Stage> stages) {
        @SuppressWarnings("unchecked")
        Map<String, Object> build = (Map<String, Object>) service.get("build");
        assertThat(build).as("service builds docker/Dockerfile").containsEntry("dockerfile", "docker/Dockerfile").containsEntry("context", "..");
        Object target = build.get("target");
        Stage stage = target == null ? new ArrayList<>(stages.values()).get(stages.size() - 1) : stages.get(target.toString());
        assertThat(stage).as("build target %s is a stage of the Dockerfile", target).isNotNull();
        return stage;
    }

    /** ENTRYPOINT is java -jar /app/X.jar, /app/X.jar is copied from the build's target/X.jar, which has this Main-Class and a Class-Path found in the copied lib/. */
    private static void runsJar(Stage build, Stage image, String builtJar, String mainClass) throws IOException {
        String inImage = "/app/" + Path.of(builtJar).getFileName();
        assertThat(image.entrypoint).as("stage %s ENTRYPOINT", image.name).containsExactly("java", "-jar", inImage);
        Copy jarCopy = image.copyOf(inImage);
        assertThat(jarCopy.from()).isEqualTo("build");
        assertThat(jarCopy.sources()).containsExactly(build.workdir + "/" + builtJar);
        Manifest manifest;
        try (JarFile jar = new JarFile(builtJar)) {
            manifest = jar.getManifest();
        }
        assertThat(manifest.getMainAttributes().getValue("Main-Class")).as("Main-Class of %s", builtJar).isEqualTo(mainClass);
        // every library the jar names must be in the image: the copied lib/ (all of target/lib, or the jars a glob picks)
        List<PathMatcher> libsInImage = image.copies.stream().filter(c -> c.destination().startsWith("/app/lib"))
                .flatMap(c -> c.sources().stream()).map(s -> relativeTo(build.workdir, s))
                .map(s -> FileSystems.getDefault().getPathMatcher("glob:" + (s.contains("*") ? s : s + "/**"))).toList();
        assertThat(libsInImage).as("stage %s copies a lib/", image.name).isNotEmpty();
        List<String> needed = neededLibraries(builtJar, manifest);
        assertThat(needed).as("libraries %s needs", builtJar).isNotEmpty();
        for (String lib : needed) {
            Path p = Path.of("target").resolve(lib);
            assertThat(p).as("%s's Class-Path entry", builtJar).exists();
            assertThat(libsInImage).as("stage %s has %s", image.name, lib).anyMatch(m -> m.matches(p));
        }
    }

    /** All of the product's Class-Path; for the simulator only what it loads (Jackson), the rest of its Class-Path may be absent. */
    private static List<String> neededLibraries(String builtJar, Manifest manifest) {
        List<String> all = Arrays.asList(manifest.getMainAttributes().getValue("Class-Path").trim().split("\\s+"));
        return builtJar.endsWith("simulator.jar") ? all.stream().filter(l -> l.startsWith("lib/jackson-")).toList() : all;
    }

    private static String relativeTo(String workdir, String absolute) {
        assertThat(absolute).as("a path inside the build stage's %s", workdir).startsWith(workdir + "/");
        return absolute.substring(workdir.length() + 1);
    }

    /** Files in the repository matching a COPY source (a path or a glob). */
    private static List<Path> matches(String source) throws IOException {
        if (!source.contains("*") && !source.contains("?")) return Files.exists(Path.of(source)) ? List.of(Path.of(source)) : List.of();
        Path dir = Path.of(source).getParent();
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + source);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(m::matches).toList();
        }
    }

    /** The Dockerfile's stages in order, with their WORKDIR, COPYs, ENTRYPOINT and CMD. */
    static Map<String, Stage> stages() throws IOException {
        Map<String, Stage> stages = new LinkedHashMap<>();
        Stage current = null;
        String text = Files.readString(DOCKERFILE).replaceAll("\\\\\\n", " ");
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split("\\s+", 2);
            String instruction = parts[0].toUpperCase();
            String args = parts.length > 1 ? parts[1] : "";
            switch (instruction) {
                case "FROM" -> {
                    String[] f = args.split("\\s+");
                    current = new Stage(f.length >= 3 && f[1].equalsIgnoreCase("AS") ? f[2] : "stage" + stages.size());
                    stages.put(current.name, current);
                }
                case "WORKDIR" -> current.workdir = args.startsWith("/") ? args : current.workdir + "/" + args;
                case "COPY" -> {
                    List<String> words = new ArrayList<>(Arrays.asList(args.split("\\s+")));
                    String from = null;
                    while (words.get(0).startsWith("--")) {
                        String flag = words.remove(0);
                        if (flag.startsWith("--from=")) from = flag.substring("--from=".length());
                    }
                    String dest = words.remove(words.size() - 1);
                    if (!dest.startsWith("/")) dest = current.workdir + "/" + (dest.equals(".") ? "" : dest);
                    dest = dest.replaceAll("/+$", "");
                    current.copies.add(new Copy(from, List.copyOf(words), dest));
                }
                case "ENTRYPOINT" -> current.entrypoint = execForm(args);
                case "CMD" -> current.cmd = execForm(args);
                default -> { }
            }
        }
        return stages;
    }

    private static List<String> execForm(String json) {
        assertThat(json).as("exec form (a JSON array), so the JVM gets the signals").startsWith("[");
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(json);
        while (m.find()) out.add(m.group(1));
        return out;
    }
}
