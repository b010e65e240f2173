package io.leadpipe.job;

import io.leadpipe.config.JobSlices;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Partitioned jobs. A job declaring {@code slices} is cut into pulls of its own: one route per slice, made from
 * the same {@code extract} template with the job id {@code <job>.<slice>} and the slice's filter added to the
 * job's, so each slice has its own checkpoint row, lease, transaction per page and completeness proof, and
 * every request goes through the source key's one governor and Throttler. The job's caps (maxRequests,
 * maxLeads) count over all its slices ({@link JobBudget}). The job's own route only runs its
 * slices, at most {@code leadpipe.slices.concurrency} at once (one pool for every sliced job of the process),
 * and sums them: DONE when every slice is DONE; FAILED naming the slices that failed, the others finished. A
 * slice already DONE is skipped by its own route, so the next run pulls only what is left.
 */
public final class SlicedPulls implements AutoCloseable {

    /** One slice's outcome in a run; {@code report} is this run's, or the last one written when the slice was already DONE. */
    public record SliceResult(String slice, String job, String filters, String status, String error, Map<String, Object> report) {}

    private final ExecutorService pool;
    private final RunReport runReport;
    private Function<String, JobOutcome> pullOne;
    private JobBudget.Budgets checkpoints;
    private java.util.function.ToLongFunction<List<String>> distinctLeads;
    private AutoSlices autoSlices;
    private final int concurrency;

    public SlicedPulls(int concurrency, RunReport runReport) {
        this.concurrency = concurrency;
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "leadpipe-slice");
            t.setDaemon(true);
            return t;
        });
        this.runReport = runReport;
    }

    /**
     * Adds the slices' routes (after Camel started, so the template is there): for each route of the extract
     * template with slices, one route per slice, with the job's parameters, the slice's job id and filters.
     * {@code pullOne} runs one slice's route and says how it ended (the same as a job's run).
     */
    public void addSliceRoutes(CamelContext context, Function<String, JobOutcome> pullOne) throws Exception {
        this.pullOne = pullOne;
        for (RouteDefinition route : new ArrayList<>(((ModelCamelContext) context).getRouteDefinitions())) {
            Map<String, Object> params = route.getTemplateParameters();
            if (params == null || params.get("jobId") == null || params.get("cron") != null) continue;
            String spec = string(params.get("slices"));
            if (spec.isBlank()) continue;
            // slices = auto: cut at the job's first run, from the API's counts (its routes are added then)
            for (JobSlices.Slice slice : JobSlices.parse(spec, string(params.get("filters")))) addSliceRoute(context, route, slice);
        }
    }

    /** One slice's route, made from the extract template with the job's parameters, the slice's job id and filters (once). */
    private static void addSliceRoute(CamelContext context, RouteDefinition route, JobSlices.Slice slice) throws Exception {
        String routeId = route.getRouteId() + "." + slice.name();
        if (((ModelCamelContext) context).getRouteDefinition(routeId) != null) return;
        Map<String, Object> params = route.getTemplateParameters();
        String job = string(params.get("jobId"));
        String filters = string(params.get("filters"));
        Map<String, Object> own = new HashMap<>(params);
        own.put("jobId", slice.jobId(job));
        own.put("filters", JobSlices.filtersOf(filters, slice));
        own.put("slices", "");
        own.put("sliceOf", job);
        context.addRouteFromTemplate(routeId, "extract", own);
    }

    /** Slice pulls at once in the process (leadpipe.slices.concurrency). */
    public int concurrency() {
        return concurrency;
    }

    /** How a {@code slices = auto} job is cut (its kept plan, or a new one from the API's counts). */
    public void autoSlices(AutoSlices auto) {
        this.autoSlices = auto;
    }

    /** Where the slices' checkpoints are: a sliced job's caps count over all its slices. */
    public void checkpoints(JobBudget.Budgets store) {
        this.checkpoints = store;
    }

    /** Counts the distinct leads stored for a list of jobs: a lead in two overlapping slices is one lead of the job. */
    public void distinctLeads(java.util.function.ToLongFunction<List<String>> counter) {
        this.distinctLeads = counter;
    }

    /** Whether a route is a slice's own (made by {@link #addSliceRoutes}), not a job declared in the routes. */
    public static boolean isSlice(RouteDefinition route) {
        Map<String, Object> params = route.getTemplateParameters();
        return params != null && !string(params.get("sliceOf")).isBlank();
    }

    /** The job's route, for a sliced job: runs its slices, at most the pool's size at once, and writes the job's report. */
    public void run(Exchange exchange) throws Exception {
        JobSpec spec = exchange.getVariable("job", JobSpec.class);
        String job = spec.jobId();
        String filters = spec.filters();
        long started = System.currentTimeMillis();
        List<JobSlices.Slice> slices;
        String cut = null;
        if (JobSlices.isAuto(spec.slices())) {
            try {
                AutoSlices.Cut plan = autoSlices.slices(spec, exchange.getContext());
                slices = plan.slices();
                cut = plan.how();
                RouteDefinition route = ((ModelCamelContext) exchange.getContext()).getRouteDefinition(org.apache.camel.support.ExchangeHelper.getAtRouteId(exchange));
                for (JobSlices.Slice slice : slices) addSliceRoute(exchange.getContext(), route, slice);
            } catch (Exception e) {
                // the count requests failed (after their retries): nothing was pulled; the next run plans again
                String why = "slices = auto could not cut the job: " + FailureExplainer.describe(e);
                exchange.setVariable("slicedRun", runReport.finishSliced(job, spec.source(), filters,
                        List.of(new SliceResult("auto", job, filters, "FAILED", why, null)), started, null, null));
                return;
            }
        } else {
            slices = JobSlices.parse(spec.slices(), filters);
        }
        List<String> sliceJobs = slices.stream().map(s -> s.jobId(job)).toList();
        if (checkpoints != null) checkpoints.start(job, sliceJobs); // the job's caps count over all its slices
        List<SliceResult> results = new ArrayList<>();
        try {
            List<Future<JobOutcome>> running = new ArrayList<>();
            for (String sliceJob : sliceJobs) running.add(pool.submit(() -> pullOne.apply(sliceJob)));
            for (int i = 0; i < slices.size(); i++) {
                JobSlices.Slice slice = slices.get(i);
                JobOutcome o = running.get(i).get();
                Map<String, Object> report = o.report() != null ? o.report() : runReport.lastWritten(o.job());
                // a CAPPED slice says which cap: the job's, counted over all its slices
                String why = o.error() == null && "CAPPED".equals(o.status()) && report != null && report.get("cap") != null ? report.get("cap").toString() : o.error();
                results.add(new SliceResult(slice.name(), o.job(), JobFilters.normalise(JobSlices.filtersOf(filters, slice)), o.status(), why, report));
            }
        } finally {
            if (checkpoints != null) checkpoints.end(job);
        }
        Long union = distinctLeads == null ? null : distinctLeads.applyAsLong(sliceJobs);
        exchange.setVariable("slicedRun", runReport.finishSliced(job, spec.source(), filters, results, started, union, cut));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private static String string(Object o) {
        return o == null ? "" : o.toString();
    }
}
