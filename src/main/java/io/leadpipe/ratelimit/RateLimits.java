package io.leadpipe.ratelimit;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The governors of all sources, one per API key: sources configured with the same key share one.
 * Called from the routes: {@code acquire} before each request, {@code observe} after each answer.
 */
public final class RateLimits {

    private final Map<String, RateLimitGovernor> governorBySource = new ConcurrentHashMap<>();
    private final Map<String, RateLimitHeaderParser> parserBySource = new ConcurrentHashMap<>();
    private final Map<String, String> bucketBySource = new ConcurrentHashMap<>();
    private final Map<String, Integer> maxPerSecondBySource = new ConcurrentHashMap<>();
    private final Map<String, RateLimitGovernor> governorByKey = new ConcurrentHashMap<>();
    private final Map<String, QuotaWindows> windowsBySource = new ConcurrentHashMap<>();
    private final Map<String, RateLimitRules> rulesBySource = new ConcurrentHashMap<>();

    private SharedWindowStore sharedWindows;
    private int sharedBlock;

    /**
     * leadpipe.ratelimit.cluster = database: the governors registered from now on keep their key's window in
     * {@code store}, shared with every instance on the database, taking at most {@code block} permits at a time.
     */
    public void shareWindows(SharedWindowStore store, int block) {
        this.sharedWindows = store;
        this.sharedBlock = block;
    }

    /**
     * @param keyIdentity something equal for equal keys (the key itself is fine: it is only a map key here,
     *                    never logged); the first source to register a key names its governor
     */
    public void register(String source, Object keyIdentity, RateLimitHeaderNames names, long floor, Duration resetMargin, int maxRequestsPerSecond) {
        register(source, keyIdentity, names, floor, resetMargin, 1.0, maxRequestsPerSecond);
    }

    public void register(String source, Object keyIdentity, RateLimitHeaderNames names, long floor, Duration resetMargin, double nodeShare, int maxRequestsPerSecond) {
        RateLimitGovernor g = governorByKey.computeIfAbsent(keyIdentity.toString(), k -> {
            RateLimitGovernor made = new RateLimitGovernor(source, floor, resetMargin, nodeShare).maxWait(maxWait);
            // the row is found by a digest of the key's identity: the key is never stored
            if (sharedWindows != null) made.shareWindow(sharedWindows, io.leadpipe.encoding.Sha256.hex("rate-limit-window\n" + k), sharedBlock);
            return made;
        });
        g.onWait(waitListener);
        governorBySource.put(source, g);
        bucketBySource.put(source, g.name());
        parserBySource.put(source, new RateLimitHeaderParser(names));
        maxPerSecondBySource.put(source, maxRequestsPerSecond);
    }

    /**
     * The source's quota signals beyond X-RateLimit and IETF: windows without a reset time, and the answers
     * besides 429 that mean "slow down" (leadpipe.source.<name>.quota.*, .rate-limit-rules).
     */
    public void signals(String source, QuotaWindows windows, RateLimitRules rules) {
        windowsBySource.put(source, windows);
        rulesBySource.put(source, rules);
    }

    private volatile java.util.function.BiConsumer<String, Long> waitListener = (key, millis) -> { };
    private volatile Duration maxWait; // null: unbounded

    /** leadpipe.ratelimit.max-wait: the longest wait made for any key; a longer one stops the job. */
    public RateLimits maxWait(Duration max) {
        this.maxWait = max;
        governorByKey.values().forEach(g -> g.maxWait(max));
        return this;
    }

    public Duration maxWait() {
        return maxWait;
    }

    /** The API asked for a wait longer than max-wait: no request on the source's key goes out before {@code until}. */
    public void holdUntil(String source, Duration wait) {
        RateLimitGovernor g = governorBySource.get(source);
        if (g != null) g.rejected(wait, true, null); // what asked for it was recorded when the answer was observed
    }

    /** Told of every pause (API key name, milliseconds), for the metrics. */
    public void onWait(java.util.function.BiConsumer<String, Long> listener) {
        this.waitListener = listener;
        governorByKey.values().forEach(g -> g.onWait(listener));
    }

    /** A wait the governor did not make itself (a redelivery delay after a 429), for the same accounting. */
    public void waited(String source, long millis) {
        RateLimitGovernor g = governorBySource.get(source);
        if (g != null) waitListener.accept(g.name(), millis);
    }

    public java.util.Collection<RateLimitGovernor> governors() {
        return java.util.Set.copyOf(governorByKey.values());
    }

    public RateLimitGovernor governorOrNull(String source) {
        return governorBySource.get(source);
    }

    public RateLimitGovernor governor(String source) {
        RateLimitGovernor g = governorBySource.get(source);
        if (g == null) throw new IllegalStateException("no rate governor for source '" + source + "'");
        return g;
    }

    /** The exchange variable holding when a retry may go (set by RetryBackoff, waited out by acquire). */
    public static final String RETRY_NOT_BEFORE = "retryNotBefore";

    /**
     * Before a request: sets the Throttler's bucket and rate, waits out a retry's delay, then waits for the
     * governor. Both waits end at once on a shutdown signal ({@link #stop()}).
     */
    public void acquire(Exchange exchange) throws InterruptedException {
        String source = exchange.getVariable("source", String.class);
        exchange.setVariable("rateBucket", bucketBySource.get(source));
        exchange.setVariable("maxRequestsPerSecond", maxPerSecondBySource.get(source));
        RateLimitGovernor g = governor(source);
        Instant retryAt = exchange.getVariable(RETRY_NOT_BEFORE, Instant.class);
        if (retryAt != null) {
            exchange.removeVariable(RETRY_NOT_BEFORE);
            g.pause(Duration.between(Instant.now(), retryAt));
        }
        g.acquire(exchange.getVariable("jobId", String.class));
    }

    /** A shutdown signal: every governor's waits end now, and no request starts a new one. */
    public void stop() {
        governorByKey.values().forEach(RateLimitGovernor::stop);
    }

    /** After a 2xx: the quota headers are message headers now. */
    public void observe(Exchange exchange) {
        String source = exchange.getVariable("source", String.class);
        Function<String, String> header = name -> exchange.getMessage().getHeader(name, String.class);
        RateLimitGovernor g = governor(source);
        g.observe(parserBySource.get(source).parse(header, Instant.now()));
        QuotaWindows windows = windowsBySource.get(source);
        if (windows != null && !windows.isEmpty()) g.observeWindows(windows.read(header));
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
        return http.getStatusCode() == 429 || rule(exchange.getVariable("source", String.class), http).isPresent();
    }

    /** The answer is one of the source's rate-limit rules (not a 429): for the retry's log line. */
    public boolean recognised(String source, HttpOperationFailedException failure) {
        return failure.getStatusCode() != 429 && rule(source, failure).isPresent();
    }

    private Optional<RateLimitRules.Rule> rule(String source, HttpOperationFailedException failure) {
        RateLimitRules rules = source == null ? null : rulesBySource.get(source);
        if (rules == null || rules.isEmpty()) return Optional.empty();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (failure.getResponseHeaders() != null) headers.putAll(failure.getResponseHeaders());
        return rules.match(failure.getStatusCode(), headers::get, failure.getResponseBody());
    }

    /**
     * What one answer says about the source's quota, read as a pull would read it, recording nothing (for
     * `probe`). {@code headers}: the answer's headers, any case.
     */
    public QuotaReading read(String source, Map<String, String> headers, int status, String body) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        Instant now = Instant.now();
        RateLimitHeaderParser parser = parserBySource.get(source);
        if (parser == null) throw new IllegalStateException("no rate governor for source '" + source + "'");
        RateLimitHeaderParser.Reading reading = parser.read(h::get, now);
        QuotaWindows windows = windowsBySource.getOrDefault(source, QuotaWindows.none());
        RateLimitRules rules = rulesBySource.getOrDefault(source, RateLimitRules.none());
        Optional<Duration> retryAfter = parser.retryAfter(h::get, now);
        Optional<RateLimitRules.Rule> rule = status == 429 || status < 400 ? Optional.empty() : rules.match(status, h::get, body);
        Optional<Duration> wait = rule.isPresent() ? RateLimitRules.waitFor(rule.get(), reading.snapshot(), retryAfter, now)
                : status == 429 ? retryAfter : Optional.empty();
        java.util.Set<String> known = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        known.addAll(parser.names().all());
        known.addAll(windows.headerNames());
        java.util.List<String> unread = h.keySet().stream().filter(n -> !known.contains(n) && QuotaReading.LOOKS_LIKE_QUOTA.matcher(n).find()).toList();
        return new QuotaReading(now, reading.snapshot(), reading.style(), windows.names(), windows.read(h::get), retryAfter,
                rule.map(RateLimitRules.Rule::text), wait, rules.texts(), unread);
    }

    /**
     * After a failed answer: learn from its headers too, and on a 429 hold the key until Retry-After (or the
     * reset). Returns the Retry-After the server asked for, if any.
     */
    public Optional<Duration> observeFailure(String source, HttpOperationFailedException failure) {
        RateLimitGovernor g = governor(source);
        RateLimitHeaderParser parser = parserBySource.get(source);
        Map<String, String> raw = failure.getResponseHeaders() == null ? Map.of() : failure.getResponseHeaders();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(raw);
        Instant now = Instant.now();
        RateLimitSnapshot snapshot = parser.parse(headers::get, now);
        g.observe(snapshot);
        QuotaWindows windows = windowsBySource.get(source);
        if (windows != null && !windows.isEmpty()) g.observeWindows(windows.read(headers::get));
        Optional<Duration> retryAfter = parser.retryAfter(headers::get, now);
        Optional<RateLimitRules.Rule> rule = failure.getStatusCode() == 429 ? Optional.empty() : rule(source, failure);
        if (rule.isPresent()) {
            // a recognised "slow down": the key is held for the wait the rule names, like a 429's Retry-After
            Optional<Duration> wait = RateLimitRules.waitFor(rule.get(), snapshot, retryAfter, now);
            g.rejected(wait.orElse(null), snapshot.remaining() != null && snapshot.remaining() > 0,
                    "its HTTP " + failure.getStatusCode() + " matched the rate-limit rule '" + rule.get().text() + "', which");
            return wait;
        }
        if (failure.getStatusCode() == 429) {
            g.rejected(retryAfter.orElse(null), snapshot.remaining() != null);
        }
        return retryAfter;
    }
}
