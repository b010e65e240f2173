package io.leadpipe;

import io.leadpipe.config.Settings;
import io.leadpipe.http.JsonAnswer;
import io.leadpipe.job.FailureExplainer;
import io.leadpipe.job.FailureKinds;
import io.leadpipe.job.RunReport;
import io.leadpipe.job.SlicedPulls;
import io.leadpipe.monitor.AlertRules;
import io.leadpipe.monitor.JobCounters;
import io.leadpipe.monitor.LeadpipeMetrics;
import io.leadpipe.monitor.ProgressReport;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RetryBackoff;
import io.leadpipe.schedule.ScheduleDeferral;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;

/**
 * The beans every job's route calls besides the sources and the stores, bound by Camel from these fields:
 * our metrics, the run report, retries, failure explanations, alerts and progress, sliced pulls, schedule deferral.
 */
final class RunBeans implements CamelConfiguration {

    @BindToRegistry("leadpipeMetrics")
    private final LeadpipeMetrics metrics;
    @BindToRegistry("failureExplainer")
    private final FailureExplainer failureExplainer = new FailureExplainer();
    @BindToRegistry("failureKinds")
    private final FailureKinds failureKinds = new FailureKinds();
    @BindToRegistry("runReport")
    private final RunReport runReport;
    /** Sliced jobs: at most leadpipe.slices.concurrency slice pulls at once, over every sliced job of the process. */
    @BindToRegistry("slicedPulls")
    private final SlicedPulls slicedPulls;
    /** The pool of the slice pulls (routes/extract.yaml's split). */
    @BindToRegistry("slicePulls")
    private final java.util.concurrent.ExecutorService slicePulls;
    @BindToRegistry("scheduleDeferral")
    private final ScheduleDeferral scheduleDeferral = new ScheduleDeferral();
    @BindToRegistry("jsonAnswer")
    private final JsonAnswer jsonAnswer = new JsonAnswer();
    @BindToRegistry("alertRules")
    private final AlertRules alertRules;
    @BindToRegistry("progressReport")
    private final ProgressReport progressReport;
    @BindToRegistry("retryBackoff")
    private final RetryBackoff retryBackoff;

    RunBeans(Settings settings, LeadpipeMetrics metrics, JobCounters counters, RunReport runReport,
             RateLimits rateLimits, RetryBackoff retries) {
        this.metrics = metrics;
        this.runReport = runReport;
        this.slicedPulls = new SlicedPulls(settings.getInt("leadpipe.slices.concurrency", 1, 256), runReport);
        this.slicePulls = slicedPulls.pool();
        rateLimits.onWait(metrics::rateLimitWait);
        rateLimits.governors().forEach(metrics::governor);
        this.alertRules = new AlertRules(counters, rateLimits, settings);
        this.progressReport = new ProgressReport(counters, rateLimits);
        this.retryBackoff = retries.onRetry(job -> {
            counters.of(job).retries.incrementAndGet();
            metrics.retry(job);
        });
    }

    SlicedPulls slicedPulls() {
        return slicedPulls;
    }
}
