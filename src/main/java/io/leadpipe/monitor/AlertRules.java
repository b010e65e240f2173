package io.leadpipe.monitor;

import io.leadpipe.config.Settings;
import io.leadpipe.monitor.JobCounters;
import io.leadpipe.ratelimit.RateLimitGovernor;
import io.leadpipe.ratelimit.RateLimits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The alert conditions, evaluated by the monitor route on a timer. An alert fires when its condition
 * starts to hold and clears when it stops; {@link #evaluate()} returns only those changes, as maps that
 * are both the structured log line and the webhook's JSON.
 */
public final class AlertRules {

    private final JobCounters jobs;
    private final RateLimits rateLimits;
    private final double errorRate;
    private final long errorWindowMillis;
    private final long errorMinAttempts;
    private final double quotaUsed;
    private final long consecutive429;
    private final double slowFactor;
    private final Map<String, Map<String, Object>> firing = new ConcurrentHashMap<>();

    public AlertRules(JobCounters jobs, RateLimits rateLimits, Settings s) {
        this.jobs = jobs;
        this.rateLimits = rateLimits;
        this.errorRate = s.getDouble("leadpipe.alerts.error-rate", 0, 1);
        this.errorWindowMillis = s.getLong("leadpipe.alerts.error-rate-window-ms", 1000, 86_400_000);
        this.errorMinAttempts = s.getLong("leadpipe.alerts.error-rate-min-requests", 1, 1_000_000);
        this.quotaUsed = s.getDouble("leadpipe.alerts.quota-used", 0, 1);
        this.consecutive429 = s.getLong("leadpipe.alerts.consecutive-429", 0, 1000);
        this.slowFactor = s.getDouble("leadpipe.alerts.slow-factor", 1.0, 1000);
    }

    public synchronized List<Map<String, Object>> evaluate() {
        long now = System.currentTimeMillis();
        Map<String, Map<String, Object>> holding = new LinkedHashMap<>();
        for (JobCounters.Counts c : jobs.all()) {
            double[] rate = c.errorRate(now, errorWindowMillis);
            if (rate[1] >= errorMinAttempts && rate[0] > errorRate) {
                hold(holding, "error_rate", "job_id", c.job, rate[0], errorRate,
                        String.format(Locale.ROOT, "%.1f%% of %d requests failed in the last %d s (threshold %.1f%%)",
                                rate[0] * 100, (long) rate[1], errorWindowMillis / 1000, errorRate * 100));
            }
            if (c.consecutive429.get() > consecutive429) {
                hold(holding, "consecutive_429", "job_id", c.job, c.consecutive429.get(), consecutive429,
                        c.consecutive429.get() + " answers in a row were 429 Too Many Requests (threshold: more than " + consecutive429 + ")");
            }
            if (c.drift > 0) {
                hold(holding, "drift", "job_id", c.job, c.drift, 0,
                        "the list changed during the pull: up to " + c.drift + " records may have been skipped or duplicated; run `leadpipe verify " + c.job + "`");
            }
            if (c.running && c.expectedSeconds != null && c.runningSeconds(now) > slowFactor * c.expectedSeconds) {
                hold(holding, "slow_job", "job_id", c.job, c.runningSeconds(now), slowFactor * c.expectedSeconds,
                        String.format(Locale.ROOT, "running %.0f s, more than %.1f × the expected %.0f s", c.runningSeconds(now), slowFactor, c.expectedSeconds));
            }
        }
        for (RateLimitGovernor g : rateLimits.governors()) {
            double used = LeadpipeMetrics.usedRatio(g);
            if (!Double.isNaN(used) && used > quotaUsed) {
                hold(holding, "quota_used", "api_key", g.name(), used, quotaUsed,
                        String.format(Locale.ROOT, "%.0f%% of the window's quota used (%d of %d left; threshold %.0f%%)",
                                used * 100, Math.max(0, g.remaining()), g.limit(), quotaUsed * 100));
            }
        }
        List<Map<String, Object>> changes = new ArrayList<>();
        holding.forEach((key, alert) -> {
            if (firing.putIfAbsent(key, alert) == null) changes.add(event(alert, "firing"));
        });
        for (String key : List.copyOf(firing.keySet())) {
            if (!holding.containsKey(key)) changes.add(event(firing.remove(key), "resolved"));
        }
        return changes;
    }

    /** Alerts firing right now (for status and tests). */
    public synchronized List<String> firing() {
        return List.copyOf(firing.keySet());
    }

    private static void hold(Map<String, Map<String, Object>> holding, String name, String subjectTag, String subject,
                             double value, double threshold, String message) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("alert", name);
        a.put(subjectTag, subject);
        a.put("value", Math.round(value * 1000) / 1000.0);
        a.put("threshold", threshold);
        a.put("message", message);
        holding.put(name + "/" + subject, a);
    }

    private static Map<String, Object> event(Map<String, Object> alert, String state) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("status", state);
        e.putAll(alert);
        e.put("at", Instant.now().toString());
        String subject = alert.containsKey("job_id") ? "job_id=" + alert.get("job_id") : "api_key=" + alert.get("api_key");
        e.put("line", "ALERT " + state.toUpperCase(Locale.ROOT) + " " + alert.get("alert") + " " + subject
                + " value=" + alert.get("value") + " threshold=" + alert.get("threshold") + " — " + alert.get("message"));
        return e;
    }
}
