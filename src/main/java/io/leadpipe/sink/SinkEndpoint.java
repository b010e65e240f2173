package io.leadpipe.sink;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code leadpipe.sink.endpoint}: the Camel endpoint that staged leads are delivered to instead of the CRM
 * (routes/deliver-endpoint.yaml). Checked before anything is opened: a URI Camel cannot read, or one whose
 * component is not on the classpath, is one line naming the jar to add.
 */
public final class SinkEndpoint {

    public static final String KEY = "leadpipe.sink.endpoint";
    /** The route that drains the outbox to the endpoint. */
    public static final String ROUTE = "direct:deliver-endpoint";

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    private SinkEndpoint() {
    }

    /** True when delivery goes to a Camel endpoint rather than to the CRM. */
    public static boolean configured(Settings settings) {
        return !settings.getText(KEY).isBlank();
    }

    /** The component's name: "kafka" for {@code kafka:leads?brokers=…}, "https" for a webhook. */
    public static String scheme(String uri) {
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? "" : uri.substring(0, colon).trim();
        return SCHEME.matcher(scheme).matches() ? scheme.toLowerCase(Locale.ROOT) : null;
    }

    /** The endpoint's component must be on the classpath: Camel finds components by this resource. */
    public static void check(Settings settings) {
        String uri = settings.getText(KEY).trim();
        String scheme = scheme(uri);
        if (scheme == null) {
            throw settings.invalid(KEY, uri, "must be a Camel endpoint URI such as kafka:leads?brokers=host:9092, jms:queue:leads, file:out/leads or https://host/hook");
        }
        settings.getInt(KEY + ".concurrency", 1, 64);
        String onDeleted = settings.getText(KEY + ".on-deleted").trim().toLowerCase(Locale.ROOT);
        if (!onDeleted.equals("ignore") && !onDeleted.equals("send")) {
            throw settings.invalid(KEY + ".on-deleted", onDeleted, "must be ignore or send (one message per lead deleted at the source, LeadpipeOperation: delete)");
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) loader = SinkEndpoint.class.getClassLoader();
        if (loader.getResource("META-INF/services/org/apache/camel/component/" + scheme) == null) {
            throw new ConfigException(KEY + " = " + scheme + ":…: Camel's '" + scheme + "' component is not on the classpath — add its jar"
                    + " (usually org.apache.camel:camel-" + artifact(scheme) + ", version 4.18.x) and its dependencies; see docs/how-to/deliver.md, \"Any Camel endpoint\"");
        }
    }

    /** The usual artifact of a scheme (camel-http serves https too). */
    private static String artifact(String scheme) {
        return scheme.equals("https") ? "http" : scheme;
    }
}
