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

/**
 * Partitioned jobs. A job declaring {@code slices} is cut into pulls of its own: one route per slice, made from
 * the same {@code extract} template with the job id {@code <job>.<slice>} and the slice's filter added to the
 * job's, so each slice has its own checkpoint row, lease, transaction per page and completeness proof, and
 * every request goes through the source key's one governor and Throttler. The job's caps (maxRequests,
 * maxLeads) count over all its slices ({@link JobBudget}). The job's own route (routes/extract.yaml) only pulls
 * its slices — a split over them, each slice's route run on its own exchange, at most {@code leadpipe.slices.concurrency} at once (one pool
 * for every sliced job of the process) — and sums them: DONE when every slice is DONE; FAILED naming the slices
 * that failed, the others finished. A slice already DONE is skipped by its own route, so the next run pulls only
 * what is left. This class holds what the route cannot say: which slices, their outcomes, the job's report.
 */
public final class SlicedPulls implements AutoCloseable {

    /** One slice's outcome in a run; {@code report} is this run's, or the last one written when the slice was already DONE. */
    public record SliceResult(String slice, String job, String filters, String status, String error, Map<String, Object> report) {}

    private final ExecutorService pool;
    private final RunReport runReport;
    private JobBudget.Budgets checkpoints;
    private java.util.function.ToLongFunction<List<String>> distinctLeads;
    private AutoSlices autoSlices;
    private final int concurrency;
    private volatile java.util.function.Function<String, JobOutcome> pullOne;

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
     */
    public void addSliceRoutes(CamelContext context) throws Exception {
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

    /** One slice to pull: its name, its own job id (its route is direct:extract-<jobId>) and its filters. */
    public record SlicePull(String name, String jobId, String filters) {
        }

    /**
     * One run of a sliced job, from {@link #slices} to {@link #finish} (the route's variable {@code slices}): what it
     * pulls, and each slice's outcome as it ends (slices end in any order, on the pool's threads).
     */
    public static final class SlicedRun {
        private final JobSpec job;
        private final List<SlicePull> pulls;
        private final String cut;
        private final long started = System.currentTimeMillis();
        private final Map<String, JobOutcome> outcomes = new java.util.concurrent.ConcurrentHashMap<>();

        SlicedRun(JobSpec job, List<SlicePull> pulls, String cut) {
            this.job = job;
            this.pulls = pulls;
            this.cut = cut;
        }

        /** For the route's split: the slices to pull. */
        public List<SlicePull> getPulls() {
            return pulls;
        }
    }

    /**
     * A sliced job's route, before its slices are pulled: the slices — declared, or (slices = auto) the kept plan or a
     * new one cut from the API's counts, their routes added — and the job's caps counting over all of them. A plan
     * that cannot be made fails the job here (its report says why) and no slice is pulled.
     */
    public SlicedRun slices(Exchange exchange) throws Exception {
        JobSpec spec = exchange.getVariable("job", JobSpec.class);
        String job = spec.jobId();
        String filters = spec.filters();
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
                        List.of(new SliceResult("auto", job, filters, "FAILED", why, null)), System.currentTimeMillis(), null, null));
                return new SlicedRun(spec, List.of(), null);
            }
        } else {
            slices = JobSlices.parse(spec.slices(), filters);
        }
        List<SlicePull> pulls = slices.stream().map(s -> new SlicePull(s.name(), s.jobId(job), JobFilters.normalise(JobSlices.filtersOf(filters, s)))).toList();
        if (checkpoints != null) checkpoints.start(job, pulls.stream().map(SlicePull::jobId).toList()); // the job's caps count over all its slices
        return new SlicedRun(spec, pulls, cut);
    }

    /** Runs one slice's route, on an exchange of its own, and says how it ended (JobRunner, once Camel has started). */
    public void pullOne(java.util.function.Function<String, JobOutcome> pullOne) {
        this.pullOne = pullOne;
    }

    /**
     * One slice of the route's split: its route ({@code direct:extract-<job>.<slice>}) run on an exchange of its own —
     * a split's exchange would carry the slice's failure into the job's route, and its retries would not run — and
     * its outcome kept for {@link #finish}.
     */
    public void pull(SlicedRun run, SlicePull slice) {
        run.outcomes.put(slice.jobId(), pullOne.apply(slice.jobId()));
    }

    /** A sliced job's route, after its slices: sums them in the job's report (variable slicedRun), in their declared order. */
    public void finish(Exchange exchange) throws Exception {
        if (exchange.getVariable("slicedRun") != null) return; // no plan: said already
        SlicedRun run = exchange.getVariable("slices", SlicedRun.class);
        String job = run.job.jobId();
        List<SliceResult> results = new ArrayList<>();
        try {
            for (SlicePull pull : run.pulls) {
                JobOutcome o = run.outcomes.get(pull.jobId());
                if (o == null) o = new JobOutcome(pull.jobId(), "FAILED", "the slice's pull did not end", null);
                Map<String, Object> report = o.report() != null ? o.report() : runReport.lastWritten(o.job());
                // a CAPPED slice says which cap: the job's, counted over all its slices
                String why = o.error() == null && "CAPPED".equals(o.status()) && report != null && report.get("cap") != null ? report.get("cap").toString() : o.error();
                results.add(new SliceResult(pull.name(), o.job(), pull.filters(), o.status(), why, report));
            }
        } finally {
            if (checkpoints != null) checkpoints.end(job);
        }
        List<String> sliceJobs = run.pulls.stream().map(SlicePull::jobId).toList();
        Long union = null;
        try {
            if (distinctLeads != null) union = distinctLeads.applyAsLong(sliceJobs);
        } catch (RuntimeException e) {
            // a slice's failure closed the H2 file (a full disk): the report sums the slices without their union's count
            if (!FailureKinds.databaseClosed(e)) throw e;
        }
        exchange.setVariable("slicedRun", runReport.finishSliced(job, run.job.source(), run.job.filters(), results, run.started, union, run.cut));
    }

    /** The slice pulls' pool (bound as {@code slicePulls}): at most leadpipe.slices.concurrency at once, over every sliced job. */
    public ExecutorService pool() {
        return pool;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private static String string(Object o) {
        return o == null ? "" : o.toString();
    }
}
