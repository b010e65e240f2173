package io.leadpipe.monitor;

import io.leadpipe.monitor.JobCounters;
import io.leadpipe.ratelimit.RateLimitGovernor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * leadpipe's own meters, next to Camel's route metrics in the same registry (scraped at /observe/metrics).
 * Tags: {@code job_id} (not "job", which Prometheus keeps for the scrape job) and {@code api_key} — the
 * name of the governor (the first source using the key), never the key itself.
 */
public final class LeadpipeMetrics {

    private final MeterRegistry registry;
    private final JobCounters jobs;
    private final long errorWindowMillis;
    private final Set<String> jobGauges = ConcurrentHashMap.newKeySet();
    private final Map<String, RateLimitGovernor> governors = new ConcurrentHashMap<>();

    public LeadpipeMetrics(MeterRegistry registry, JobCounters jobs, long errorWindowMillis) {
        this.registry = registry;
        this.jobs = jobs;
        this.errorWindowMillis = errorWindowMillis;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** A job starts: its counters exist (at zero) from now on, so rates and alerts have a baseline. */
    public void jobStarted(String job) {
        counter("leadpipe.retries", "retries after a transient failure", job);
        counter("leadpipe.rate_limited", "429 answers", job);
        counter("leadpipe.pages", "pages stored", job);
        counter("leadpipe.pages.duplicate", "pages already processed, skipped", job);
        Counter.builder("leadpipe.leads.stored").description("leads upserted").tags("job_id", job).register(registry);
        jobGauges(job);
    }

    /** Every HTTP attempt: by job and status code ("error" when no answer came). */
    public void request(String job, int status) {
        Counter.builder("leadpipe.requests").description("HTTP requests to the APIs, every attempt")
                .tags("job_id", job, "status", status < 0 ? "error" : Integer.toString(status)).register(registry).increment();
        if (status == 429) counter("leadpipe.rate_limited", "429 answers", job).increment();
        jobGauges(job);
    }

    public void retry(String job) {
        counter("leadpipe.retries", "retries after a transient failure", job).increment();
    }

    public void page(String job, int leads) {
        counter("leadpipe.pages", "pages stored", job).increment();
        Counter.builder("leadpipe.leads.stored").description("leads upserted").tags("job_id", job).register(registry).increment(leads);
    }

    public void duplicatePage(String job) {
        counter("leadpipe.pages.duplicate", "pages already processed, skipped", job).increment();
    }

    public void rateLimitWait(String apiKey, long millis) {
        Counter.builder("leadpipe.ratelimit.wait.seconds").description("time spent waiting for the quota")
                .tags("api_key", apiKey).register(registry).increment(millis / 1000.0);
    }

    /** Quota gauges for one API key's governor. */
    public void governor(RateLimitGovernor g) {
        if (governors.putIfAbsent(g.name(), g) != null) return;
        Tags tags = Tags.of("api_key", g.name());
        Counter.builder("leadpipe.ratelimit.wait.seconds").description("time spent waiting for the quota").tags(tags).register(registry);
        Gauge.builder("leadpipe.quota.limit", g, x -> x.limit() == null ? Double.NaN : x.limit()).tags(tags)
                .description("the API's limit per window").register(registry);
        Gauge.builder("leadpipe.quota.remaining", g, x -> x.remaining() == null ? Double.NaN : Math.max(0, x.remaining())).tags(tags)
                .description("requests left in the window").register(registry);
        Gauge.builder("leadpipe.quota.used.ratio", g, LeadpipeMetrics::usedRatio).tags(tags)
                .description("share of the window's quota used").register(registry);
    }

    public static double usedRatio(RateLimitGovernor g) {
        Long limit = g.limit();
        Long remaining = g.remaining();
        if (limit == null || remaining == null || limit == 0) return Double.NaN;
        return Math.min(1.0, Math.max(0.0, (limit - Math.max(0, remaining)) / (double) limit));
    }

    private void jobGauges(String job) {
        if (!jobGauges.add(job)) return;
        JobCounters.Counts c = jobs.of(job);
        Tags tags = Tags.of("job_id", job);
        Gauge.builder("leadpipe.error.ratio", c, x -> x.errorRate(System.currentTimeMillis(), errorWindowMillis)[0]).tags(tags)
                .description("failed attempts ÷ attempts over the alert window").register(registry);
        Gauge.builder("leadpipe.job.duration.seconds", c, x -> x.startedAt == 0 ? 0 : x.runningSeconds(System.currentTimeMillis())).tags(tags)
                .description("how long the job has run (or ran)").register(registry);
        Gauge.builder("leadpipe.job.expected.duration.seconds", c, x -> x.expectedSeconds == null ? Double.NaN : x.expectedSeconds).tags(tags)
                .description("expected duration, from the pace of the first pages and the API's total").register(registry);
        Gauge.builder("leadpipe.job.running", c, x -> x.running ? 1 : 0).tags(tags).register(registry);
        Gauge.builder("leadpipe.drift.records", c, x -> x.drift).tags(tags)
                .description("records that may have been skipped or duplicated by page drift").register(registry);
        Gauge.builder("leadpipe.rate_limited.consecutive", c, x -> x.consecutive429.get()).tags(tags)
                .description("429 answers in a row").register(registry);
        Gauge.builder("leadpipe.job.leads", c, x -> x.leadsSoFar).tags(tags).register(registry);
    }

    private Counter counter(String name, String description, String job) {
        return Counter.builder(name).description(description).tags("job_id", job).register(registry);
    }
}
