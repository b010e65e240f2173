package io.leadpipe.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A vendor that lists deletions at another endpoint than its records, in another shape (Pipedrive: persons at
 * {@code /api/v2/persons}, deletions in the changes feed {@code /v1/recents?items=person}): the source's
 * {@code deleted.*} keys describe that feed as a source of its own, named {@code <source>.deleted}, whose every
 * other key is the source's (its host, key, quota). {@code deleted.url} may be a path on the source's host.
 */
public final class DeletionFeeds {

    public static final String SUFFIX = ".deleted";
    static final String URL = "deleted.url";

    private DeletionFeeds() {
    }

    /** The feed source of a source. */
    public static String of(String source) {
        return source + SUFFIX;
    }

    /** Whether a source name is a feed's ({@code <source>.deleted}). */
    public static boolean isFeed(String name) {
        return name != null && name.endsWith(SUFFIX);
    }

    /** The source a feed belongs to. */
    public static String parentOf(String feed) {
        return feed.substring(0, feed.length() - SUFFIX.length());
    }

    /** Whether the source declares a feed of deletions ({@code deleted.url}). */
    public static boolean declared(Settings s, String source) {
        return s.get(KnownSettings.SOURCE_PREFIX + source + "." + URL) != null;
    }

    /** The declared sources and their feeds' names: the keys of both are known settings. */
    static List<String> withFeeds(List<String> sources) {
        List<String> all = new ArrayList<>(sources);
        for (String s : sources) all.add(of(s));
        return all;
    }

    /**
     * Gives each declared feed every key of its source that its {@code deleted.*} keys do not set (a key set empty
     * there stays empty: "not this one"), and puts a {@code deleted.url} that is a path on the source's host.
     */
    static void apply(Settings s) {
        for (String source : KnownSettings.sourceNames(s.get("leadpipe.sources"))) {
            if (!declared(s, source)) continue;
            String parent = KnownSettings.SOURCE_PREFIX + source + ".";
            String feed = parent + "deleted.";
            String origin = "source " + source + " (its deletions feed " + of(source) + " takes the source's keys)";
            for (String key : List.copyOf(s.asProperties().stringPropertyNames())) {
                if (!key.startsWith(parent) || key.startsWith(feed)) continue;
                String rest = key.substring(parent.length());
                if (s.getAllowingEmpty(feed + rest, null) == null) s.setFrom(feed + rest, s.getAllowingEmpty(key, ""), origin);
            }
            String url = s.get(feed + "url");
            String host = s.get(parent + "url");
            if (url.startsWith("/") && host != null) s.setFrom(feed + "url", ChildRequest.origin(host) + url, origin);
        }
    }
}
