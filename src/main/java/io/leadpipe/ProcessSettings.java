package io.leadpipe;

import io.leadpipe.auth.SourceAuthFactory;
import io.leadpipe.config.Settings;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RatePolicy;
import io.leadpipe.ratelimit.RetryBackoff;
import io.leadpipe.ratelimit.WaitTimes;

import java.time.Duration;
import java.util.Map;

/**
 * The process-wide settings a run and a probe are wired from (pacing, retries, timeouts), each read and
 * checked here; a problem is one line naming the key (exit 2), before anything is opened.
 */
final class ProcessSettings {

    private final Settings settings;

    ProcessSettings(Settings settings) {
        this.settings = settings;
    }

    /** The credentials of every API, with the token endpoint's timeouts (those of every API call). */
    SourceAuthFactory credentials(Map<String, String> env) {
        settings.getInt("camel.component.http.so-timeout", 1, Integer.MAX_VALUE);
        return new SourceAuthFactory(env, Duration.ofMillis(settings.getInt("camel.component.http.connect-timeout", 1, Integer.MAX_VALUE)),
                Duration.ofMillis(settings.getInt("camel.component.http.response-timeout", 1, Integer.MAX_VALUE)),
                io.leadpipe.auth.PublicClientSeal.from(settings));
    }

    /** leadpipe.ratelimit.floor, reset-margin-ms, node-share, window-margin-ms: how every governor paces. */
    RatePolicy ratePolicy() {
        return new RatePolicy(settings.getLong("leadpipe.ratelimit.floor", 0, Long.MAX_VALUE),
                Duration.ofMillis(settings.getLong("leadpipe.ratelimit.reset-margin-ms", 0, 600_000)),
                settings.getDouble("leadpipe.ratelimit.node-share", 0.01, 1.0),
                windowMargin());
    }

    /** leadpipe.ratelimit.window-margin-ms: {@code measured} (null) or a fixed number of milliseconds. */
    private Duration windowMargin() {
        String value = settings.getText("leadpipe.ratelimit.window-margin-ms").trim();
        if (value.equals("measured")) return null;
        if (!value.matches("[0-9]{1,6}") || Long.parseLong(value) > 600_000) {
            throw settings.invalid("leadpipe.ratelimit.window-margin-ms", value, "must be measured or a number of milliseconds (0 to 600000)");
        }
        return Duration.ofMillis(Long.parseLong(value));
    }

    /** leadpipe.ratelimit.max-wait: an API asking for a longer wait stops the job (checkpointed) instead. */
    Duration maxWait() {
        String value = settings.getText("leadpipe.ratelimit.max-wait");
        Duration max = WaitTimes.parse(value);
        if (max == null || max.isZero()) throw settings.invalid("leadpipe.ratelimit.max-wait", value, "must be a duration such as 15m, 900s, 2h or 1d");
        return max;
    }

    /**
     * leadpipe.ratelimit.cluster: {@code database} keeps every key's window in the shared database, so the
     * instances on it use the whole quota together; {@code node-share} (the default: one instance changes
     * nothing) paces each instance alone, on leadpipe.ratelimit.node-share of each window.
     */
    boolean windowsSharedThroughDatabase() {
        String mode = settings.getText("leadpipe.ratelimit.cluster").trim();
        clusterBlock();
        double share = settings.getDouble("leadpipe.ratelimit.node-share", 0.01, 1.0);
        if (mode.equals("node-share")) return false;
        if (!mode.equals("database")) throw settings.invalid("leadpipe.ratelimit.cluster", mode, "must be database or node-share");
        if (share < 1.0) {
            throw settings.invalid("leadpipe.ratelimit.node-share", Double.toString(share),
                    "applies only with leadpipe.ratelimit.cluster = node-share; with database the instances share each whole window (set it back to 1.0)");
        }
        return true;
    }

    /** leadpipe.ratelimit.cluster.block: the most permits an instance takes in one transaction. */
    int clusterBlock() {
        return settings.getInt("leadpipe.ratelimit.cluster.block", 1, 1000);
    }

    /** A retry schedule from {@code <prefix>base-delay-ms, multiplier, max-delay-ms, jitter, max-retries}. */
    RetryBackoff backoff(String prefix, RateLimits rateLimits) {
        return new RetryBackoff(
                Duration.ofMillis(settings.getLong(prefix + "base-delay-ms", 0, 3_600_000)),
                settings.getDouble(prefix + "multiplier", 1.0, 100.0),
                Duration.ofMillis(settings.getLong(prefix + "max-delay-ms", 0, 86_400_000)),
                settings.getDouble(prefix + "jitter", 0.0, 10.0),
                settings.getInt(prefix + "max-retries", 0, 1000),
                rateLimits);
    }

    int jobsConcurrency() {
        return settings.getInt("leadpipe.jobs.concurrency", 1, 256);
    }

    Duration shutdownGrace() {
        return Duration.ofMillis(settings.getLong("leadpipe.shutdown.grace-ms", 0, 600_000));
    }

    boolean schedulerEnabled() {
        return settings.getBoolean("leadpipe.scheduler.enabled");
    }

    boolean sinkEnabled() {
        return settings.getBoolean("leadpipe.sink.enabled");
    }
}
