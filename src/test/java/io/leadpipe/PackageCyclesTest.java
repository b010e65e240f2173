package io.leadpipe;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product's packages depend on each other in one direction only: a cycle means two packages can only
 * be understood (and changed) together. Reads the sources, so imports and fully qualified names both count.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.leadpipe\\.(?:([a-z][a-z0-9]*)\\.)?[A-Z]");

    /** package → the packages its classes name; the root package is "(root)". */
    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> edges = new TreeMap<>();
        Path root = SOURCES.resolve("io/leadpipe");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Path dir = root.relativize(f.getParent());
                String pkg = dir.toString().isEmpty() ? "(root)" : dir.toString().replace('/', '.');
                Set<String> to = edges.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    String used = m.group(1) == null ? "(root)" : m.group(1);
                    if (!used.equals(pkg)) to.add(used);
                }
            }
        }
        return edges;
    }

    /** Strongly connected components with more than one package (Tarjan). */
    static List<Set<String>> cycles(Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> found = new ArrayList<>();
        for (String v : edges.keySet()) if (!index.containsKey(v)) connect(v, edges, index, low, stack, found);
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> edges, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, List<Set<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : edges.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, edges, index, low, stack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) found.add(component);
        }
    }

    @Test
    void theProductsPackagesHaveNoCycles() throws IOException {
        Map<String, Set<String>> edges = graph();
        StringBuilder picture = new StringBuilder();
        edges.forEach((from, to) -> picture.append(from).append(" -> ").append(to).append('\n'));
        assertThat(cycles(edges)).as("package cycles in\n%s", picture).isEmpty();
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> edges = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));
        assertThat(cycles(edges)).containsExactly(new TreeSet<>(Set.of("a", "b", "c")));
    }

    /**
     * Tests sit beside what they test: every test package is a package of the product (src/main/java, the
     * simulator's or the benchmarks' sources) or of the routes/ directory, apart from the shared fixtures
     * (io.leadpipe.testing) and vendor fakes (*.fake).
     */
    @Test
    void testPackagesMirrorTheProductsPackages() throws IOException {
        Set<String> product = new TreeSet<>();
        for (Path src : List.of(SOURCES, Path.of("simulator/src/main/java"), Path.of("bench/src"))) product.addAll(packagesWithSources(src));
        product.add("io.leadpipe.routes");
        Set<String> strays = new TreeSet<>(packagesWithSources(Path.of("src/test/java")));
        strays.removeIf(p -> product.contains(p) || p.equals("io.leadpipe.testing") || p.endsWith(".fake"));
        assertThat(strays).as("test packages with no product package of the same name").isEmpty();
        assertThat(product).contains("io.leadpipe.sink", "io.leadpipe.simulator", "io.leadpipe.bench");
    }

    private static Set<String> packagesWithSources(Path root) throws IOException {
        Set<String> found = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.toString().endsWith(".java"))
                    .forEach(f -> found.add(root.relativize(f.getParent()).toString().replace('/', '.')));
        }
        return found;
    }
}
