package io.leadpipe;

import io.leadpipe.config.Settings;
import io.leadpipe.delta.DeltaSpec;
import io.leadpipe.job.AutoSlices;
import io.leadpipe.job.DeletedListings;
import io.leadpipe.job.RunReport;
import io.leadpipe.job.SlicedPulls;
import io.leadpipe.paging.PageCodecs;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.source.Sources;
import io.leadpipe.store.DeletionReconciliation;
import io.leadpipe.store.DeltaWatermarks;
import io.leadpipe.store.SlicePlans;
import org.apache.camel.main.Main;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What recurring syncs need beside a pull: each source's delta dialect and a digest of the settings that decide what
 * its pulls return, the watermarks, {@code slices = auto} on each source's time filter, and deletions (the vendors'
 * deleted listings, reconciliation after a complete pull).
 */
final class SyncBeans {

    final Map<String, DeltaSpec> deltas = new LinkedHashMap<>();
    final DeltaWatermarks watermarks;
    final DeletedListings deletedListings;

    SyncBeans(Settings settings, List<Sources.Resolved> resolved, DataSource db, RunReport runReport) {
        Map<String, String> fingerprints = new LinkedHashMap<>();
        for (Sources.Resolved r : resolved) {
            deltas.put(r.spec().name(), r.spec().delta());
            fingerprints.put(r.spec().name(), r.spec().delta().settingsFingerprint(settings));
        }
        watermarks = new DeltaWatermarks(db, deltas, fingerprints);
        runReport.deltas(watermarks::describe);
        deletedListings = new DeletedListings(runReport);
    }

    /** slices = auto: cut on each source's time filter, as many slices as its quota and answer time want in flight. */
    void autoSlices(SlicedPulls sliced, DataSource db, PageCodecs paging, RateLimits rateLimits) {
        sliced.autoSlices(new AutoSlices(new SlicePlans(db), new AutoSlices.SourceView(deltas::get, paging::pageSize,
                source -> rateLimits.quota(source).inFlightNeeded(paging.mostInFlight(source))), sliced.concurrency()));
    }

    void bind(Main main, Settings settings, DataSource db, RunReport runReport) {
        main.bind("deletedListings", deletedListings);
        main.bind("deletionReconciliation", new DeletionReconciliation(db, deltas, runReport,
                settings.getBoolean("leadpipe.incremental.reconcile-deletions"), settings.getDouble("leadpipe.incremental.reconcile-max-share", 0, 1),
                deletedListings::isListingJob));
    }
}
