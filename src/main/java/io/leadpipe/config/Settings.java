package io.leadpipe.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Every knob, layered: leadpipe's defaults ({@link BuiltInDefaults}: application.properties as packaged), then
 * ./application.properties, then --config FILE, then an environment variable named
 * like the key (leadpipe.db.url → LEADPIPE_DB_URL), then -Dkey=value. The same merged view is handed
 * to Camel, so routes and Java read identical values. A leadpipe.* key leadpipe does not know stops it.
 * The getters take no default of their own: a process-wide key's default is written once, in application.properties.
 */
public final class Settings {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();
    private String baseOrigin;

    public static Settings load(Path applicationProperties, Path extraConfig, Map<String, String> cliOverrides,
                                Map<String, String> env, Properties systemProperties) {
        Settings s = new Settings();
        s.layer(BuiltInDefaults.layer(), BuiltInDefaults.ORIGIN);
        Set<String> knownKeys = new LinkedHashSet<>(BuiltInDefaults.keys());
        List<String> fileSources = List.of();
        if (applicationProperties != null && Files.isRegularFile(applicationProperties)) {
            Properties base = read(applicationProperties);
            knownKeys.addAll(base.stringPropertyNames());
            fileSources = KnownSettings.sourceNames(base.getProperty("leadpipe.sources"));
            s.layer(base, applicationProperties.toString());
            s.baseOrigin = applicationProperties.toString();
        }
        KnownSettings known = new KnownSettings(knownKeys, fileSources);
        if (extraConfig != null) {
            if (!Files.isRegularFile(extraConfig)) {
                throw new ConfigException("--config " + extraConfig + ": no such file");
            }
            s.layer(read(extraConfig), extraConfig.toString());
        }
        Map<String, String> fromSystem = new LinkedHashMap<>();
        for (String key : systemProperties.stringPropertyNames()) {
            if (key.startsWith("leadpipe.") || key.startsWith("camel.")) fromSystem.put(key, systemProperties.getProperty(key));
        }
        s.layerEnvironment(env, known, fromSystem, cliOverrides);
        fromSystem.forEach((k, v) -> s.put(k, v, "-D" + k));
        cliOverrides.forEach((k, v) -> s.put(k, v, "-D" + k));
        Path home = applicationProperties == null ? Path.of("") : applicationProperties.toAbsolutePath().getParent();
        SourceProfiles.apply(s, new SourceProfiles(home.resolve(SourceProfiles.DIRECTORY)));
        DeletionFeeds.apply(s);
        SinkProfiles.apply(s, home.resolve(SinkProfiles.DIRECTORY), known);
        s.rejectUnknown(known);
        return s;
    }

    /**
     * An environment variable sets the key whose {@link #envName} it is: any key of the files, and any key
     * leadpipe knows for the sources declared in the end (so LEADPIPE_SOURCE_CRM2_URL sets
     * leadpipe.source.crm2.url once crm2 is in leadpipe.sources, from whichever layer). Two keys that share
     * an environment name (sources crm-2 and crm_2) make that variable ambiguous: it is refused.
     * camel.* keys no file mentions are left to camel-main, which maps CAMEL_* variables onto its own options.
     */
    private void layerEnvironment(Map<String, String> env, KnownSettings known, Map<String, String> fromSystem, Map<String, String> cli) {
        String sources = cli.getOrDefault("leadpipe.sources", fromSystem.getOrDefault("leadpipe.sources",
                env.getOrDefault(envName("leadpipe.sources"), values.get("leadpipe.sources"))));
        Set<String> keys = new LinkedHashSet<>(values.keySet());
        keys.addAll(known.keys(KnownSettings.sourceNames(sources)));
        Map<String, List<String>> byEnvName = new LinkedHashMap<>();
        for (String key : keys) byEnvName.computeIfAbsent(envName(key), n -> new ArrayList<>()).add(key);
        for (Map.Entry<String, List<String>> e : byEnvName.entrySet()) {
            String value = env.get(e.getKey());
            if (value == null) continue;
            if (e.getValue().size() > 1) {
                throw new ConfigException("environment variable " + e.getKey() + " is ambiguous: it could set " + String.join(" or ", e.getValue())
                        + "; set the one you mean with -Dkey=value or in a --config file");
            }
            put(e.getValue().get(0), value, "environment variable " + e.getKey());
        }
    }

    /** A leadpipe.* key leadpipe does not read is a typo until proven otherwise: say which key is closest. */
    private void rejectUnknown(KnownSettings known) {
        List<String> sources = KnownSettings.sourceNames(values.get("leadpipe.sources"));
        java.util.function.Predicate<String> isKnown = known.knownFor(sources);
        for (String key : values.keySet()) {
            if (!isKnown.test(key)) {
                throw new ConfigException(known.explainUnknown(key, sources) + " (from " + origins.get(key) + ")");
            }
        }
    }

    /** The same name Camel looks up for a placeholder: upper case, every character but A-Z, 0-9 and _ as _. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        return p;
    }

    private void layer(Properties p, String origin) {
        for (String key : p.stringPropertyNames()) put(key, p.getProperty(key), origin);
    }

    private void put(String key, String value, String origin) {
        values.put(key, value == null ? "" : value.trim());
        origins.put(key, origin);
    }

    /** Which layer set the key (a file, an environment variable, -D, a profile), or null when none did. */
    String origin(String key) {
        return origins.get(key);
    }

    /** Set by no layer, or only by application.properties or leadpipe's defaults: a profile's value may take its place. */
    boolean fromDefaults(String key) {
        String origin = origins.get(key);
        return origin == null || origin.equals(baseOrigin) || origin.equals(BuiltInDefaults.ORIGIN);
    }

    /** Set by a layer of the user's (a file, the environment, -D, a test's set), not leadpipe's defaults or a profile. */
    boolean setByUser(String key) {
        String origin = origins.get(key);
        return !fromDefaults(key) && !origin.startsWith("profile ") && !origin.startsWith("sink profile ")
                && values.get(key) != null && !values.get(key).isEmpty();
    }

    /** Sets the key from a named layer (a source profile). */
    void setFrom(String key, String value, String origin) {
        put(key, value, origin);
    }

    public void set(String key, String value) {
        put(key, value, "leadpipe");
    }

    public String get(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * The value, or {@code defaultValue} when unset or set empty: for a source's keys, whose defaults {@link SourceKeys}
     * declares (a process-wide key has its default in application.properties: read it with {@link #getText}).
     */
    public String get(String key, String defaultValue) {
        String v = get(key);
        return v == null ? defaultValue : v;
    }

    /**
     * The value, or leadpipe's default (application.properties) when unset or set empty. A key with no default there
     * is a bug of leadpipe's, not the user's: a ConfigException naming it (BuiltInDefaultsTest keeps there none).
     */
    public String getText(String key) {
        String v = get(key);
        if (v != null) return v;
        String d = DEFAULTS.getProperty(key);
        if (d == null) {
            throw new ConfigException("setting " + key + " has no default: leadpipe reads it, so application.properties must list it"
                    + " (a bug of leadpipe's; set it with -D" + key + " meanwhile)");
        }
        return d.strip();
    }

    private static final Properties DEFAULTS = BuiltInDefaults.layer();

    /**
     * The value as set, also when set empty (where empty means something: "do not send this parameter", "the
     * body itself"); the default only when no layer sets the key.
     */
    public String getAllowingEmpty(String key, String defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : v;
    }

    public String require(String key) {
        String v = get(key);
        if (v == null) throw new ConfigException("missing setting " + key + " (set it in application.properties, --config, env " + envName(key) + " or -D" + key + ")");
        return v;
    }

    /** A whole number between min and max; its default is application.properties'. */
    public long getLong(String key, long min, long max) {
        return parseLong(key, getText(key), min, max);
    }

    /** The same for a source's key: its default is declared in {@link SourceKeys} (or by another key), not application.properties. */
    public long getLong(String key, long defaultValue, long min, long max) {
        String v = get(key);
        return v == null ? defaultValue : parseLong(key, v, min, max);
    }

    private long parseLong(String key, String v, long min, long max) {
        long n;
        try {
            n = Long.parseLong(asciiNumber(v));
        } catch (NumberFormatException e) {
            throw invalid(key, v, "is not a whole number");
        }
        if (n < min || n > max) throw invalid(key, v, "must be between " + min + " and " + max);
        return n;
    }

    /** Java reads full-width (１００) and other scripts' digits as numbers; a setting takes ASCII digits only. */
    private static String asciiNumber(String v) {
        if (!v.chars().allMatch(c -> c < 128)) throw new NumberFormatException("digits other than 0-9");
        return v;
    }

    public int getInt(String key, int min, int max) {
        return (int) getLong(key, min, max);
    }

    /** A source's key: its default is declared in {@link SourceKeys} (or by another key). */
    public int getInt(String key, int defaultValue, int min, int max) {
        return (int) getLong(key, defaultValue, min, max);
    }

    public double getDouble(String key, double min, double max) {
        String v = getText(key);
        double n;
        try {
            n = Double.parseDouble(asciiNumber(v));
        } catch (NumberFormatException e) {
            throw invalid(key, v, "is not a number");
        }
        if (!(n >= min && n <= max)) throw invalid(key, v, "must be between " + min + " and " + max);
        return n;
    }

    public boolean getBoolean(String key) {
        return parseBoolean(key, getText(key));
    }

    /** A source's key: its default is declared in {@link SourceKeys}. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String v = get(key);
        return v == null ? defaultValue : parseBoolean(key, v);
    }

    private boolean parseBoolean(String key, String v) {
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw invalid(key, v, "must be true or false");
    }

    /**
     * A directory setting leadpipe will write into: it, or the nearest part of it that exists, must be a
     * writable directory. Checked at start without creating anything, so a pull is never lost to it at the end.
     */
    public Path writableDirectory(String key) {
        String value = getText(key);
        Path dir = Path.of(value).toAbsolutePath().normalize();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null || !Files.isDirectory(existing)) throw invalid(key, value, "cannot be created: " + existing + " is not a directory");
        if (!Files.isWritable(existing)) throw invalid(key, value, "cannot be written: " + existing + " is not writable");
        return Path.of(value);
    }

    public ConfigException invalid(String key, String value, String why) {
        return new ConfigException("invalid setting " + key + " = '" + JdbcUrlMask.mask(value) + "' " + why + " (from " + origins.getOrDefault(key, "default") + ")");
    }

    /** The merged view, for Camel's property placeholders. */
    public Properties asProperties() {
        Properties p = new Properties();
        values.forEach(p::setProperty);
        return p;
    }
}
