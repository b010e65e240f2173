package io.leadpipe;

import io.leadpipe.auth.SourceAuthFactory;
import io.leadpipe.config.JobDeclarations;
import io.leadpipe.config.RouteFileCheck;
import io.leadpipe.config.Settings;
import io.leadpipe.http.HttpCallObserver;
import io.leadpipe.http.SourceAuth;
import io.leadpipe.job.JobOutcome;
import io.leadpipe.job.RunReport;
import io.leadpipe.monitor.JobCounters;
import io.leadpipe.monitor.LeadpipeMetrics;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RatePolicy;
import io.leadpipe.schedule.Schedulers;
import io.leadpipe.source.SourceSpec;
import io.leadpipe.source.Sources;
import io.leadpipe.store.Database;
import io.leadpipe.store.H2ExitHook;
import io.leadpipe.store.StoreCompaction;
import io.leadpipe.store.RefreshTokenTable;
import io.leadpipe.store.SharedWindowTable;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;
import org.quartz.Scheduler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The composition root of a run: every setting checked and every credential resolved before anything is
 * opened (exit 2 on a problem), then the schema migrated and Camel started with the routes from routes/ and
 * the beans of {@link SourceBeans}, {@link StoreBeans}, {@link SinkBeans} and {@link RunBeans}, bound by
 * Camel. Jobs are the routes made from the {@code extract} template; {@link JobRunner} runs them.
 */
public final class LeadpipeWiring implements AutoCloseable {

    private final Settings settings;
    private final ProcessSettings process;
    private final JobCounters counters = new JobCounters();
    private final RateLimits rateLimits = new RateLimits();
    private LeadpipeMetrics metrics;
    private Database db;
    private Main main;
    private Scheduler scheduler;
    private StoreBeans stores;
    private RunBeans run;
    private JobRunner jobs;
    private boolean compactWhenClosed;

    public LeadpipeWiring(Settings settings) {
        this.settings = settings;
        this.process = new ProcessSettings(settings);
    }

    public LeadpipeWiring start(Map<String, String> env) throws Exception {
        // everything that can be wrong in the configuration fails here, before the database is touched
        SourceAuthFactory credentials = process.credentials(env);
        List<Sources.Resolved> resolved = Sources.resolve(SourceSpec.readAll(settings, env), credentials);
        int concurrency = process.jobsConcurrency();
        JobDeclarations.applyJobsFile(settings);
        JobDeclarations.read(settings);
        RouteFileCheck.check(JobDeclarations.routeFiles(settings), settings.asProperties());
        Path reportDir = settings.writableDirectory("leadpipe.report.dir");
        io.leadpipe.sink.SinkSpec sinkSpec = SinkBeans.spec(settings); // checked with the rest, before the database is opened
        Map<String, SourceAuth> sinkAuth = SinkBeans.credentials(settings, credentials);
        boolean sharedWindows = process.windowsSharedThroughDatabase();
        RatePolicy policy = process.ratePolicy();
        rateLimits.maxWait(process.maxWait());

        io.leadpipe.config.ManagementPort.checkFree(settings); // a second process on the host: one line, nothing opened
        db = Database.open(settings).migrate();
        // refresh tokens: the stored (maybe rotated) one is current, unless the settings give a new one
        credentials.attach(new RefreshTokenTable(db.dataSource()));
        if (db.url().startsWith("jdbc:h2:")) H2ExitHook.leaveClosingToUs(); // closed by close(), after a graceful stop
        if (sharedWindows) rateLimits.shareWindows(new SharedWindowTable(db.dataSource()), process.clusterBlock());

        main = new Main();
        // scheduled routes (routes/schedule.yaml, from quartz:) start only under `serve`
        if (!process.schedulerEnabled()) main.configure().setAutoStartupExcludePattern("quartz:*");
        // leadpipe stops gracefully itself (stopGracefully: jobs end between pages); Camel's own hangup hook
        // would instead wait up to its shutdown timeout for a job sleeping out a rate-limit reset
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy strategy) strategy.disableHangupSupport();
        main.setOverrideProperties(settings.asProperties());
        main.setDefaultPropertyPlaceholderLocation("false");
        main.bind("leadpipeDb", db.dataSource()); // camel.component.sql.data-source names it

        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // bound before Camel configures its micrometer support, which then uses it: /observe/metrics shows route metrics beside ours
        main.bind("metricsRegistry", prometheus);
        metrics = new LeadpipeMetrics(prometheus, counters, settings.getLong("leadpipe.alerts.error-rate-window-ms", 1000, 86_400_000));
        RunReport runReport = new RunReport(reportDir, counters, rateLimits::learned);
        SourceBeans sources = new SourceBeans(Sources.connect(resolved, rateLimits, policy, client -> client), rateLimits, credentials.instanceUrls());
        SinkBeans sink = new SinkBeans(settings, sinkSpec, db.dataSource(), sinkAuth, rateLimits, policy, process.backoff("leadpipe.sink.retry.", rateLimits), metrics);
        run = new RunBeans(settings, metrics, counters, runReport, rateLimits, process.backoff("leadpipe.retry.", rateLimits));
        stores = new StoreBeans(settings, db.dataSource(), sources.paging(), counters, metrics, run.slicedPulls());
        SyncBeans sync = new SyncBeans(settings, resolved, db.dataSource(), runReport);
        stores.deltaWatermarks(sync.watermarks);
        sync.autoSlices(run.slicedPulls(), db.dataSource(), sources.paging(), rateLimits);
        for (CamelConfiguration beans : List.<CamelConfiguration>of(sources, sink, run, stores)) main.configure().addConfiguration(beans);
        sync.bind(main, settings, db.dataSource(), runReport);

        // added before start: Camel only emits exchange events when a notifier exists at start-up
        main.init();
        if (process.schedulerEnabled()) {
            scheduler = Schedulers.create(settings, db.dataSource(), db.url());
            main.getCamelContext().getComponent("quartz", QuartzComponent.class).setScheduler(scheduler);
        }
        HttpCallObserver observer = new HttpCallObserver(counters, metrics);
        main.getCamelContext().getManagementStrategy().addEventNotifier(observer);
        main.start();
        observer.start(); // a notifier added by hand is not started for us, and an unstarted one hears nothing
        jobs = new JobRunner(main.getCamelContext(), stores.checkpointStore(), stores.leadStore(), runReport, concurrency);
        run.slicedPulls().addSliceRoutes(main.getCamelContext());
        run.slicedPulls().pullOne(jobs::pull);
        sync.deletedListings.addListingRoutes(main.getCamelContext(), sync.deltas, jobs::pull);
        return this;
    }

    /** Whether the database closed under this run (its H2 file, after a full disk) or gave no connection in time: nothing more can be asked of it. */
    public boolean databaseGone() {
        return stores != null && stores.checkpointStore().databaseRefusedAnEnd();
    }

    /** Why the database is gone (see {@link #databaseGone()}); null when it is not. */
    public io.leadpipe.store.PullRepository.DatabaseGone whyDatabaseGone() {
        return stores == null ? null : stores.checkpointStore().whyDatabaseRefusedAnEnd();
    }

    public boolean sinkEnabled() {
        return process.sinkEnabled();
    }

    /**
     * Drains the staged leads to the CRM (or the endpoint) once, holding the sink's lease: returns the drain's exchange
     * (counts in variables, or its exception). Another live process delivering on this database: SinkBusyException, nothing sent.
     */
    public Exchange deliver() {
        stores.sinkLease().take();
        try {
            return jobs.deliver(io.leadpipe.sink.SinkEndpoint.configured(settings) ? io.leadpipe.sink.SinkEndpoint.ROUTE : "direct:sink-drain");
        } finally {
            stores.sinkLease().release();
        }
    }

    /** Job names, in the order they are declared in routes/. */
    public List<String> jobs() {
        return jobs.jobs();
    }

    public JobOutcome runJob(String job) {
        return jobs.runJob(job);
    }

    /** Runs the jobs, at most leadpipe.jobs.concurrency at once; outcomes in the given order. */
    public List<JobOutcome> runJobs(List<String> names) throws Exception {
        return jobs.runJobs(names);
    }

    /**
     * A graceful stop (SIGTERM, Ctrl-C): running pulls end at their next page boundary, checkpointed, as
     * INTERRUPTED; after {@code grace} those still inside a page (a long wait) are marked INTERRUPTED at
     * their last saved page. Returns once no job runs.
     */
    public void stopGracefully(Duration grace) {
        if (stores == null) return;
        var checkpointStore = stores.checkpointStore();
        checkpointStore.stopRequested();
        // a job waiting for an API's quota or a retry's delay stops now (INTERRUPTED), not when the wait ends
        rateLimits.stop();
        if (!checkpointStore.awaitNoneRunning(grace)) {
            io.leadpipe.http.ResponseLimits.cutShortAll(); // a call to a slow API (a page, a token) ends now, not at its deadline
            checkpointStore.interruptAll();
        }
    }

    public Duration shutdownGrace() {
        return process.shutdownGrace();
    }

    public CamelContext context() {
        return main.getCamelContext();
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
        if (run != null) run.slicedPulls().close();
        // a run that failed because the database takes no more writes (a full disk): what is still in flight (a timer's
        // round) and the pool's users would each wait leadpipe.db.connection-wait-ms for a connection that never comes
        boolean databaseGone = databaseGone();
        if (main != null) {
            try {
                if (databaseGone) main.getCamelContext().getShutdownStrategy().setTimeout(1);
                main.stop();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        if (db == null) return;
        db.close(!databaseGone);
        if (compactWhenClosed && !databaseGone) StoreCompaction.atExit(db, settings.getInt("leadpipe.db.compact-below-live-percent", 0, 100),
                settings.getLong("leadpipe.db.compact-at-exit-max-mb", 0, 1_048_576) * 1024 * 1024);
    }

    /**
     * The run is over: once the database is closed, an H2 file whose live data has fallen under
     * leadpipe.db.compact-below-live-percent of it is rewritten with its live data, when this process is its
     * only user (see {@link StoreCompaction}).
     */
    public void compactWhenClosed() {
        compactWhenClosed = true;
    }
}
