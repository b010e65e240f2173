package io.leadpipe.ratelimit;

import io.leadpipe.secrets.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Runs when a retryable attempt fails, before Camel redelivers: picks the delay of the next attempt,
 * which the attempt's pacing step waits out (so a shutdown can cut it short). Retry-After wins; otherwise
 * base × multiplier^(retry-1) plus a random jitter of up to jitter × that (never less), capped.
 * Camel's own collisionAvoidance would jitter by exactly ±factor, which can shorten the wait.
 */
public final class RetryBackoff implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.retry");

    private final Duration base;
    private final double multiplier;
    private final Duration cap;
    private final double jitter;
    private final int maxRetries;
    private final RateLimits rateLimits;
    private final DoubleSupplier random;
    private volatile java.util.function.Consumer<String> onRetry = job -> { };

    /** Told of every retry (the job's name), for counts and metrics. */
    public RetryBackoff onRetry(java.util.function.Consumer<String> listener) {
        this.onRetry = listener;
        return this;
    }

    public RetryBackoff(Duration base, double multiplier, Duration cap, double jitter, int maxRetries, RateLimits rateLimits, DoubleSupplier random) {
        this.base = base;
        this.multiplier = multiplier;
        this.cap = cap;
        this.jitter = jitter;
        this.maxRetries = maxRetries;
        this.rateLimits = rateLimits;
        this.random = random;
    }

    public RetryBackoff(Duration base, double multiplier, Duration cap, double jitter, int maxRetries, RateLimits rateLimits) {
        this(base, multiplier, cap, jitter, maxRetries, rateLimits, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The policy in one line (for `probe`). */
    public String describe() {
        return "429, 500, 502, 503, 504, timeouts and dropped connections: up to " + maxRetries + " retries, "
                + base.toMillis() + " ms × " + multiplier + " per retry (at most " + cap.toMillis() + " ms) plus up to "
                + Math.round(jitter * 100) + "% jitter; a Retry-After wins";
    }

    /** The wait before retry number {@code retry} (1-based) when the server did not say; never above the cap. */
    public Duration computed(int retry) {
        double ms = base.toMillis() * Math.pow(multiplier, Math.max(0, retry - 1));
        ms *= 1 + jitter * random.getAsDouble();
        return Duration.ofMillis(Math.round(Math.min(ms, cap.toMillis())));
    }

    @Override
    public void process(Exchange exchange) {
        Throwable cause = exchange.getException();
        if (cause == null) cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        // the pacing step refused a wait past max-wait: nothing to retry (Camel keeps the earlier HTTP failure as suppressed)
        if (cause instanceof WaitTooLongException) return;
        // Camel has already counted the coming redelivery when this runs: 1 after the first failure
        int retry = Math.max(1, exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class));
        String source = exchange.getVariable("source", String.class);
        Optional<Duration> retryAfter = Optional.empty();
        // this attempt's own failure only: exchange.getException(type) also finds an earlier attempt's, kept as suppressed
        HttpOperationFailedException http = httpFailure(cause);
        if (http != null && source != null) retryAfter = rateLimits.observeFailure(exchange, http);

        String what = http != null ? "HTTP " + http.getStatusCode() : Secrets.rootCauseLine(cause);
        String job = exchange.getVariable("jobId", String.class);
        // a parallel page names itself (variable.plannedPage); else the page after the pull's checkpoint
        Object at = exchange.getVariable("plannedPage") != null ? exchange.getVariable("plannedPage") : exchange.getVariable("pull");
        int nextPage = at instanceof io.leadpipe.paging.PullPosition pull ? pull.pageNo() + 1 : 1;
        if (retry > maxRetries) {
            LOG.warn("job={} page={} attempt {} failed ({}); no retries left", job, nextPage, retry, what);
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
            return;
        }
        Duration delay = retryAfter.orElseGet(() -> computed(retry));
        String askedBy = http != null && source != null && rateLimits.recognised(source, http) ? "its rate-limit rule" : "Retry-After";
        Duration max = rateLimits.maxWait();
        if (max != null && retryAfter.isPresent() && delay.compareTo(max) > 0 && source != null) {
            // too long to wait in-process: the key is held until then, so the next attempt's pacing step
            // stops the job (WaitTooLongException, not retried) before any request goes out
            rateLimits.holdUntil(source, delay);
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, 0L);
            LOG.warn("job={} page={} attempt {} failed ({}); the API asks to come back at {} ({}), longer than max-wait {}: stopping",
                    job, nextPage, retry, what, WaitTimes.fullDate(WaitTimes.after(java.time.Instant.now(), delay)), askedBy, WaitTimes.human(max));
            return;
        }
        // the delay is waited out by the pacing step of the next attempt (RateLimits.acquire), not by Camel's
        // redelivery sleep: a shutdown signal then ends it at once instead of after minutes
        exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, 0L);
        exchange.setVariable(RateLimits.RETRY_NOT_BEFORE, java.time.Instant.now().plus(delay));
        if (http != null && source != null && (http.getStatusCode() == 429 || !"Retry-After".equals(askedBy))) rateLimits.waited(source, delay.toMillis()); // quota waits, for the metrics
        exchange.setVariable("retries", exchange.getVariable("retries", 0, Integer.class) + 1);
        onRetry.accept(job);
        java.time.Instant now = java.time.Instant.now();
        String until = delay.compareTo(Duration.ofMinutes(1)) > 0 ? ", until " + WaitTimes.until(now, WaitTimes.after(now, delay)) : "";
        LOG.warn("job={} page={} attempt {} failed ({}); retry {} of {} in {}{}{}", job, nextPage, retry, what, retry, maxRetries,
                WaitTimes.human(delay), until, retryAfter.isPresent() ? " (" + askedBy + ")" : "");
    }

    private static HttpOperationFailedException httpFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof HttpOperationFailedException http) return http;
        }
        return null;
    }
}
