package io.leadpipe.simulator;

import io.leadpipe.cli.LeadpipeCli;

import io.leadpipe.simulator.LeadsApiSimulator;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator and the product stay apart. The compiler already keeps the product from importing the
 * simulator (it is not on the product's classpath); these tests read the compiled classes' constant pools,
 * so a fully qualified name or a type in a signature counts as much as an import.
 */
class SimulatorBoundaryTest {

    static final Path SIMULATOR_SOURCES = Path.of("simulator/src/main/java/io/leadpipe/simulator");

    @Test
    void theSimulatorUsesNoProductClass() throws Exception {
        Map<String, Set<String>> offences = new TreeMap<>();
        for (Path c : simulatorClasses()) {
            Set<String> product = referencedLeadpipeNames(c).stream().filter(n -> !n.startsWith("io/leadpipe/simulator/")).collect(Collectors.toCollection(TreeSet::new));
            if (!product.isEmpty()) offences.put(c.getFileName().toString(), product);
        }
        assertThat(offences).as("simulator classes that use product classes (the simulator jar would fail without leadpipe.jar)").isEmpty();
    }

    @Test
    void theProductUsesNoSimulatorClass() throws Exception {
        Path classes = classesOf(LeadpipeCli.class);
        Map<String, Set<String>> offences = new TreeMap<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path c : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                Set<String> sim = referencedLeadpipeNames(c).stream().filter(n -> n.startsWith("io/leadpipe/simulator/")).collect(Collectors.toCollection(TreeSet::new));
                if (!sim.isEmpty()) offences.put(classes.relativize(c).toString(), sim);
            }
        }
        assertThat(offences).as("product classes that use the simulator").isEmpty();
        assertThat(classes.resolve("io/leadpipe/simulator")).as("simulator classes compiled into the product").doesNotExist();
    }

    @Test
    void everySimulatorClassComesFromTheSimulatorTree() throws Exception {
        Set<String> sources;
        try (Stream<Path> files = Files.list(SIMULATOR_SOURCES)) {
            sources = files.map(p -> p.getFileName().toString().replace(".java", "")).collect(Collectors.toSet());
        }
        List<String> strays = new ArrayList<>();
        for (Path c : packageClasses()) {
            String top = c.getFileName().toString().replace(".class", "").split("\\$")[0];
            // tests beside the simulator's classes are fine: the simulator jar leaves out *Test and *IT
            if (!sources.contains(top) && !top.endsWith("Test") && !top.endsWith("IT")) strays.add(top);
        }
        assertThat(strays).as("classes in io.leadpipe.simulator that are not in simulator/src/main/java would be packed into the simulator jar").isEmpty();
    }

    /** Classes compiled from simulator/src/main/java. */
    static List<Path> simulatorClasses() throws IOException, URISyntaxException {
        List<Path> out = new ArrayList<>();
        for (Path c : packageClasses()) {
            String top = c.getFileName().toString().replace(".class", "").split("\\$")[0];
            if (Files.exists(SIMULATOR_SOURCES.resolve(top + ".java"))) out.add(c);
        }
        assertThat(out).as("compiled simulator classes").isNotEmpty();
        return out;
    }

    private static List<Path> packageClasses() throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.list(classesOf(LeadsApiSimulator.class).resolve("io/leadpipe/simulator"))) {
            return files.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
    }

    static Path classesOf(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Every internal name under io/leadpipe/ that a class file mentions: class constants, descriptors, signatures. */
    static Set<String> referencedLeadpipeNames(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile)) {
            return referencedLeadpipeNames(in);
        }
    }

    static Set<String> referencedLeadpipeNames(InputStream classFile) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String utf8 : utf8Constants(new DataInputStream(classFile))) {
            int i = utf8.indexOf("io/leadpipe/");
            while (i >= 0) {
                int end = i;
                while (end < utf8.length() && (Character.isJavaIdentifierPart(utf8.charAt(end)) || utf8.charAt(end) == '/') && utf8.charAt(end) != '$') end++;
                names.add(utf8.substring(i, end));
                i = utf8.indexOf("io/leadpipe/", end);
            }
        }
        return names;
    }

    /** The CONSTANT_Utf8 entries of a class file's constant pool (JVMS §4.4). */
    private static List<String> utf8Constants(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        List<String> out = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> out.add(in.readUTF());
                case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // longs and doubles take two slots
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        return out;
    }
}
