package io.leadpipe;

import io.leadpipe.auth.AuthSpec;
import io.leadpipe.auth.SourceAuthFactory;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.Concurrency;
import io.leadpipe.config.Settings;
import io.leadpipe.http.SourceAuth;
import io.leadpipe.monitor.LeadpipeMetrics;
import io.leadpipe.ratelimit.QuotaSpec;
import io.leadpipe.ratelimit.QuotaWindows;
import io.leadpipe.ratelimit.RateLimitHeaderNames;
import io.leadpipe.ratelimit.RateLimitRules;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RatePolicy;
import io.leadpipe.ratelimit.RetryBackoff;
import io.leadpipe.sink.DeliveryRound;
import io.leadpipe.sink.DeliveryTally;
import io.leadpipe.sink.Enrichment;
import io.leadpipe.sink.EnrichmentSpec;
import io.leadpipe.sink.SinkBatch;
import io.leadpipe.sink.SinkSpec;
import io.leadpipe.source.SourceSpec;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spi.Registry;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The delivery side, bound by Camel: the CRM and enrichment APIs are rate-limited APIs of their own (key,
 * governor, Throttler), the mapping comes from its file. Beans exist even with the sink off, so
 * routes/sink.yaml always loads.
 */
final class SinkBeans implements CamelConfiguration {

    /** The CRM's and the enrichment API's credentials, resolved with the sources' (before the database opens). */
    static Map<String, SourceAuth> credentials(Settings settings, SourceAuthFactory factory) {
        Map<String, SourceAuth> auth = new LinkedHashMap<>();
        // a Camel endpoint (routes/deliver-endpoint.yaml) instead of the CRM: no CRM or enrichment key to resolve
        if (!settings.getBoolean("leadpipe.sink.enabled") || io.leadpipe.sink.SinkEndpoint.configured(settings)) return auth;
        auth.put("crm", factory.create(authSpec(settings, "crm", "LEADPIPE_CRM_API_KEY")));
        if (settings.getBoolean("leadpipe.sink.enrichment.enabled")) {
            auth.put("enrichment", factory.create(authSpec(settings, "enrichment", "LEADPIPE_ENRICH_API_KEY")));
        }
        return auth;
    }

    private static AuthSpec authSpec(Settings settings, String name, String defaultEnv) {
        String prefix = "leadpipe.sink." + name + ".";
        String url = settings.require(prefix + "url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) throw settings.invalid(prefix + "url", url, "must start with http:// or https://");
        return AuthSpec.read(new ApiKeys(settings, prefix, "sink API '" + name + "'"), name, "Authorization", "Bearer", defaultEnv);
    }

    /** The CRM, built and checked from the settings and its profile before anything opens; null with delivery off. */
    static SinkSpec spec(Settings settings) {
        if (!settings.getBoolean("leadpipe.sink.enabled")) return null;
        if (!io.leadpipe.sink.SinkEndpoint.configured(settings)) {
            if (settings.getBoolean("leadpipe.sink.enrichment.enabled")) EnrichmentSpec.from(settings); // its profile and fields checked too
            return SinkSpec.from(settings);
        }
        io.leadpipe.sink.SinkEndpoint.check(settings); // the endpoint's component on the classpath, before anything opens
        return null;
    }

    private final Settings settings;
    private final DataSource db;
    private final Map<String, SourceAuth> auth;
    private final RetryBackoff retries;
    private final SinkSpec crm;
    private final EnrichmentSpec enrichment;
    private final boolean enrich;
    private final Concurrency crmBatches;
    private final RateLimits rateLimits;
    private final int lookupConcurrency;

    SinkBeans(Settings settings, SinkSpec crm, DataSource db, Map<String, SourceAuth> auth, RateLimits rateLimits, RatePolicy policy, RetryBackoff retries, LeadpipeMetrics metrics) {
        this.settings = settings;
        this.crm = crm;
        this.db = db;
        this.auth = auth;
        this.retries = retries.onRetry(metrics::retry);
        this.rateLimits = rateLimits;
        this.enrich = settings.getBoolean("leadpipe.sink.enrichment.enabled");
        this.enrichment = EnrichmentSpec.from(settings);
        crmBatches = SinkSpec.batches(settings);
        lookupConcurrency = settings.getInt("leadpipe.sink.enrichment.concurrency", 1, 64);
        for (Map.Entry<String, SourceAuth> api : auth.entrySet()) {
            String prefix = "leadpipe.sink." + api.getKey() + ".";
            api.getValue().limits(SourceSpec.responseLimits(settings));
            // the CRM's quota signals are its profile's (SinkSpec), the enrichment API's its own (EnrichmentSpec)
            QuotaSpec quota = api.getKey().equals("crm") && crm != null
                    ? new QuotaSpec(crm.headerNames(), crm.quota(), crm.rateLimitRules(), crm.maxRequestsPerSecond())
                    : api.getKey().equals("enrichment") ? enrichment.quota()
                    : new QuotaSpec(RateLimitHeaderNames.read(ApiKeys.source(settings, api.getKey())), QuotaWindows.none(), RateLimitRules.none(),
                            settings.getInt(prefix + "max-requests-per-second", 1, 100_000));
            rateLimits.register(api.getKey(), api.getValue().identity(), quota,
                    new RatePolicy(policy.floor(), policy.resetMargin(), 1.0, policy.windowMargin())); // the delivery APIs have always paced on their whole window
        }
    }

    @Override
    public void configure(CamelContext context) {
        Registry registry = context.getRegistry();
        auth.forEach((name, key) -> registry.bind("auth-" + name, key));
        registry.bind("sinkBatch", crm == null ? new SinkBatch(null, null) : new SinkBatch(crm.mapping(), crm.dialect(), crm.removesDeleted()));
        registry.bind("deliveryTally", new DeliveryTally());
        // the pools the splits in routes/sink.yaml run on: this many CRM batches / enrichment lookups in flight, no more
        threadPool(context, "sinkDelivery", crmBatches.most());
        // a round's leads: batch-size × the batches it sends at once (auto: as the CRM's quota and answer time need)
        registry.bind("deliveryRound", new DeliveryRound(settings.getInt("leadpipe.sink.batch-size", 1, 100_000), crmBatches,
                most -> rateLimits.governorOrNull("crm") == null ? most : rateLimits.quota("crm").inFlightNeeded(most)));
        threadPool(context, "sinkLookups", lookupConcurrency);
        registry.bind("enrichment", new Enrichment(db, enrichment.keyField(), enrichment.keyParam(), enrichment.fields(), enrich));
        registry.bind("sinkRetryBackoff", retries);
    }

    private static void threadPool(CamelContext context, String id, int threads) {
        // a split hands over its parts at once; at most `threads` of them run
        context.getExecutorServiceManager().registerThreadPoolProfile(new ThreadPoolProfileBuilder(id).poolSize(threads).maxPoolSize(threads).maxQueueSize(-1).build());
    }
}
