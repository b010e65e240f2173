package io.leadpipe.source;

import io.leadpipe.auth.AuthSpec;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.DeletionFeeds;
import io.leadpipe.config.KnownSettings;
import io.leadpipe.config.Settings;
import io.leadpipe.config.SourceKeys;
import io.leadpipe.http.ResponseLimits;
import io.leadpipe.http.StaticHeaders;
import io.leadpipe.paging.PagingSpec;
import io.leadpipe.ratelimit.QuotaSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything about one API a pull reads from, as one immutable value checked when it is read: how it is
 * paged ({@link PagingSpec}: URL, method, paging kind and pointers, page size, body, the API's caps per
 * query), how it is authenticated ({@link AuthSpec}), what it says about its quota ({@link QuotaSpec}),
 * the static and secret headers it is sent, and the bounds of every call. Read once from settings with the
 * source's profile layered under them ({@code leadpipe.source.<name>.*}, declared in {@link SourceKeys});
 * every problem is one line naming the key (exit 2).
 *
 * @param delta how the source is asked for what changed since a watermark ({@code delta.*}); undeclared unless set
 */
public record SourceSpec(String name, PagingSpec paging, AuthSpec auth, QuotaSpec quota, StaticHeaders headers,
                         ResponseLimits limits, io.leadpipe.delta.DeltaSpec delta) {

    /** One declared source; {@code env} resolves its secret headers (never settings values). */
    public static SourceSpec read(Settings settings, String name, Map<String, String> env) {
        ApiKeys k = ApiKeys.source(settings, name);
        PagingSpec paging = PagingSpec.read(name, k);
        AuthSpec auth = AuthSpec.read(k, name, SourceKeys.key("api-key-header").defaultValue(), SourceKeys.key("api-key-prefix").defaultValue(),
                SourceKeys.key("api-key-env").defaultValue());
        return new SourceSpec(name, paging, auth, QuotaSpec.read(k), StaticHeaders.read(k, auth.credentialHeader(), env),
                responseLimits(settings), io.leadpipe.delta.DeltaSpec.from(settings, name));
    }

    /** Every source in leadpipe.sources, in that order. */
    public static List<SourceSpec> readAll(Settings settings, Map<String, String> env) {
        List<SourceSpec> specs = new ArrayList<>();
        for (String name : KnownSettings.sourceNames(settings.require("leadpipe.sources"))) {
            specs.add(read(settings, name, env));
            // its feed of deletions at another endpoint (deleted.*): a source of its own, on the same key and quota
            if (DeletionFeeds.declared(settings, name)) specs.add(read(settings, DeletionFeeds.of(name), env));
        }
        return specs;
    }

    /** One source by name, which must be declared in leadpipe.sources, or be one's feed of deletions (probe). */
    public static SourceSpec readDeclared(Settings settings, String name, Map<String, String> env) {
        List<String> declared = KnownSettings.sourceNames(settings.require("leadpipe.sources"));
        // a declared source's feed of deletions (deleted.*) can be probed by its name, <source>.deleted
        boolean feed = DeletionFeeds.isFeed(name) && declared.contains(DeletionFeeds.parentOf(name)) && DeletionFeeds.declared(settings, DeletionFeeds.parentOf(name));
        if (!declared.contains(name) && !feed) {
            throw new ConfigException("no source named '" + name + "' in leadpipe.sources (" + String.join(", ", declared) + ")");
        }
        return read(settings, name, env);
    }

    /** leadpipe.http.*: every call as a whole ends within the deadline, its body no larger than the cap. */
    public static ResponseLimits responseLimits(Settings settings) {
        return new ResponseLimits(settings.getLong("leadpipe.http.request-deadline-ms", 1, 86_400_000),
                settings.getLong("leadpipe.http.max-body-bytes", 1024, Long.MAX_VALUE));
    }
}
