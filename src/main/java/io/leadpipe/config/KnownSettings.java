package io.leadpipe.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code leadpipe.*} keys leadpipe reads: every key of application.properties, plus
 * {@code leadpipe.source.<name>.<setting>} for each source in {@code leadpipe.sources}. It maps
 * environment variable names back onto keys (the name loses {@code .} and {@code -}) and finds the key
 * closest to a typo.
 */
public final class KnownSettings {

    public static final String SOURCE_PREFIX = "leadpipe.source.";

    /** How an API is authenticated (auth.AuthSpec): sources as leadpipe.source.NAME.auth*, the sink APIs as leadpipe.sink.crm|enrichment.auth*. */
    public static final List<String> AUTH_SETTINGS = SourceKeys.authNames();

    /** What one source can set, as {@link SourceKeys} declares it; application.properties may list more. */
    public static final List<String> SOURCE_SETTINGS = SourceKeys.names();

    /** Per-source request headers, one key per header: leadpipe.source.<name>.header.<Header-Name> and .secret-header.<Header-Name>. */
    public static final String HEADER_SETTING = SourceKeys.HEADER;
    public static final String SECRET_HEADER_SETTING = SourceKeys.SECRET_HEADER;
    private static final java.util.regex.Pattern HEADER_NAME = java.util.regex.Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    /** The delivery APIs read their quota header names as leadpipe.source.crm|enrichment.headers.*. */
    private static final List<String> SINK_APIS = List.of("crm", "enrichment");

    private final Set<String> fixed = new LinkedHashSet<>();
    private final Set<String> sourceSettings = new LinkedHashSet<>(SOURCE_SETTINGS);

    /**
     * @param fileKeys the keys of application.properties; its {@code leadpipe.source.<name>.*} keys add
     *                 settings to the per-source list, so a setting added there is known for every source
     */
    public KnownSettings(Collection<String> fileKeys, List<String> fileSources) {
        for (String key : fileKeys) {
            if (!key.startsWith("leadpipe.")) continue;
            fixed.add(key);
            for (String source : fileSources) {
                String p = SOURCE_PREFIX + source + ".";
                if (key.startsWith(p)) sourceSettings.add(key.substring(p.length()));
            }
        }
    }

    public static List<String> sourceNames(String value) {
        List<String> names = new ArrayList<>();
        if (value == null) return names;
        for (String s : value.split(",")) if (!s.isBlank()) names.add(s.trim());
        return names;
    }

    /** Every key this configuration can set, for these declared sources. */
    public Set<String> keys(List<String> sources) {
        Set<String> keys = new LinkedHashSet<>(fixed);
        // a source's feed of deletions at another endpoint (deleted.*) takes any source setting too
        for (String source : DeletionFeeds.withFeeds(sources)) {
            for (String setting : sourceSettings) keys.add(SOURCE_PREFIX + source + "." + setting);
        }
        for (String api : SINK_APIS) {
            for (String setting : sourceSettings) {
                if (setting.startsWith("headers.")) keys.add(SOURCE_PREFIX + api + "." + setting);
            }
            for (String setting : AUTH_SETTINGS) keys.add("leadpipe.sink." + api + "." + setting);
        }
        // the CRM's and the enrichment API's quota signals, read by sink.SinkSpec and sink.EnrichmentSpec (their profiles set them)
        for (String setting : sourceSettings) {
            if (setting.startsWith("quota.") || setting.startsWith("headers.") || setting.equals("rate-limit-rules")) {
                for (String api : SINK_APIS) keys.add("leadpipe.sink." + api + "." + setting);
            }
        }
        return keys;
    }

    public boolean isKnown(String key, List<String> sources) {
        return knownFor(sources).test(key);
    }

    /** {@link #isKnown} for many keys: the known keys of these sources are listed once, not once per key. */
    public java.util.function.Predicate<String> knownFor(List<String> sources) {
        Set<String> keys = keys(sources);
        List<String> withFeeds = DeletionFeeds.withFeeds(sources);
        return key -> !key.startsWith("leadpipe.") || isSimulators(key) || keys.contains(key) || isStaticHeader(key, withFeeds);
    }

    /** The bundled simulator's keys (simulator/simulator.properties): the demo passes them on; leadpipe reads none. */
    private static boolean isSimulators(String key) {
        return key.startsWith("leadpipe.simulator.") || key.startsWith("leadpipe.demo.");
    }

    private static boolean isStaticHeader(String key, List<String> sources) {
        String source = headerSource(key);
        return source != null && sources.contains(source);
    }

    /** The source a header key names (whether declared or not), or null when the key is no header key or names no valid header. */
    private static String headerSource(String key) {
        if (!key.startsWith(SOURCE_PREFIX)) return null;
        String rest = key.substring(SOURCE_PREFIX.length());
        for (String marker : List.of("." + SECRET_HEADER_SETTING, "." + HEADER_SETTING)) {
            int at = rest.indexOf(marker);
            if (at > 0 && HEADER_NAME.matcher(rest.substring(at + marker.length())).matches()) return rest.substring(0, at);
        }
        return null;
    }

    /** One line saying why a {@code leadpipe.*} key is not one leadpipe reads, and which key was probably meant. */
    public String explainUnknown(String key, List<String> sources) {
        String headerSource = headerSource(key);
        if (headerSource != null && !sources.contains(headerSource)) {
            return "unknown setting " + key + ": there is no source '" + headerSource + "' in leadpipe.sources (" + String.join(",", sources) + "); add it there";
        }
        if (key.startsWith(SOURCE_PREFIX)) {
            String rest = key.substring(SOURCE_PREFIX.length());
            for (String setting : sourceSettings) {
                if (rest.endsWith("." + setting)) {
                    String source = rest.substring(0, rest.length() - setting.length() - 1);
                    if (!sources.contains(source)) {
                        return "unknown setting " + key + ": there is no source '" + source + "' in leadpipe.sources ("
                                + String.join(",", sources) + "); add it there";
                    }
                }
            }
        }
        return "unknown setting " + key + "; did you mean " + closest(key, keys(sources)) + "?";
    }

    static String closest(String key, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(key, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance: edits (insert, delete, replace) from a to b. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(replace, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
