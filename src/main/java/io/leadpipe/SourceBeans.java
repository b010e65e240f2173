package io.leadpipe;

import io.leadpipe.auth.InstanceUrls;
import io.leadpipe.http.HttpMethodConverters;
import io.leadpipe.job.PagesInFlight;
import io.leadpipe.paging.PageCodecs;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.source.Source;
import io.leadpipe.source.Sources;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.spi.ExecutorServiceManager;

/**
 * The sources' beans, bound by Camel: the pacing step ({@code rateLimits}), the paging of every source
 * ({@code paging}), the gate of one job's pages in flight ({@code pagesInFlight}), the HTTP method's converter ({@link io.leadpipe.http.HttpMethodConverters}), each source's HTTP client ({@code auth-<name>}, named in routes/kamelets/api-call) and
 * its thread pool profiles: {@code pages-<name>} (one job's pages in flight) and {@code children-<name>}
 * (the child lists of a parent → child job at once).
 */
final class SourceBeans implements CamelConfiguration {

    private final Sources sources;

    @BindToRegistry("paging")
    private final PageCodecs paging = new PageCodecs();
    @BindToRegistry("rateLimits")
    private final RateLimits rateLimits;
    @BindToRegistry("pagesInFlight")
    private final PagesInFlight pagesInFlight;
    @BindToRegistry("instanceUrls")
    private final InstanceUrls instanceUrls;

    SourceBeans(Sources sources, RateLimits rateLimits, InstanceUrls instanceUrls) {
        this.sources = sources;
        this.rateLimits = rateLimits;
        this.instanceUrls = instanceUrls;
        this.pagesInFlight = new PagesInFlight(paging, (source, max) -> rateLimits.quota(source).inFlightNeeded(max));
        for (Source s : sources.all()) paging.register(s.name(), s.paging());
    }

    PageCodecs paging() {
        return paging;
    }

    @Override
    public void configure(CamelContext context) {
        // every HTTP call's method by one converter lookup, not a scan of Camel's whole registry
        context.getTypeConverterRegistry().addTypeConverters(new HttpMethodConverters());
        ExecutorServiceManager pools = context.getExecutorServiceManager();
        for (Source s : sources.all()) {
            // a bean per source: its name is the source's, so it cannot be a @BindToRegistry field
            context.getRegistry().bind("auth-" + s.name(), s.client());
            // the extract route's split over a window of pages runs on it: a job has at most this many pages in flight
            int pages = s.spec().paging().pagesInFlight();
            pools.registerThreadPoolProfile(new ThreadPoolProfileBuilder("pages-" + s.name()).poolSize(pages).maxPoolSize(pages).maxQueueSize(-1).build());
            int children = s.spec().paging().childLists();
            pools.registerThreadPoolProfile(new ThreadPoolProfileBuilder("children-" + s.name()).poolSize(children).maxPoolSize(children).maxQueueSize(-1).build());
        }
    }
}
