package io.leadpipe.job;

import io.leadpipe.config.DeletionFeeds;
import io.leadpipe.delta.DeltaSpec;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Deletions a vendor lists apart ({@code delta.deleted-param}: HubSpot's {@code archived=true}; or a feed at another
 * endpoint, {@code deleted.*}: Pipedrive's recents, a source of its own whose pages only mark the source's leads). A recurring sync
 * (an incremental job, or each slice of a sliced one) on such a source is followed, once its pull is DONE, by a second pull of the
 * same listing with that parameter: its own route from the extract template, job id {@code <job>.deleted}, its
 * own checkpoint, paged like the first. Every record it lists carries the deleted flag ({@code delta.deleted-pointer}),
 * so its pages mark those leads deleted at the source (store.DeltaWatermarks#markDeleted) in their own transaction;
 * a lead listed live again by a later sync is unmarked. The job's report says how many the listing marked.
 */
public final class DeletedListings {

    /** A feed job is its job's id with the suffix a feed source has after its source's name. */
    public static final String SUFFIX = DeletionFeeds.SUFFIX;

    private final RunReport runReport;
    private final Map<String, String> listings = new HashMap<>();
    private final java.util.Set<String> feeds = new java.util.HashSet<>();
    private Function<String, JobOutcome> pullOne;

    public DeletedListings(RunReport runReport) {
        this.runReport = runReport;
    }

    /**
     * Adds the listings' routes (after Camel started, so the template is there): for each incremental job of the extract
     * template on a source with a deleted-param, one route with the job's parameters, its own job id and that parameter
     * added to its filters. {@code pullOne} runs a listing's route and says how it ended.
     */
    public void addListingRoutes(CamelContext context, Map<String, DeltaSpec> deltas, Function<String, JobOutcome> pullOne) throws Exception {
        this.pullOne = pullOne;
        for (RouteDefinition route : new ArrayList<>(((ModelCamelContext) context).getRouteDefinitions())) {
            Map<String, Object> params = route.getTemplateParameters();
            if (params == null || params.get("jobId") == null || params.get("cron") != null || params.containsKey("childSource")) continue;
            if (blank(params.get("incremental")) || !blank(params.get("listingOf"))) continue;
            String source = String.valueOf(params.getOrDefault("source", "leads-api"));
            DeltaSpec delta = deltas.get(source);
            String feed = DeletionFeeds.of(source);
            boolean hasFeed = deltas.containsKey(feed);
            if (delta == null || delta.deletedParam() == null && !hasFeed) continue;
            // a listing with the job's filters: each slice lists its own (a sliced job's own route pulls nothing); a feed
            // lists the whole source's changes: once per job, after all its slices (the sliced job's route)
            boolean slice = !blank(params.get("sliceOf"));
            boolean sliced = !blank(params.get("slices"));
            if (hasFeed ? slice : sliced) continue;
            String job = params.get("jobId").toString();
            String filters = blank(params.get("filters")) ? "" : params.get("filters").toString().strip();
            Map<String, Object> own = new HashMap<>(params);
            own.keySet().removeIf(k -> k.contains("-")); // Camel's dashed copies of the parameters (listing-of) would win over ours
            own.put("jobId", job + SUFFIX);
            if (hasFeed) {
                // the vendor's feed of deletions at another endpoint (Pipedrive's recents), since its previous listing:
                // the job's filters are the list's, not the feed's — it marks only leads of the source stored already
                own.put("source", feed);
                own.put("filters", "");
                feeds.add(job + SUFFIX);
            } else {
                // leadpipe's parameters win a name over the URL's own: archived=true replaces the URL's archived=false
                own.put("filters", filters.isEmpty() ? delta.deletedParam() : filters + "&" + delta.deletedParam());
            }
            own.put("listingOf", job);
            own.put("sliceOf", ""); // a slice's listing is not one of the sliced job's slices (its caps, its summary)
            own.put("slices", ""); // a sliced job's feed is one pull
            context.addRouteFromTemplate(route.getRouteId() + SUFFIX, "extract", own);
            listings.put(job, hasFeed ? "feed " + feed : delta.deletedParam());
        }
    }

    /** Whether a job's pages come from a feed of deletions (their records are not leads: they only mark the source's). */
    public boolean isFeed(JobSpec job) {
        return feeds.contains(job.jobId());
    }

    /** Whether a job is a listing of deleted records (it lists a part on purpose: nothing to reconcile). */
    public boolean isListingJob(String jobId) {
        return jobId.endsWith(SUFFIX) && listings.containsKey(jobId.substring(0, jobId.length() - SUFFIX.length()));
    }

    /** Whether a route is a listing's own (made by {@link #addListingRoutes}), not a job declared in the routes. */
    public static boolean isListing(RouteDefinition route) {
        Map<String, Object> params = route.getTemplateParameters();
        return params != null && !blank(params.get("listingOf"));
    }

    /** After a job's pull: it has a listing of deleted records to pull now (its sync ended DONE). */
    public boolean due(JobSpec job, Pull pull) {
        return pullOne != null && listings.containsKey(job.jobId()) && pull != null && pull.status() == PullStatus.DONE;
    }

    /** After a sliced job's slices (its summary {@code slicedRun}): its feed of deletions to pull now (every slice DONE). */
    public boolean dueSliced(JobSpec job, Map<String, Object> slicedRun) {
        return pullOne != null && listings.containsKey(job.jobId()) && slicedRun != null && PullStatus.DONE.name().equals(slicedRun.get("status"));
    }

    /**
     * A sliced job's feed: pulled as {@link #run}, and its summary ({@code variable.slicedRun}, what the run prints and
     * what the job's outcome is made of) amended — FAILED with the listing's error when it did not finish.
     */
    public void runSliced(Exchange exchange) throws Exception {
        run(exchange);
        JobSpec job = exchange.getVariable("job", JobSpec.class);
        String error = exchange.getVariable("deletedListingError", String.class);
        if (error != null) runReport.amend(job.jobId(), Map.of("status", PullStatus.FAILED.name(), "error", error));
        Map<String, Object> amended = runReport.latest(job.jobId());
        if (amended != null) exchange.setVariable("slicedRun", amended);
    }

    /**
     * Pulls the job's listing of deleted records and adds what it marked to the job's report; a listing that did not
     * end DONE is the job's failure ({@code variable.deletedListingError}), its sync kept: the next run pulls it again.
     */
    public void run(Exchange exchange) throws Exception {
        JobSpec job = exchange.getVariable("job", JobSpec.class);
        String param = listings.get(job.jobId());
        JobOutcome listed = pullOne.apply(job.jobId() + SUFFIX);
        Map<String, Object> report = listed.report() != null ? listed.report() : runReport.lastWritten(listed.job());
        Object marked = report == null ? null : report.get("deltaDeleted");
        Map<String, Object> more = new LinkedHashMap<>();
        if (!PullStatus.DONE.name().equals(listed.status())) {
            String error = "the listing of deleted records (" + param + ", job " + listed.job() + ") ended " + listed.status()
                    + (listed.error() == null ? "" : ": " + listed.error()) + "; the sync itself is stored, and the next run lists them again";
            exchange.setVariable("deletedListingError", error);
            more.put("deletedListing", "NOT DONE — " + error);
        } else {
            String what = param.startsWith("feed ") ? " leads it flags deleted, marked deleted at the source (" : " records listed deleted, marked deleted at the source (";
            more.put("deletedListing", param + ": " + (marked == null ? 0 : marked) + what
                    + (report == null ? "?" : report.get("requests")) + " requests, job " + listed.job() + ")");
            more.put("deltaDeleted", marked == null ? 0 : marked);
        }
        runReport.amend(job.jobId(), more);
    }

    private static boolean blank(Object o) {
        return o == null || o.toString().isBlank();
    }
}
