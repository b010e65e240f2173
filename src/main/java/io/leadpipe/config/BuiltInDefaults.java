package io.leadpipe.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

/**
 * The top-level application.properties as packaged into the jar (Maven resources, no copy in git): the one
 * place a process-wide key's default is written. {@link Settings} layers it under every other layer, so a
 * user's file without a key (an older copy, a trimmed one, {@code --config} only) still gets the documented
 * default, and the Java getters take none of their own.
 */
public final class BuiltInDefaults {

    /** Where Maven puts it (pom.xml, build/resources); not the classpath root, which camel-main would load itself. */
    static final String RESOURCE = "/io/leadpipe/config/application.properties";
    public static final String ORIGIN = "leadpipe's defaults (application.properties in the jar)";

    /**
     * The camel.* keys leadpipe's Java code reads too; layered with the rest so Java and Camel see one value.
     * Other camel.* keys are Camel's own business: a user's file without them gets Camel's defaults, as before.
     */
    public static final List<String> CAMEL_KEYS_READ = List.of(
            "camel.main.routes-include-pattern",
            "camel.management.enabled", "camel.management.host", "camel.management.port",
            "camel.component.http.connect-timeout", "camel.component.http.response-timeout", "camel.component.http.so-timeout");

    private static final Properties ALL = load();

    private BuiltInDefaults() {
    }

    /** The packaged file's keys that are defaults: leadpipe.* (not a source's, not the list of sources) and {@link #CAMEL_KEYS_READ}. */
    static Properties layer() {
        Properties p = new Properties();
        for (String key : ALL.stringPropertyNames()) {
            if (isDefault(key)) p.setProperty(key, ALL.getProperty(key));
        }
        return p;
    }

    /** Every key of the packaged file (what leadpipe knows even when the user's file lacks it). */
    static java.util.Set<String> keys() {
        return ALL.stringPropertyNames();
    }

    /** A source's settings have their defaults in {@link SourceKeys}; which sources there are is the user's to say. */
    static boolean isDefault(String key) {
        if (key.startsWith("camel.")) return CAMEL_KEYS_READ.contains(key);
        return key.startsWith("leadpipe.") && !key.startsWith(KnownSettings.SOURCE_PREFIX) && !key.equals("leadpipe.sources");
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuiltInDefaults.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is not on the classpath: build with Maven (it packages application.properties there)");
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
        return p;
    }
}
