package io.leadpipe;

import io.leadpipe.config.Settings;
import io.leadpipe.job.ChildLoop;
import io.leadpipe.job.DriftMeter;
import io.leadpipe.job.PullCounters;
import io.leadpipe.job.PullEvents;
import io.leadpipe.job.PullLoop;
import io.leadpipe.job.PagePlanner;
import io.leadpipe.job.Pull;
import io.leadpipe.job.SlicedPulls;
import io.leadpipe.monitor.JobCounters;
import io.leadpipe.monitor.LeadpipeMetrics;
import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.PageCodecs;
import io.leadpipe.store.PullRepository;
import io.leadpipe.store.ChildListStore;
import io.leadpipe.store.H2Housekeeping;
import io.leadpipe.store.LeadStore;
import io.leadpipe.store.PageTransaction;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * The pull's storage, bound by Camel: the pull repository (every checkpoint transition), the leads store,
 * the page fingerprints, the child lists, and the transaction that commits a page's writes together.
 */
final class StoreBeans implements CamelConfiguration {

    private final DataSource db;
    private final DataSourceTransactionManager transactions;
    private final PullRepository checkpointStore;
    private final PullEvents pullEvents;
    private final PagePlanner pagePlanner;
    private final LeadStore leadStore;
    private final io.leadpipe.store.SinkLease sinkLease;
    private final ChildListStore childLists;
    private final DriftMeter driftMeter;
    private final H2Housekeeping housekeeping;

    StoreBeans(Settings settings, DataSource db, PageCodecs pagers, JobCounters counters, LeadpipeMetrics metrics, SlicedPulls slicedPulls) {
        this.db = db;
        this.transactions = new DataSourceTransactionManager(db);
        PullEvents toMetrics = new PullEvents() {
            @Override
            public void started(Pull pull) {
                metrics.jobStarted(pull.jobId());
            }

            @Override
            public void pageStored(Pull pull, FetchedPage page) {
                metrics.page(pull.jobId(), page.records());
            }

            @Override
            public void duplicatePage(Pull pull) {
                metrics.duplicatePage(pull.jobId());
            }
        };
        pullEvents = new PullCounters(counters, toMetrics);
        pagePlanner = new PagePlanner(pagers::plan);
        long leaseTtl = settings.getLong("leadpipe.lease.ttl-ms", 1_000, 86_400_000);
        checkpointStore = new PullRepository(db, transactions, pagers, job -> counters.of(job).requests.get(), pullEvents,
                settings.getLong("leadpipe.incremental.overlap-seconds", 0, 86_400 * 30), Duration.ofMillis(leaseTtl));
        slicedPulls.checkpoints(checkpointStore);
        sinkLease = new io.leadpipe.store.SinkLease(db, Duration.ofMillis(leaseTtl));
        settings.getLong("leadpipe.lease.heartbeat-ms", 100, 86_400_000);
        // on by default: it bounds H2's chunk metadata in the heap by time (0 switches it off; docs/concepts/storage.md, "Memory: what grows with a pull, and its bound")
        housekeeping = new H2Housekeeping(settings.getLong("leadpipe.db.housekeeping-ms", 0, 86_400_000) > 0 ? db : null);
        leadStore = new LeadStore(db, settings.getInt("leadpipe.leads.max-id-length", 1, LeadStore.MAX_ID_LENGTH));
        slicedPulls.distinctLeads(leadStore::distinctLeadsOf);
        childLists = new ChildListStore(db, pagers, checkpointStore::stopping,
                settings.getInt("leadpipe.children.batch", 1, 100_000)).onPageStored((job, records) -> {
                    counters.of(job).leads.addAndGet(records);
                    metrics.page(job, records);
                });
        driftMeter = new DriftMeter(db, settings.getLong("leadpipe.drift.threshold", 0, Long.MAX_VALUE));
    }

    /** Incremental jobs of sources that declare their delta: watermark from the data, tally, settings kept (bean deltaWatermarks). */
    private io.leadpipe.store.DeltaWatermarks deltaWatermarks;

    void deltaWatermarks(io.leadpipe.store.DeltaWatermarks watermarks) {
        this.deltaWatermarks = watermarks;
        checkpointStore.deltaWatermarks(watermarks);
    }

    PullRepository checkpointStore() {
        return checkpointStore;
    }

    LeadStore leadStore() {
        return leadStore;
    }

    /** One deliverer per sink: a delivery holds this lease while it runs. */
    io.leadpipe.store.SinkLease sinkLease() {
        return sinkLease;
    }

    @Override
    public void configure(CamelContext context) {
        Registry registry = context.getRegistry();
        registry.bind("pageTransaction", new PageTransaction(transactions));
        registry.bind("pullRepository", checkpointStore);
        registry.bind("deltaWatermarks", deltaWatermarks);
        registry.bind("h2Housekeeping", housekeeping);
        registry.bind("leadStore", leadStore);
        registry.bind("sinkLease", sinkLease);
        registry.bind("pullLoop", new PullLoop(pullEvents));
        registry.bind("pagePlanner", pagePlanner);
        registry.bind("childLoop", new ChildLoop());
        registry.bind("childLists", childLists);
        registry.bind("driftMeter", driftMeter);
        // pages already processed, by pull and page fingerprint; the table comes from Flyway (V2)
        registry.bind("pageRepository", new io.leadpipe.store.PageKeys(db, PullRepository.PAGE_REPOSITORY));
    }
}
