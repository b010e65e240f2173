package io.leadpipe.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Every knob, layered: application.properties, then --config FILE, then an environment variable named
 * like the key (leadpipe.db.url → LEADPIPE_DB_URL), then -Dkey=value. The same merged view is handed
 * to Camel, so routes and Java read identical values.
 */
public final class Settings {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    public static Settings load(Path applicationProperties, Path extraConfig, Map<String, String> cliOverrides,
                                Map<String, String> env, Properties systemProperties) {
        Settings s = new Settings();
        if (applicationProperties != null && Files.isRegularFile(applicationProperties)) {
            s.layerFile(applicationProperties);
        }
        if (extraConfig != null) {
            if (!Files.isRegularFile(extraConfig)) {
                throw new ConfigException("--config " + extraConfig + ": no such file");
            }
            s.layerFile(extraConfig);
        }
        for (String key : s.values.keySet().toArray(new String[0])) {
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) s.put(key, fromEnv, "environment variable " + envName(key));
        }
        for (String key : systemProperties.stringPropertyNames()) {
            if (key.startsWith("leadpipe.") || key.startsWith("camel.")) {
                s.put(key, systemProperties.getProperty(key), "-D" + key);
            }
        }
        cliOverrides.forEach((k, v) -> s.put(k, v, "-D" + k));
        return s;
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private void layerFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        for (String key : p.stringPropertyNames()) put(key, p.getProperty(key), file.toString());
    }

    private void put(String key, String value, String origin) {
        values.put(key, value == null ? "" : value.trim());
        origins.put(key, origin);
    }

    public void set(String key, String value) {
        put(key, value, "leadpipe");
    }

    public String get(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    public String get(String key, String defaultValue) {
        String v = get(key);
        return v == null ? defaultValue : v;
    }

    public String require(String key) {
        String v = get(key);
        if (v == null) throw new ConfigException("missing setting " + key + " (set it in application.properties, --config, env " + envName(key) + " or -D" + key + ")");
        return v;
    }

    public long getLong(String key, long defaultValue, long min, long max) {
        String v = get(key);
        if (v == null) return defaultValue;
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid(key, v, "is not a whole number");
        }
        if (n < min || n > max) throw invalid(key, v, "must be between " + min + " and " + max);
        return n;
    }

    public int getInt(String key, int defaultValue, int min, int max) {
        return (int) getLong(key, defaultValue, min, max);
    }

    public double getDouble(String key, double defaultValue, double min, double max) {
        String v = get(key);
        if (v == null) return defaultValue;
        double n;
        try {
            n = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw invalid(key, v, "is not a number");
        }
        if (!(n >= min && n <= max)) throw invalid(key, v, "must be between " + min + " and " + max);
        return n;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String v = get(key);
        if (v == null) return defaultValue;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw invalid(key, v, "must be true or false");
    }

    public ConfigException invalid(String key, String value, String why) {
        return new ConfigException("invalid setting " + key + " = '" + value + "' " + why + " (from " + origins.getOrDefault(key, "default") + ")");
    }

    /** The merged view, for Camel's property placeholders. */
    public Properties asProperties() {
        Properties p = new Properties();
        values.forEach(p::setProperty);
        return p;
    }
}
