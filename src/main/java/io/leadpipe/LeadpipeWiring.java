package io.leadpipe;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.JobDeclarations;
import io.leadpipe.config.Settings;
import io.leadpipe.auth.SourceAuthFactory;
import io.leadpipe.http.SourceAuth;
import io.leadpipe.http.HttpCallObserver;
import io.leadpipe.job.FailureExplainer;
import io.leadpipe.monitor.JobCounters;
import io.leadpipe.job.JobOutcome;
import io.leadpipe.job.RunReport;
import io.leadpipe.paging.PageCodec;
import io.leadpipe.paging.PageCodecs;
import io.leadpipe.job.DriftMeter;
import io.leadpipe.sink.CrmMapping;
import io.leadpipe.sink.DeliveryTally;
import io.leadpipe.sink.Enrichment;
import io.leadpipe.sink.SinkBatch;
import io.leadpipe.monitor.AlertRules;
import io.leadpipe.monitor.LeadpipeMetrics;
import io.leadpipe.monitor.ProgressReport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import io.leadpipe.ratelimit.RateLimitHeaderNames;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RetryBackoff;
import io.leadpipe.auth.AuthSpec;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.ratelimit.QuotaSpec;
import io.leadpipe.ratelimit.RatePolicy;
import io.leadpipe.source.Source;
import io.leadpipe.source.SourceSpec;
import io.leadpipe.source.Sources;
import io.leadpipe.store.CheckpointStore;
import io.leadpipe.store.Database;
import io.leadpipe.store.LeadStore;
import io.leadpipe.store.PageTransaction;
import io.leadpipe.job.PullCounters;
import io.leadpipe.job.PullEvents;
import io.leadpipe.job.PullState;
import io.leadpipe.paging.FetchedPage;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.apache.camel.main.ThreadPoolProfileConfigurationProperties;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The running application: settings checked, API keys resolved, schema migrated, Camel started with the
 * routes from routes/. Jobs are the routes made from the {@code extract} template.
 */
public final class LeadpipeWiring implements AutoCloseable {

    private final Settings settings;
    private final Map<String, SourceAuth> sinkAuth = new LinkedHashMap<>();
    private SourceAuthFactory authFactory;
    private final JobCounters counters = new JobCounters();
    private final RateLimits rateLimits = new RateLimits();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private LeadpipeMetrics metrics;
    private Database db;
    private Main main;
    private CamelContext context;
    private RunReport runReport;
    private boolean sinkEnabled;
    private org.quartz.Scheduler scheduler;
    private CheckpointStore checkpointStore;
    private LeadStore leadStore;
    private io.leadpipe.job.SlicedPulls slicedPulls;

    public LeadpipeWiring(Settings settings) {
        this.settings = settings;
    }

    public LeadpipeWiring start(Map<String, String> env) throws Exception {
        // everything that can be wrong in the configuration fails here, before the database is touched
        authFactory = credentials(env);
        List<Sources.Resolved> resolved = Sources.resolve(SourceSpec.readAll(settings, env), authFactory);
        int concurrency = settings.getInt("leadpipe.jobs.concurrency", 4, 1, 256);
        settings.getInt("camel.component.http.connect-timeout", 5000, 1, Integer.MAX_VALUE);
        settings.getInt("camel.component.http.response-timeout", 30000, 1, Integer.MAX_VALUE);
        settings.getInt("camel.component.http.so-timeout", 30000, 1, Integer.MAX_VALUE);
        if (concurrency < 1) throw new ConfigException("leadpipe.jobs.concurrency must be >= 1");
        io.leadpipe.config.JobDeclarations.applyJobsFile(settings);
        io.leadpipe.config.JobDeclarations.read(settings);
        io.leadpipe.config.RouteFileCheck.check(io.leadpipe.config.JobDeclarations.routeFiles(settings), settings.asProperties());
        Path reportDir = settings.writableDirectory("leadpipe.report.dir", "data/reports");

        if (settings.getBoolean("leadpipe.sink.enabled", false)) resolveSinkAuth(); // checked with the rest, before the database is opened
        boolean sharedWindows = windowsSharedThroughDatabase();
        db = Database.open(settings).migrate();
        // refresh tokens: the stored (maybe rotated) one is current, unless the settings give a new one
        authFactory.attach(new io.leadpipe.store.RefreshTokenTable(db.dataSource()));
        if (db.url().startsWith("jdbc:h2:")) io.leadpipe.store.H2ExitHook.leaveClosingToUs(); // closed by close(), after a graceful stop
        runReport = new RunReport(reportDir, counters);

        main = new Main();
        // scheduled routes (routes/schedule.yaml, from quartz:) start only under `serve`
        if (!settings.getBoolean("leadpipe.scheduler.enabled", false)) main.configure().setAutoStartupExcludePattern("quartz:*");
        // leadpipe stops gracefully itself (stopGracefully: jobs end between pages); Camel's own hangup hook
        // would instead wait up to its shutdown timeout for a job sleeping out a rate-limit reset
        if (main.getShutdownStrategy() instanceof org.apache.camel.main.DefaultMainShutdownStrategy strategy) strategy.disableHangupSupport();
        main.setOverrideProperties(settings.asProperties());
        main.setDefaultPropertyPlaceholderLocation("false");
        main.bind("leadpipeDb", db.dataSource());
        metrics = new LeadpipeMetrics(prometheus, counters, settings.getLong("leadpipe.alerts.error-rate-window-ms", 300_000, 1000, 86_400_000));
        // Camel's micrometer support uses this registry too, so /observe/metrics shows route metrics beside ours
        main.bind("metricsRegistry", prometheus);
        main.bind("leadpipeMetrics", metrics);
        main.bind("failureExplainer", new FailureExplainer());
        main.bind("runReport", runReport);
        // sliced jobs: at most this many slice pulls at once, over every sliced job of the process
        slicedPulls = new io.leadpipe.job.SlicedPulls(settings.getInt("leadpipe.slices.concurrency", 8, 1, 256), runReport);
        main.bind("slicedPulls", slicedPulls);
        PageCodecs pagers = new PageCodecs();
        RatePolicy policy = ratePolicy();
        rateLimits.maxWait(maxWait());
        if (sharedWindows) rateLimits.shareWindows(new io.leadpipe.store.SharedWindowTable(db.dataSource()), settings.getInt("leadpipe.ratelimit.cluster.block", 5, 1, 1000));
        Sources sources = Sources.connect(resolved, rateLimits, policy, client -> client);
        for (Source s : sources.all()) bindSource(s, pagers);
        pagePools(sources);
        // parent → child jobs (routes/children.yaml): the child lists of up to leadpipe.source.<child>.concurrency parents at once
        for (Source s : sources.all()) threadPool("children-" + s.name(), s.spec().paging().concurrency());
        main.bind("paging", pagers);
        main.bind("instanceUrls", authFactory.instanceUrls());
        bindSink(env, policy);
        bindStores(pagers);
        main.bind("rateLimits", rateLimits);
        main.bind("scheduleDeferral", new io.leadpipe.schedule.ScheduleDeferral());
        main.bind("jsonAnswer", new io.leadpipe.http.JsonAnswer());
        main.bind("failureKinds", new io.leadpipe.job.FailureKinds());
        rateLimits.onWait(metrics::rateLimitWait);
        rateLimits.governors().forEach(metrics::governor);
        main.bind("alertRules", new AlertRules(counters, rateLimits, settings));
        main.bind("progressReport", new ProgressReport(counters, rateLimits));
        main.bind("retryBackoff", backoff("leadpipe.retry.").onRetry(job -> {
                    counters.of(job).retries.incrementAndGet();
                    metrics.retry(job);
                }));
        // added before start: Camel only emits exchange events when a notifier exists at start-up
        main.init();
        if (settings.getBoolean("leadpipe.scheduler.enabled", false)) {
            scheduler = io.leadpipe.schedule.Schedulers.create(settings, db.dataSource(), db.url());
            main.getCamelContext().getComponent("quartz", org.apache.camel.component.quartz.QuartzComponent.class).setScheduler(scheduler);
        }
        HttpCallObserver observer = new HttpCallObserver(counters, metrics);
        main.getCamelContext().getManagementStrategy().addEventNotifier(observer);
        main.start();
        observer.start(); // a notifier added by hand is not started for us, and an unstarted one hears nothing
        context = main.getCamelContext();
        slicedPulls.addSliceRoutes(context, this::pull);
        return this;
    }

    /**
     * leadpipe.ratelimit.cluster: {@code database} keeps every key's window in the shared database, so the
     * instances on it use the whole quota together; {@code node-share} (the default: one instance changes
     * nothing) paces each instance alone, on leadpipe.ratelimit.node-share of each window.
     */
    private boolean windowsSharedThroughDatabase() {
        String mode = settings.get("leadpipe.ratelimit.cluster", "node-share").trim();
        settings.getInt("leadpipe.ratelimit.cluster.block", 5, 1, 1000);
        double share = settings.getDouble("leadpipe.ratelimit.node-share", 1.0, 0.01, 1.0);
        if (mode.equals("node-share")) return false;
        if (!mode.equals("database")) throw settings.invalid("leadpipe.ratelimit.cluster", mode, "must be database or node-share");
        if (share < 1.0) {
            throw settings.invalid("leadpipe.ratelimit.node-share", Double.toString(share),
                    "applies only with leadpipe.ratelimit.cluster = node-share; with database the instances share each whole window (set it back to 1.0)");
        }
        return true;
    }

    /** A source's page codec and HTTP client (the governor is its own, in rateLimits). */
    private void bindSource(Source s, PageCodecs pagers) {
        pagers.register(s.name(), s.paging());
        main.bind("auth-" + s.name(), s.client());
    }

    /** The credentials of every API, read with the token endpoint's timeouts (those of every API call). */
    private SourceAuthFactory credentials(Map<String, String> env) {
        return new SourceAuthFactory(env, Duration.ofMillis(settings.getInt("camel.component.http.connect-timeout", 5000, 1, Integer.MAX_VALUE)),
                Duration.ofMillis(settings.getInt("camel.component.http.response-timeout", 30000, 1, Integer.MAX_VALUE)));
    }

    /** leadpipe.ratelimit.floor, reset-margin-ms, node-share: how every governor paces. */
    private RatePolicy ratePolicy() {
        return new RatePolicy(settings.getLong("leadpipe.ratelimit.floor", 10, 0, Long.MAX_VALUE),
                Duration.ofMillis(settings.getLong("leadpipe.ratelimit.reset-margin-ms", 250, 0, 600_000)),
                settings.getDouble("leadpipe.ratelimit.node-share", 1.0, 0.01, 1.0));
    }

    /**
     * One thread pool profile per source, {@code pages-<name>}: the extract route's split over a window of
     * pages runs on it, so each job (its own route, its own pool made from the profile) has at most the
     * source's concurrency pages in flight. The queue holds the window's planned pages (a few hundred).
     */
    private void pagePools(Sources sources) {
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void beforeConfigure(org.apache.camel.main.BaseMainSupport m) {
                for (Source s : sources.all()) {
                    int n = s.spec().paging().pagesInFlight();
                    m.getCamelContext().getExecutorServiceManager().registerThreadPoolProfile(
                            new org.apache.camel.builder.ThreadPoolProfileBuilder("pages-" + s.name()).poolSize(n).maxPoolSize(n).maxQueueSize(-1).build());
                }
            }
        });
    }

    /**
     * {@code probe}: Camel with only a pull's page fetch ({@code fetch-page} of routes/fetch.yaml with the api-call
     * kamelet, and routes/errors.yaml for its route configuration) and one source's beans, made as {@link #start}
     * makes them. No job route runs it, so nothing retries: one request. Nothing is opened that a pull writes to —
     * no database (but for an OAuth2 refresh-token source, whose rotated token must be kept), no report directory —
     * and no management port.
     */
    public io.leadpipe.probe.SourceProbe startProbe(Map<String, String> env, String sourceName) throws Exception {
        SourceSpec spec = SourceSpec.readDeclared(settings, sourceName, env);
        authFactory = credentials(env);
        List<Sources.Resolved> resolved = Sources.resolve(List.of(spec), authFactory);
        RatePolicy policy = ratePolicy();
        rateLimits.maxWait(maxWait());
        RetryBackoff retries = backoff("leadpipe.retry.");
        if (authFactory.keepsRefreshTokens()) {
            // the provider may rotate the refresh token on use: the new one must be stored, or the next run is locked out
            db = Database.open(settings).migrate();
            authFactory.attach(new io.leadpipe.store.RefreshTokenTable(db.dataSource()));
        }
        main = new Main();
        if (main.getShutdownStrategy() instanceof org.apache.camel.main.DefaultMainShutdownStrategy strategy) strategy.disableHangupSupport();
        java.util.Properties properties = settings.asProperties();
        properties.stringPropertyNames().stream().filter(k -> k.startsWith("camel.component.sql.")).forEach(properties::remove);
        properties.setProperty("camel.main.routes-include-pattern", probeRoutes());
        properties.setProperty("camel.management.enabled", "false");
        properties.setProperty("camel.metrics.enabled", "false");
        main.setOverrideProperties(properties);
        main.setDefaultPropertyPlaceholderLocation("false");
        // the request as it goes out of the source's own client, credentials masked
        java.util.Set<String> masked = new java.util.HashSet<>(java.util.Set.of(spec.auth().apiKeyHeader()));
        spec.headers().describe().forEach((name, shown) -> { if (io.leadpipe.secrets.Secrets.MASK.equals(shown)) masked.add(name); });
        io.leadpipe.probe.RequestRecorder[] recorder = new io.leadpipe.probe.RequestRecorder[1];
        PageCodecs pagers = new PageCodecs();
        Source source = Sources.connect(resolved, rateLimits, policy, client -> recorder[0] = new io.leadpipe.probe.RequestRecorder(client, masked)).of(sourceName);
        bindSource(source, pagers);
        main.bind("paging", pagers);
        main.bind("instanceUrls", authFactory.instanceUrls());
        main.bind("rateLimits", rateLimits);
        main.bind("jsonAnswer", new io.leadpipe.http.JsonAnswer());
        main.init();
        main.start();
        context = main.getCamelContext();
        String pacing = "floor " + policy.floor() + " requests kept per window (at most a tenth of the limit), at most " + spec.quota().maxRequestsPerSecond()
                + " requests/s (Throttler), node share " + settings.getDouble("leadpipe.ratelimit.node-share", 1.0, 0.01, 1.0)
                + "; a wait longer than " + settings.get("leadpipe.ratelimit.max-wait", "15m") + " stops the job PAUSED";
        return new io.leadpipe.probe.SourceProbe(source.spec().paging(), source.quota(), recorder[0], retries.describe(), pacing);
    }

    /** The page fetch's route files, from where the configured routes are (routes/ by default). */
    private String probeRoutes() {
        List<String> files = new ArrayList<>();
        for (Path f : JobDeclarations.routeFiles(settings.get("camel.main.routes-include-pattern", "file:routes/*.yaml"))) {
            String name = f.getFileName().toString();
            if (name.equals("fetch.yaml") || name.equals("errors.yaml")) files.add("file:" + f);
        }
        return files.size() == 2 ? String.join(",", files) : "file:routes/fetch.yaml,file:routes/errors.yaml";
    }

    /**
     * The pull's storage: the checkpoint store (every checkpoint transition), the leads store, the page
     * fingerprints, and the transaction that commits a page's three writes together.
     */
    private void bindStores(PageCodecs pagers) {
        DataSourceTransactionManager transactions = new DataSourceTransactionManager(db.dataSource());
        main.bind("pageTransaction", new PageTransaction(transactions));
        PullEvents toMetrics = new PullEvents() {
            @Override
            public void started(PullState pull) {
                metrics.jobStarted(pull.jobId());
            }

            @Override
            public void pageStored(PullState pull, FetchedPage page) {
                metrics.page(pull.jobId(), page.records());
            }

            @Override
            public void duplicatePage(PullState pull) {
                metrics.duplicatePage(pull.jobId());
            }
        };
        checkpointStore = new CheckpointStore(db.dataSource(), transactions, pagers, counters, new PullCounters(counters, toMetrics),
                settings.getLong("leadpipe.incremental.overlap-seconds", 300, 0, 86_400 * 30),
                Duration.ofMillis(settings.getLong("leadpipe.lease.ttl-ms", 60_000, 1_000, 86_400_000)));
        main.bind("checkpointStore", checkpointStore);
        slicedPulls.checkpoints(checkpointStore);
        settings.getLong("leadpipe.lease.heartbeat-ms", 15_000, 100, 86_400_000);
        // on by default: it bounds H2's chunk metadata in the heap by time (0 switches it off; README "Memory")
        boolean housekeeping = settings.getLong("leadpipe.db.housekeeping-ms", 1000, 0, 86_400_000) > 0;
        main.bind("h2Housekeeping", housekeeping ? new io.leadpipe.store.H2Housekeeping(db.dataSource()) : new io.leadpipe.store.H2Housekeeping(null));
        leadStore = new LeadStore(db.dataSource(), settings.getInt("leadpipe.leads.max-id-length", 1000, 1, LeadStore.MAX_ID_LENGTH));
        main.bind("leadStore", leadStore);
        slicedPulls.distinctLeads(leadStore::distinctLeadsOf);
        main.bind("pullLoop", new io.leadpipe.job.PullLoop());
        main.bind("childLoop", new io.leadpipe.job.ChildLoop());
        main.bind("childLists", new io.leadpipe.store.ChildListStore(db.dataSource(), pagers, checkpointStore::stopping,
                settings.getInt("leadpipe.children.batch", 1000, 1, 100_000)).onPageStored((job, records) -> {
                    counters.of(job).leads.addAndGet(records);
                    metrics.page(job, records);
                }));
        main.bind("driftMeter", new DriftMeter(db.dataSource(), settings.getLong("leadpipe.drift.threshold", 0, 0, Long.MAX_VALUE)));
        // pages already processed, by pull and page fingerprint; the table comes from Flyway (V2)
        JdbcMessageIdRepository pageRepository = new JdbcMessageIdRepository(db.dataSource(), "leadpipe-pages");
        pageRepository.setCreateTableIfNotExists(false);
        main.bind("pageRepository", pageRepository);
    }

    /**
     * The delivery side: the CRM and enrichment APIs are sources of their own (key, governor, Throttler),
     * the mapping comes from its file. Beans exist even with the sink off, so routes/sink.yaml always loads.
     */
    private void bindSink(Map<String, String> env, RatePolicy policy) {
        sinkEnabled = settings.getBoolean("leadpipe.sink.enabled", false);
        boolean enrich = settings.getBoolean("leadpipe.sink.enrichment.enabled", true);
        settings.getInt("leadpipe.sink.batch-size", 100, 1, 100);
        CrmMapping mapping = null;
        if (sinkEnabled) {
            mapping = CrmMapping.load(Path.of(settings.get("leadpipe.sink.mapping", "routes/mapping/crm.yaml")));
            sinkApi("crm", "leadpipe.sink.crm.", policy);
            if (enrich) sinkApi("enrichment", "leadpipe.sink.enrichment.", policy);
        }
        main.bind("sinkBatch", new SinkBatch(mapping));
        main.bind("deliveryTally", new DeliveryTally());
        // the pools the splits in routes/sink.yaml run on: this many CRM batches / enrichment lookups in flight, no more
        threadPool("sinkDelivery", settings.getInt("leadpipe.sink.crm.concurrency", 4, 1, 64));
        threadPool("sinkLookups", settings.getInt("leadpipe.sink.enrichment.concurrency", 4, 1, 64));
        main.bind("enrichment", new Enrichment(db.dataSource(), settings.get("leadpipe.sink.enrichment.key-field", "domain"),
                settings.get("leadpipe.sink.enrichment.key-param", "domain"), enrich));
        main.bind("sinkRetryBackoff", backoff("leadpipe.sink.retry.").onRetry(job -> metrics.retry(job)));
    }

    /** A Camel thread pool profile of a fixed size; an EIP names it as its executorService. */
    private void threadPool(String id, int threads) {
        ThreadPoolProfileConfigurationProperties pool = new ThreadPoolProfileConfigurationProperties();
        pool.setId(id);
        pool.setPoolSize(threads);
        pool.setMaxPoolSize(threads);
        pool.setMaxQueueSize(-1); // a split hands over its parts at once; at most `threads` of them run
        main.configure().threadPool().addConfig(id, pool);
    }

    /** leadpipe.ratelimit.max-wait: an API asking for a longer wait stops the job (checkpointed) instead. */
    private Duration maxWait() {
        String value = settings.get("leadpipe.ratelimit.max-wait", "15m");
        Duration max = io.leadpipe.ratelimit.WaitTimes.parse(value);
        if (max == null || max.isZero()) throw settings.invalid("leadpipe.ratelimit.max-wait", value, "must be a duration such as 15m, 900s, 2h or 1d");
        return max;
    }

    /** A retry schedule from {@code <prefix>base-delay-ms, multiplier, max-delay-ms, jitter, max-retries}. */
    private RetryBackoff backoff(String prefix) {
        return new RetryBackoff(
                Duration.ofMillis(settings.getLong(prefix + "base-delay-ms", 1000, 0, 3_600_000)),
                settings.getDouble(prefix + "multiplier", 2.0, 1.0, 100.0),
                Duration.ofMillis(settings.getLong(prefix + "max-delay-ms", 60_000, 0, 86_400_000)),
                settings.getDouble(prefix + "jitter", 0.5, 0.0, 10.0),
                settings.getInt(prefix + "max-retries", 5, 0, 1000),
                rateLimits);
    }

    /** The CRM's and the enrichment API's credentials, resolved with the sources' (before the database opens). */
    private void resolveSinkAuth() {
        sinkAuth("crm", "leadpipe.sink.crm.", "LEADPIPE_CRM_API_KEY");
        if (settings.getBoolean("leadpipe.sink.enrichment.enabled", true)) sinkAuth("enrichment", "leadpipe.sink.enrichment.", "LEADPIPE_ENRICH_API_KEY");
    }

    private void sinkAuth(String name, String prefix, String defaultEnv) {
        String url = settings.require(prefix + "url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) throw settings.invalid(prefix + "url", url, "must start with http:// or https://");
        sinkAuth.computeIfAbsent(name, n -> authFactory.create(AuthSpec.read(new ApiKeys(settings, prefix, "sink API '" + n + "'"), n,
                "Authorization", "Bearer", defaultEnv)));
    }

    private void sinkApi(String name, String prefix, RatePolicy policy) {
        SourceAuth key = sinkAuth.get(name);
        main.bind("auth-" + name, key.limits(SourceSpec.responseLimits(settings)));
        rateLimits.register(name, key.identity(), new QuotaSpec(RateLimitHeaderNames.read(ApiKeys.source(settings, name)), io.leadpipe.ratelimit.QuotaWindows.none(),
                io.leadpipe.ratelimit.RateLimitRules.none(), settings.getInt(prefix + "max-requests-per-second", 10, 1, 100_000)),
                new RatePolicy(policy.floor(), policy.resetMargin(), 1.0)); // the delivery APIs have always paced on their whole window
    }

    public boolean sinkEnabled() {
        return sinkEnabled;
    }

    /** Drains the staged leads to the CRM once: returns the drain's exchange (counts in variables, or its exception). */
    public Exchange deliver() {
        ProducerTemplate template = context.createProducerTemplate();
        try {
            return template.send("direct:sink-drain", e -> { });
        } finally {
            try {
                template.stop();
            } catch (Exception ignored) {
                // nothing to release that matters
            }
        }
    }

    /** Job names, in the order they are declared in routes/. */
    public List<String> jobs() {
        List<String> jobs = new ArrayList<>();
        for (RouteDefinition r : ((ModelCamelContext) context).getRouteDefinitions()) {
            Object job = r.getTemplateParameters() == null ? null : r.getTemplateParameters().get("jobId");
            if (job != null && r.getTemplateParameters().get("cron") == null && !io.leadpipe.job.SlicedPulls.isSlice(r)) jobs.add(job.toString());
        }
        return jobs;
    }

    public JobOutcome runJob(String job) {
        if (!jobs().contains(job)) {
            throw new ConfigException("no job named '" + job + "' in the routes (known: " + String.join(", ", jobs()) + ")");
        }
        return pull(job);
    }

    /** Runs one job's route (a declared job's, or a slice's) and says how it ended. */
    private JobOutcome pull(String job) {
        ProducerTemplate template = context.createProducerTemplate();
        try {
            Exchange result = template.send("direct:extract-" + job, e -> { });
            @SuppressWarnings("unchecked")
            Map<String, Object> sliced = result.getVariable("slicedRun", Map.class);
            if (sliced != null && result.getException() == null) {
                // a sliced job: its status and report sum its slices' (SKIPPED when every slice was DONE already)
                String status = String.valueOf(sliced.get("status"));
                return new JobOutcome(job, status, (String) sliced.get("error"), "SKIPPED".equals(status) || "BUSY".equals(status) ? null : sliced);
            }
            PullState pull = result.getVariable("pull", PullState.class);
            if (result.getException() != null && pull != null && "RUNNING".equals(pull.status())) recordUnhandled(pull, result.getException());
            String error = pull != null && pull.error() != null ? pull.error() : result.getVariable("error", String.class);
            if (result.getException() != null && pull != null && pull.isInterrupted()) {
                // a shutdown signal cut a wait or a call short: the job stopped at its last saved page, resumable
                return new JobOutcome(job, "INTERRUPTED", pull.stopReason(), runReport.latest(job));
            }
            if (result.getException() != null) {
                return new JobOutcome(job, "FAILED", error != null ? error : FailureExplainer.describe(result.getException()), runReport.latest(job));
            }
            if (pull != null && pull.isAlreadyDone()) {
                return new JobOutcome(job, "SKIPPED", null, null);
            }
            if (pull != null && pull.isBusy()) {
                return new JobOutcome(job, "BUSY", pull.stopReason(), null);
            }
            return new JobOutcome(job, pull == null ? "FAILED" : pull.status(), error, runReport.latest(job));
        } finally {
            try {
                template.stop();
            } catch (Exception ignored) {
                // nothing to release that matters at this point
            }
        }
    }

    /**
     * An Error (an OutOfMemoryError on a huge page) passes the routes' onException(Exception): the job is
     * marked FAILED and reported here, so it is not left RUNNING without a report.
     */
    private void recordUnhandled(PullState pull, Throwable cause) {
        try {
            checkpointStore.failed(pull, FailureExplainer.describe(cause));
            leadStore.countAtEnd(pull);
            runReport.finish(pull);
        } catch (Exception | Error e) {
            // the database or the heap may be what failed: the lease expires, and the next run resumes
        }
    }

    /**
     * A graceful stop (SIGTERM, Ctrl-C): running pulls end at their next page boundary, checkpointed, as
     * INTERRUPTED; after {@code grace} those still inside a page (a long wait) are marked INTERRUPTED at
     * their last saved page. Returns once no job runs.
     */
    public void stopGracefully(Duration grace) {
        if (checkpointStore == null) return;
        checkpointStore.stopRequested();
        // a job waiting for an API's quota or a retry's delay stops now (INTERRUPTED), not when the wait ends
        rateLimits.stop();
        long deadline = System.nanoTime() + grace.toNanos();
        while (checkpointStore.running() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (checkpointStore.running() > 0) checkpointStore.interruptAll();
    }

    public Duration shutdownGrace() {
        return Duration.ofMillis(settings.getLong("leadpipe.shutdown.grace-ms", 10_000, 0, 600_000));
    }

    /** Runs the jobs, at most leadpipe.jobs.concurrency at once; outcomes in the given order. */
    public List<JobOutcome> runJobs(List<String> names) throws Exception {
        int concurrency = settings.getInt("leadpipe.jobs.concurrency", 4, 1, 256);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(concurrency, names.size())));
        try {
            List<Future<JobOutcome>> futures = new ArrayList<>();
            for (String name : names) futures.add(pool.submit(() -> runJob(name)));
            List<JobOutcome> outcomes = new ArrayList<>();
            for (Future<JobOutcome> f : futures) outcomes.add(f.get());
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    public CamelContext context() {
        return context;
    }

    public Database database() {
        return db;
    }

    public LeadpipeMetrics metrics() {
        return metrics;
    }

    public RateLimits rateLimits() {
        return rateLimits;
    }

    public JobCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            try {
                scheduler.shutdown(true);
            } catch (Exception ignored) {
                // shutting down
            }
        }
        if (slicedPulls != null) slicedPulls.close();
        if (main != null) {
            try {
                main.stop();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        if (db != null) db.close();
    }
}
