package io.leadpipe.config;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Ready settings for a CRM: {@code leadpipe.sink.crm.profile = salesforce} layers
 * {@code profiles/sinks/salesforce.properties} (keys relative to {@code leadpipe.sink.}: {@code crm.dialect},
 * {@code mapping}, {@code batch-size}, {@code crm.auth}, {@code crm.quota.*}, …) under the user's settings,
 * as {@link SourceProfiles} does for sources: the profile wins over application.properties, every layer a
 * user gives wins over the profile. The value may also be the path of a properties file of the user's own.
 */
public final class SinkProfiles {

    public static final String DIRECTORY = SourceProfiles.DIRECTORY + "/sinks";
    static final String KEY = "leadpipe.sink.crm.profile";
    static final String ENRICHMENT_KEY = "leadpipe.sink.enrichment.profile";
    static final String ENRICHMENT_DIRECTORY_NAME = "enrichment";
    public static final String ENRICHMENT_DIRECTORY = SourceProfiles.DIRECTORY + "/" + ENRICHMENT_DIRECTORY_NAME;
    static final String PREFIX = "leadpipe.sink.";

    private SinkProfiles() {
    }

    static void apply(Settings s, Path directory, KnownSettings known) {
        layer(s, KEY, directory, "sink profile ", "crm.dialect, mapping, batch-size", known);
        // an enrichment API's profile (profiles/enrichment/NAME.properties), the same way: keys under leadpipe.sink.enrichment.
        layer(s, ENRICHMENT_KEY, directory.resolveSibling(ENRICHMENT_DIRECTORY_NAME), "enrichment profile ", "enrichment.key-field, enrichment.fields", known);
    }

    private static void layer(Settings s, String key, Path directory, String kind, String examples, KnownSettings known) {
        String value = s.get(key);
        if (value == null) return;
        Path f = new SourceProfiles(directory).file(key, value);
        String origin = kind + value + " (" + f + ")";
        Properties p = SourceProfiles.read(f);
        boolean enrichment = key.equals(ENRICHMENT_KEY);
        for (String relative : p.stringPropertyNames()) {
            String full = PREFIX + relative;
            if (relative.startsWith("leadpipe.") || full.equals(key) || (enrichment && !relative.startsWith("enrichment."))
                    || (known != null && !known.isKnown(full, java.util.List.of()))) {
                throw new ConfigException(f + ": key '" + relative + "' is not a" + (enrichment ? "n enrichment" : " delivery") + " setting (keys are relative to leadpipe.sink., e.g. " + examples + ")");
            }
            if (s.fromDefaults(full)) s.setFrom(full, p.getProperty(relative), origin);
        }
    }
}
