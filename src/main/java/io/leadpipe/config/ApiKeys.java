package io.leadpipe.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * The settings of one API under its prefix ({@code leadpipe.source.<name>.}, or {@code leadpipe.sink.crm.}
 * for a delivery API), read with the defaults and bounds {@link SourceKeys} declares, and every problem
 * reported in one format: one line naming the full key ({@link Settings#invalid}, {@link #missing}).
 */
public final class ApiKeys {

    private final Settings settings;
    private final String prefix;
    private final String label;

    /**
     * @param label how messages name the API: "source 'leads-api'", "sink API 'crm'"
     */
    public ApiKeys(Settings settings, String prefix, String label) {
        this.settings = settings;
        this.prefix = prefix;
        this.label = label;
    }

    public static ApiKeys source(Settings settings, String name) {
        return new ApiKeys(settings, KnownSettings.SOURCE_PREFIX + name + ".", "source '" + name + "'");
    }

    public String prefix() {
        return prefix;
    }

    public String label() {
        return label;
    }

    /** The full key of a setting. */
    public String key(String setting) {
        return prefix + setting;
    }

    /** The value, or the declared default when unset (or set empty). */
    public String text(String setting) {
        return text(setting, SourceKeys.key(setting).defaultValue());
    }

    /** The value, or {@code contextDefault} — a default that depends on another setting or on the API's role. */
    public String text(String setting, String contextDefault) {
        String v = settings.get(key(setting), contextDefault);
        return v == null || v.isEmpty() ? null : v;
    }

    /** The value as set, also when set empty (where empty means something); the declared default when unset. */
    public String textAllowingEmpty(String setting) {
        return textAllowingEmpty(setting, SourceKeys.key(setting).defaultValue());
    }

    public String textAllowingEmpty(String setting, String contextDefault) {
        return settings.getAllowingEmpty(key(setting), contextDefault);
    }

    /** Whether the user set it (a settings file, the environment, -D), not application.properties or a profile. */
    public boolean setByUser(String setting) {
        return settings.setByUser(key(setting));
    }

    /** Null when unset or blank (settings whose absence means "not used"). */
    public String optional(String setting) {
        String v = settings.get(key(setting));
        return v == null || v.isBlank() ? null : v.trim();
    }

    public long number(String setting) {
        SourceKeys.Key k = SourceKeys.key(setting);
        return settings.getLong(key(setting), Long.parseLong(k.defaultValue()), k.min(), k.max());
    }

    public int integer(String setting) {
        return (int) number(setting);
    }

    public boolean flag(String setting) {
        return settings.getBoolean(key(setting), Boolean.parseBoolean(SourceKeys.key(setting).defaultValue()));
    }

    /** {@code invalid setting KEY = 'value' why (from origin)}. */
    public ConfigException invalid(String setting, String value, String why) {
        return settings.invalid(key(setting), value, why);
    }

    /** {@code missing setting KEY: the API why}, for a setting that must be given. */
    public ConfigException missing(String setting, String why) {
        return new ConfigException("missing setting " + key(setting) + ": " + label + " " + why);
    }

    /** Every key under {@code prefix + sub} that is set, by the rest of its name, sorted. */
    public Map<String, String> under(String sub) {
        Map<String, String> found = new TreeMap<>();
        String p = key(sub);
        for (String k : settings.asProperties().stringPropertyNames()) {
            if (k.startsWith(p) && settings.get(k) != null) found.put(k.substring(p.length()), settings.get(k));
        }
        return found;
    }

    /** The settings themselves, for a reader that needs a key outside this API's prefix. */
    public Settings settings() {
        return settings;
    }
}
