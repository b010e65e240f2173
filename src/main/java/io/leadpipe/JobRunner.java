package io.leadpipe;

import io.leadpipe.config.ConfigException;
import io.leadpipe.job.DeletedListings;
import io.leadpipe.job.FailureExplainer;
import io.leadpipe.job.JobOutcome;
import io.leadpipe.job.Pull;
import io.leadpipe.job.PullStatus;
import io.leadpipe.job.RunReport;
import io.leadpipe.job.SlicedPulls;
import io.leadpipe.store.PullRepository;
import io.leadpipe.store.LeadStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs what the routes do on demand: a job's pull ({@code direct:extract-<job>}), saying how it ended — DONE,
 * FAILED, SKIPPED (already done), BUSY (another process holds it), INTERRUPTED (a shutdown) — with its report;
 * and the delivery's drain of the staged leads ({@code direct:sink-drain}).
 */
final class JobRunner {

    private final CamelContext context;
    private final PullRepository checkpointStore;
    private final LeadStore leadStore;
    private final RunReport runReport;
    private final int concurrency;

    JobRunner(CamelContext context, PullRepository checkpointStore, LeadStore leadStore, RunReport runReport, int concurrency) {
        this.context = context;
        this.checkpointStore = checkpointStore;
        this.leadStore = leadStore;
        this.runReport = runReport;
        this.concurrency = concurrency;
    }

    /** Job names, in the order they are declared in routes/ (scheduled routes and slices left out). */
    List<String> jobs() {
        List<String> jobs = new ArrayList<>();
        for (RouteDefinition r : ((ModelCamelContext) context).getRouteDefinitions()) {
            Object job = r.getTemplateParameters() == null ? null : r.getTemplateParameters().get("jobId");
            if (job != null && r.getTemplateParameters().get("cron") == null && !SlicedPulls.isSlice(r) && !DeletedListings.isListing(r)) jobs.add(job.toString());
        }
        return jobs;
    }

    JobOutcome runJob(String job) {
        if (!jobs().contains(job)) {
            throw new ConfigException("no job named '" + job + "' in the routes (known: " + String.join(", ", jobs()) + ")");
        }
        return pull(job);
    }

    /** Runs the jobs, at most leadpipe.jobs.concurrency at once; outcomes in the given order. */
    List<JobOutcome> runJobs(List<String> names) throws Exception {
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

    /** Runs one job's route (a declared job's, or a slice's) and says how it ended. */
    JobOutcome pull(String job) {
        return outcome(job, send("direct:extract-" + job));
    }

    /** Drains the staged leads once through {@code drain} (the CRM's or the endpoint's route): the drain's exchange (counts in variables, or its exception). */
    Exchange deliver(String drain) {
        return send(drain);
    }

    private Exchange send(String endpoint) {
        ProducerTemplate template = context.createProducerTemplate();
        try {
            return template.send(endpoint, e -> { });
        } finally {
            try {
                template.stop();
            } catch (Exception ignored) {
                // nothing to release that matters at this point
            }
        }
    }

    private JobOutcome outcome(String job, Exchange result) {
        @SuppressWarnings("unchecked")
        Map<String, Object> sliced = result.getVariable("slicedRun", Map.class);
        if (sliced != null && result.getException() == null) {
            // a sliced job: its status and report sum its slices' (SKIPPED when every slice was DONE already)
            String status = String.valueOf(sliced.get("status"));
            return new JobOutcome(job, status, (String) sliced.get("error"), "SKIPPED".equals(status) || PullStatus.BUSY.name().equals(status) ? null : sliced);
        }
        Pull pull = result.getVariable("pull", Pull.class);
        if (result.getException() != null && pull != null && pull.status() == PullStatus.RUNNING) recordUnhandled(pull, result.getException());
        String error = pull != null && pull.error() != null ? pull.error() : result.getVariable("error", String.class);
        if (result.getException() != null && pull != null && pull.isInterrupted()) {
            // a shutdown signal cut a wait or a call short: the job stopped at its last saved page, resumable
            return new JobOutcome(job, PullStatus.INTERRUPTED.name(), pull.stopReason(), runReport.latest(job));
        }
        if (result.getException() != null) {
            return new JobOutcome(job, PullStatus.FAILED.name(), error != null ? error : FailureExplainer.describe(result.getException()), runReport.latest(job));
        }
        if (pull != null && pull.isAlreadyDone()) return new JobOutcome(job, "SKIPPED", null, null);
        // the sync is stored, but the listing of its deleted records that follows it did not finish (job.DeletedListings)
        String listing = result.getVariable("deletedListingError", String.class);
        if (listing != null) return new JobOutcome(job, PullStatus.FAILED.name(), listing, runReport.latest(job));
        if (pull != null && pull.isBusy()) return new JobOutcome(job, PullStatus.BUSY.name(), pull.stopReason(), null);
        return new JobOutcome(job, (pull == null ? PullStatus.FAILED : pull.status()).name(), error, runReport.latest(job));
    }

    /**
     * An Error (an OutOfMemoryError on a huge page) passes the routes' onException(Exception): the job is
     * marked FAILED and reported here, so it is not left RUNNING without a report.
     */
    private void recordUnhandled(Pull pull, Throwable cause) {
        try {
            checkpointStore.failed(pull, FailureExplainer.describe(cause), cause);
            if (pull.isEndRecorded()) {
                leadStore.countAtEnd(pull);
                runReport.finish(pull);
            }
        } catch (Exception | Error e) {
            // the database or the heap may be what failed: the lease expires, and the next run resumes
        }
    }
}
