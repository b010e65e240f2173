package io.leadpipe.ratelimit;

import org.apache.camel.http.base.HttpOperationFailedException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One API's quota at run time: its key's governor (shared with every API on the same key), the Throttler
 * bucket and cap, and how its answers are read (header names, windows without a reset, slow-down rules).
 */
public final class ApiQuota {

    private final String api;
    private final RateLimitGovernor governor;
    private final QuotaSpec spec;
    private final RateLimitHeaderParser parser;
    private final Supplier<BiConsumer<String, Long>> waitListener;
    private final AnswerTime answerTime = new AnswerTime();

    /** Requests in flight per request the quota allows during one answer time: the margin for answers slower than the average. */
    static final double HEADROOM = 1.5;

    ApiQuota(String api, RateLimitGovernor governor, QuotaSpec spec, Supplier<BiConsumer<String, Long>> waitListener) {
        this.api = api;
        this.governor = governor;
        this.spec = spec;
        this.parser = new RateLimitHeaderParser(spec.headers());
        this.waitListener = waitListener;
    }

    public String api() {
        return api;
    }

    public RateLimitGovernor governor() {
        return governor;
    }

    public QuotaSpec spec() {
        return spec;
    }

    /** The Throttler's bucket: the key's governor's name, so APIs on one key share one bucket. */
    public String bucket() {
        return governor.name();
    }

    /** The Throttler's rate: the configured one, or lower when the key's 429s without quota headers taught so. */
    public int maxRequestsPerSecond() {
        return governor.learnedRate().cap(spec.maxRequestsPerSecond());
    }

    /** What the key's 429s without quota headers taught (null: nothing), for the run report. */
    public String learned() {
        return governor.learnedRate().describe(spec.maxRequestsPerSecond());
    }

    /** Waits out a retry's delay ({@code retryAt}, may be null), then for the governor. Returns the permit's moment. */
    public Instant acquire(String jobId, Instant retryAt) throws InterruptedException {
        if (retryAt != null) governor.pause(Duration.between(Instant.now(), retryAt));
        return governor.acquire(jobId);
    }

    /** A request went on the wire {@code nanos} ago and its 2xx answer is here: the API's answer time. */
    public void answered(long nanos) {
        answerTime.answered(nanos);
    }

    /** A request's 2xx answer came {@code nanos} after the governor let it through (every wait after the permit in it). */
    public void answeredSincePermit(long nanos) {
        governor.answeredSincePermit(nanos);
    }

    /**
     * Requests of this API to keep in flight so that its quota, not its answer time, sets the pace (concurrency =
     * auto): the rate the quota allows (the key's window, or the Throttler's cap when tighter or the only one
     * known) × the average answer time × {@link #HEADROOM}; at least 1, at most {@code max}. At a low answer time
     * that is 1: one request at a time already uses the whole quota.
     */
    public int inFlightNeeded(int max) {
        double seconds = answerTime.seconds();
        if (Double.isNaN(seconds)) return 1; // no answer yet: nothing says more are needed
        double rate = maxRequestsPerSecond();
        Double allowed = governor.allowedRate();
        if (allowed != null) rate = Math.min(rate, allowed);
        long needed = (long) Math.ceil(rate * seconds * HEADROOM);
        return (int) Math.max(1, Math.min(max, needed));
    }

    /** The average answer time in milliseconds (NaN: no answer yet), for the run report. */
    public double answerMillis() {
        return answerTime.seconds() * 1000.0;
    }

    /** After a 2xx: what its headers say of the quota. */
    public void observe(Function<String, String> header) {
        observe(header, null);
    }

    /** After a 2xx to the request permitted at {@code permittedAt} (null: not known): what its headers say of the quota. */
    public void observe(Function<String, String> header, Instant permittedAt) {
        governor.observe(parser.parse(header, Instant.now()), permittedAt);
        if (!spec.windows().isEmpty()) governor.observeWindows(spec.windows().read(header), permittedAt);
        governor.learnedRate().accepted(spec.maxRequestsPerSecond());
    }

    /** The API asked for a wait longer than max-wait: no request on the key goes out before it ends. */
    public void holdUntil(Duration wait) {
        governor.rejected(wait, true, null); // what asked for it was recorded when the answer was observed
    }

    /** A wait the governor did not make itself (a redelivery delay after a 429), for the same accounting. */
    public void waited(long millis) {
        waitListener.get().accept(governor.name(), millis);
    }

    /** The answer means "slow down": a 429, or one of the API's rate-limit rules. */
    public boolean slowDown(HttpOperationFailedException http) {
        return http.getStatusCode() == 429 || rule(http).isPresent();
    }

    /** The answer is one of the API's rate-limit rules (not a 429): for the retry's log line. */
    public boolean recognised(HttpOperationFailedException failure) {
        return failure.getStatusCode() != 429 && rule(failure).isPresent();
    }

    private Optional<RateLimitRules.Rule> rule(HttpOperationFailedException failure) {
        if (spec.rules().isEmpty()) return Optional.empty();
        Map<String, String> headers = caseless(failure.getResponseHeaders());
        return spec.rules().match(failure.getStatusCode(), headers::get, failure.getResponseBody());
    }

    /**
     * After a failed answer to the request permitted at {@code permittedAt} (null: not known): learn from its headers
     * too, and on a 429 (or a rule's match) hold the key until Retry-After, the rule's wait or the reset. Returns the
     * wait the server asked for, if any.
     */
    public Optional<Duration> observeFailure(HttpOperationFailedException failure, Instant permittedAt) {
        Map<String, String> headers = caseless(failure.getResponseHeaders());
        Instant now = Instant.now();
        RateLimitSnapshot snapshot = parser.parse(headers::get, now);
        // matched to its own request, as a 2xx is: a rolling window frees that one, a reset rounded up from the window before is known
        governor.observe(snapshot, permittedAt);
        List<QuotaWindows.Reading> windowReadings = spec.windows().isEmpty() ? List.of() : spec.windows().read(headers::get);
        Optional<Duration> retryAfter = parser.retryAfter(headers::get, now);
        // Retry-After wins: a 429's "0 left" in a window of unknown size would otherwise hold the key a whole
        // window (Dataverse: 5 minutes) where the API asked for one second
        if (!windowReadings.isEmpty() && !(failure.getStatusCode() == 429 && retryAfter.isPresent())) governor.observeWindows(windowReadings, permittedAt);
        // a 429 that says nothing of the quota: only the rate the API accepted until now tells how fast to go
        if (failure.getStatusCode() == 429 && snapshot.isEmpty() && windowReadings.isEmpty()) governor.learnedRate().refused(spec.maxRequestsPerSecond());
        Optional<RateLimitRules.Rule> rule = failure.getStatusCode() == 429 ? Optional.empty() : rule(failure);
        if (rule.isPresent()) {
            // a recognised "slow down": the key is held for the wait the rule names, like a 429's Retry-After
            Optional<Duration> wait = RateLimitRules.waitFor(rule.get(), snapshot, retryAfter, now);
            governor.rejected(wait.orElse(null), snapshot.remaining() != null && snapshot.remaining() > 0,
                    "its HTTP " + failure.getStatusCode() + " matched the rate-limit rule '" + rule.get().text() + "', which");
            return wait;
        }
        if (failure.getStatusCode() == 429) governor.rejected(retryAfter.orElse(null), snapshot.remaining() != null);
        return retryAfter;
    }

    /** What one answer says about the quota, read as a pull would read it, recording nothing (for `probe`). */
    public QuotaReading read(Map<String, String> answerHeaders, int status, String body) {
        Map<String, String> h = caseless(answerHeaders);
        Instant now = Instant.now();
        RateLimitHeaderParser.Reading reading = parser.read(h::get, now);
        QuotaWindows windows = spec.windows();
        RateLimitRules rules = spec.rules();
        Optional<Duration> retryAfter = parser.retryAfter(h::get, now);
        Optional<RateLimitRules.Rule> rule = status == 429 || status < 400 ? Optional.empty() : rules.match(status, h::get, body);
        Optional<Duration> wait = rule.isPresent() ? RateLimitRules.waitFor(rule.get(), reading.snapshot(), retryAfter, now)
                : status == 429 ? retryAfter : Optional.empty();
        Set<String> known = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        known.addAll(parser.names().all());
        known.addAll(windows.headerNames());
        List<String> unread = h.keySet().stream().filter(n -> !known.contains(n) && QuotaReading.LOOKS_LIKE_QUOTA.matcher(n).find()).toList();
        return new QuotaReading(now, reading.snapshot(), reading.style(), windows.names(), windows.read(h::get), retryAfter,
                rule.map(RateLimitRules.Rule::text), wait, rules.texts(), unread);
    }

    private static Map<String, String> caseless(Map<String, String> headers) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) h.putAll(headers);
        return h;
    }
}
