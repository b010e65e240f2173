package io.leadpipe.ratelimit;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The pacing step of every API call (bean {@code rateLimits}): one governor per API key, shared by the APIs
 * configured with the same key, and each API's {@link ApiQuota}, found by the exchange's {@code source}
 * variable. Called from the routes: {@code acquire} before each request, {@code observe} after each answer,
 * {@code slowDown} by the error handling.
 */
public final class RateLimits {

    /** The exchange variable holding when a retry may go (set by RetryBackoff, waited out by acquire). */
    public static final String RETRY_NOT_BEFORE = "retryNotBefore";

    private final Map<String, ApiQuota> quotaByApi = new ConcurrentHashMap<>();
    private final Map<String, RateLimitGovernor> governorByKey = new ConcurrentHashMap<>();
    private SharedWindowStore sharedWindows;
    private int sharedBlock;
    private volatile BiConsumer<String, Long> waitListener = (key, millis) -> { };
    private volatile Duration maxWait; // null: unbounded

    /**
     * leadpipe.ratelimit.cluster = database: the governors made from now on keep their key's window in
     * {@code store}, shared with every instance on the database, taking at most {@code block} permits at a time.
     */
    public void shareWindows(SharedWindowStore store, int block) {
        this.sharedWindows = store;
        this.sharedBlock = block;
    }

    /**
     * An API's quota, on its key's governor (made by the first API to register the key, and named after it).
     *
     * @param keyIdentity something equal for equal keys (the key itself is fine: it is only a map key here, never logged)
     */
    public ApiQuota register(String api, Object keyIdentity, QuotaSpec spec, RatePolicy policy) {
        RateLimitGovernor g = governorByKey.computeIfAbsent(keyIdentity.toString(), k -> {
            RateLimitGovernor made = new RateLimitGovernor(api, policy.floor(), policy.resetMargin(), policy.nodeShare()).maxWait(maxWait)
                    .windowMargin(policy.windowMargin());
            // the row is found by a digest of the key's identity: the key is never stored
            if (sharedWindows != null) made.shareWindow(sharedWindows, io.leadpipe.encoding.Sha256.hex("rate-limit-window\n" + k), sharedBlock);
            return made;
        });
        g.onWait(waitListener);
        ApiQuota quota = new ApiQuota(api, g, spec, () -> waitListener);
        quotaByApi.put(api, quota);
        return quota;
    }

    /** An API that announces its quota in the common headers only. */
    public ApiQuota register(String api, Object keyIdentity, RateLimitHeaderNames names, long floor, Duration resetMargin, int maxRequestsPerSecond) {
        return register(api, keyIdentity, new QuotaSpec(names, QuotaWindows.none(), RateLimitRules.none(), maxRequestsPerSecond),
                new RatePolicy(floor, resetMargin, 1.0));
    }

    /** leadpipe.ratelimit.max-wait: the longest wait made for any key; a longer one stops the job. */
    public RateLimits maxWait(Duration max) {
        this.maxWait = max;
        governorByKey.values().forEach(g -> g.maxWait(max));
        return this;
    }

    public Duration maxWait() {
        return maxWait;
    }

    /** Told of every pause (API key name, milliseconds), for the metrics. */
    public void onWait(BiConsumer<String, Long> listener) {
        this.waitListener = listener;
        governorByKey.values().forEach(g -> g.onWait(listener));
    }

    public Collection<RateLimitGovernor> governors() {
        return Set.copyOf(governorByKey.values());
    }

    public RateLimitGovernor governorOrNull(String api) {
        ApiQuota q = quotaByApi.get(api);
        return q == null ? null : q.governor();
    }

    public RateLimitGovernor governor(String api) {
        return quota(api).governor();
    }

    public ApiQuota quota(String api) {
        ApiQuota q = api == null ? null : quotaByApi.get(api);
        if (q == null) throw new IllegalStateException("no rate governor for source '" + api + "'");
        return q;
    }

    /** What the source's key learned from 429s without quota headers (null: nothing, or no such source), for the run report. */
    public String learned(String api) {
        ApiQuota q = api == null ? null : quotaByApi.get(api);
        return q == null ? null : q.learned();
    }

    /** A shutdown signal: every governor's waits end now, and no request starts a new one. */
    public void stop() {
        governorByKey.values().forEach(RateLimitGovernor::stop);
    }

    /**
     * Before a request: sets the Throttler's bucket and rate, waits out a retry's delay, then waits for the
     * governor. Both waits end at once on a shutdown signal ({@link #stop()}).
     */
    public void acquire(Exchange exchange) throws InterruptedException {
        ApiQuota q = quota(source(exchange));
        exchange.setVariable("rateBucket", q.bucket());
        exchange.setVariable("maxRequestsPerSecond", q.maxRequestsPerSecond());
        Instant retryAt = exchange.getVariable(RETRY_NOT_BEFORE, Instant.class);
        if (retryAt != null) exchange.removeVariable(RETRY_NOT_BEFORE);
        exchange.setVariable(PERMIT, q.acquire(exchange.getVariable("jobId", String.class), retryAt));
        exchange.setVariable(PERMITTED_AT, System.nanoTime());
    }

    /** The source an exchange's request goes to: the variable its route sets before the pacing step. */
    private static String source(Exchange exchange) {
        return exchange.getVariable("source", String.class);
    }

    /** The exchange variable holding the governor's moment of the permit (its answer hands it back: which request it answers). */
    private static final String PERMIT = "permit";

    /** The exchange variable holding when the governor let the request through (System.nanoTime), set by {@link #acquire}. */
    static final String PERMITTED_AT = "permittedAt";

    /** The exchange variable holding when the request went on the wire (System.nanoTime), set by {@link #sending}. */
    static final String SENT_AT = "sentAt";

    /** The request goes on the wire now: its answer time is counted from here, after every pacing wait. */
    public void sending(Exchange exchange) {
        exchange.setVariable(SENT_AT, System.nanoTime());
    }

    /** After a 2xx: the quota headers are message headers now; the answer time is the API's. */
    public void observe(Exchange exchange) {
        ApiQuota q = quota(source(exchange));
        long now = System.nanoTime();
        Long sentAt = exchange.getVariable(SENT_AT, Long.class);
        if (sentAt != null) q.answered(now - sentAt);
        // the request was counted by the API before this answer: windows without a reset keep ours that long (Transit)
        Long permittedAt = exchange.getVariable(PERMITTED_AT, Long.class);
        if (permittedAt != null) q.answeredSincePermit(now - permittedAt);
        q.observe(name -> exchange.getMessage().getHeader(name, String.class), exchange.getVariable(PERMIT, Instant.class));
    }

    /**
     * The answer means "slow down": a 429, or an answer a rate-limit rule of the source recognises (GitHub's
     * 403 with X-RateLimit-Remaining: 0 or Retry-After, Salesforce's 403 REQUEST_LIMIT_EXCEEDED). For the
     * routes' error handling (routes/errors.yaml): such answers are waited out, every other 4xx fails at once.
     */
    public boolean slowDown(Exchange exchange) {
        Throwable t = exchange.getException();
        if (t == null) t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (!(t instanceof HttpOperationFailedException http)) return false;
        if (http.getStatusCode() == 429) return true;
        ApiQuota q = quotaByApi.get(String.valueOf(source(exchange)));
        return q != null && q.slowDown(http);
    }

    /** The answer is one of the source's rate-limit rules (not a 429): for the retry's log line. */
    public boolean recognised(String api, HttpOperationFailedException failure) {
        ApiQuota q = api == null ? null : quotaByApi.get(api);
        return q != null && q.recognised(failure);
    }

    /**
     * After a failed answer to the exchange's request on its source's key: see {@link ApiQuota#observeFailure}. Matched
     * to that request by the permit its pacing step set, as {@link #observe(Exchange)} matches a 2xx.
     */
    public Optional<Duration> observeFailure(Exchange exchange, HttpOperationFailedException failure) {
        return quota(source(exchange)).observeFailure(failure, exchange.getVariable(PERMIT, Instant.class));
    }

    /** The API asked for a wait longer than max-wait: no request on its key goes out before it ends. */
    public void holdUntil(String api, Duration wait) {
        ApiQuota q = quotaByApi.get(api);
        if (q != null) q.holdUntil(wait);
    }

    /** A wait the governor did not make itself (a redelivery delay after a 429), for the same accounting. */
    public void waited(String api, long millis) {
        ApiQuota q = quotaByApi.get(api);
        if (q != null) q.waited(millis);
    }
}
