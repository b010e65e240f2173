package io.leadpipe.source;

import io.leadpipe.auth.SourceAuthFactory;
import io.leadpipe.config.DeletionFeeds;
import io.leadpipe.http.SourceAuth;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RatePolicy;
import org.apache.camel.component.http.HttpClientConfigurer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The sources of this run, by name. Made in two steps so that nothing is opened before the configuration
 * is known good: {@link #resolve} reads the specs and the credentials (exit 2 on any problem), {@link #connect}
 * gives each its governor and HTTP client once the database (which may hold shared quota windows) is open.
 */
public final class Sources {

    /** A source's spec and its credentials, checked: everything but what needs the database. */
    public record Resolved(SourceSpec spec, SourceAuth auth) {}

    private final Map<String, Source> byName = new LinkedHashMap<>();

    private Sources() {
    }

    public static List<Resolved> resolve(List<SourceSpec> specs, SourceAuthFactory credentials) {
        List<Resolved> resolved = new ArrayList<>();
        Map<String, SourceAuth> byName = new LinkedHashMap<>();
        for (SourceSpec spec : specs) {
            // a feed of deletions calls with its source's credentials: one token (a refresh token rotated once), one key
            SourceAuth parent = DeletionFeeds.isFeed(spec.name()) ? byName.get(DeletionFeeds.parentOf(spec.name())) : null;
            SourceAuth auth = parent != null ? parent : credentials.create(spec.auth());
            byName.put(spec.name(), auth);
            resolved.add(new Resolved(spec, auth));
        }
        return resolved;
    }

    /**
     * Each source's governor (shared with the sources on the same key) and HTTP client: the credentials and
     * static headers inside the client, bounded by the response limits; {@code wrap} may wrap it (probe
     * records what it sends).
     */
    public static Sources connect(List<Resolved> resolved, RateLimits rateLimits, RatePolicy policy, UnaryOperator<HttpClientConfigurer> wrap) {
        Sources sources = new Sources();
        for (Resolved r : resolved) {
            SourceSpec spec = r.spec();
            r.auth().limits(spec.limits());
            HttpClientConfigurer client = wrap.apply(spec.headers().around(r.auth()));
            sources.byName.put(spec.name(), new Source(spec, r.auth(), client, rateLimits.register(spec.name(), r.auth().identity(), spec.quota(), policy)));
        }
        return sources;
    }

    public Source of(String name) {
        Source s = byName.get(name);
        if (s == null) throw new IllegalStateException("no source named '" + name + "' in leadpipe.sources");
        return s;
    }

    public Collection<Source> all() {
        return byName.values();
    }
}
