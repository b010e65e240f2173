package io.leadpipe.simulator;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The simulator's settings, layered the way leadpipe layers its own: its defaults (simulator/simulator.properties,
 * when run from the project; else the defaults of {@link SimulatorConfig}), ./application.properties, then
 * --config FILE, then an environment variable named like the key (leadpipe.simulator.port →
 * LEADPIPE_SIMULATOR_PORT), then -Dkey=value (JVM option or argument). Its own small reader, so the
 * simulator needs nothing from the product.
 */
final class SimulatorSettings {

    /** The simulator's own defaults file, beside application.properties. */
    static final Path DEFAULTS = Path.of("simulator", "simulator.properties");

    private final Map<String, String> files = new LinkedHashMap<>();
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private final Map<String, String> env;
    /** The arguments that were not settings (kept in order, --config included, for a child process). */
    final List<String> passThrough = new ArrayList<>();
    /** The arguments that were neither --config nor -D (leadpipe's --job NAME, say). */
    final List<String> others = new ArrayList<>();

    private SimulatorSettings(Map<String, String> env) {
        this.env = env;
    }

    static SimulatorSettings load(Path applicationProperties, List<String> args, Map<String, String> env, Properties systemProperties) {
        SimulatorSettings s = new SimulatorSettings(env);
        Path defaults = applicationProperties.toAbsolutePath().resolveSibling(DEFAULTS);
        if (Files.isRegularFile(defaults)) s.layer(defaults);
        if (Files.isRegularFile(applicationProperties)) s.layer(applicationProperties);
        for (String key : systemProperties.stringPropertyNames()) {
            if (key.startsWith("leadpipe.")) s.overrides.put(key, systemProperties.getProperty(key));
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--config") || a.startsWith("--config=")) {
                String file = a.equals("--config") ? value(args, ++i) : a.substring("--config=".length());
                Path p = Path.of(file);
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException("--config " + file + ": no such file");
                s.layer(p);
                s.passThrough.add("--config");
                s.passThrough.add(file);
            } else if (a.startsWith("-D") && a.contains("=")) {
                int eq = a.indexOf('=');
                s.overrides.put(a.substring(2, eq), a.substring(eq + 1));
                s.passThrough.add(a);
            } else {
                s.passThrough.add(a);
                s.others.add(a);
            }
        }
        return s;
    }

    private static String value(List<String> args, int i) {
        if (i >= args.size()) throw new IllegalArgumentException("--config needs a file");
        return args.get(i);
    }

    private void layer(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        for (String key : p.stringPropertyNames()) files.put(key, p.getProperty(key));
    }

    /** The value, or null when unset or blank. */
    String get(String key) {
        String v = overrides.get(key);
        if (v == null) v = env.get(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        if (v == null) v = files.get(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    String get(String key, String defaultValue) {
        String v = get(key);
        return v == null ? defaultValue : v;
    }
}
