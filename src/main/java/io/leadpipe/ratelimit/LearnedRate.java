package io.leadpipe.ratelimit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The rate an API that announces no quota (Stripe) really accepts on one key, learned from its 429s for the
 * rest of the process: a 429 without quota headers cuts the rate to below what the API accepted in the second
 * before (multiplicative decrease); every {@link #STEP} of accepted answers adds a little back (additive
 * increase), never past the configured rate. So a configured rate above the account's limit costs about one
 * 429, not one per window.
 */
public final class LearnedRate {

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.ratelimit");

    /** After a 429, the rate is this share of what the API accepted in the second before it. */
    static final double DECREASE = 0.75;
    /** How long answers must keep being accepted before the rate creeps up one step. */
    static final Duration STEP = Duration.ofSeconds(10);
    /** 429s this soon after a cut answer requests sent before it took effect: they cut nothing more. */
    static final Duration SAME_BURST = Duration.ofSeconds(1);

    private final String key;
    private final Clock clock;
    private final ArrayDeque<Instant> acceptedLastSecond = new ArrayDeque<>();
    private Integer rate;        // null: nothing learned, the configured rate applies
    private int refusedAt;       // what the API accepted per second when it last refused
    private Instant changedAt;   // the last cut or step up
    private Instant lastCut;
    private int refusals;

    public LearnedRate(String key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** An answer the API accepted: counted, and after a calm {@link #STEP} the rate creeps up a step. */
    public synchronized void accepted(int configured) {
        Instant now = clock.instant();
        acceptedLastSecond.addLast(now);
        while (acceptedLastSecond.size() > 1 && !acceptedLastSecond.peekFirst().isAfter(now.minusSeconds(1))) acceptedLastSecond.pollFirst();
        if (rate == null || rate >= configured || now.isBefore(changedAt.plus(STEP))) return;
        // a twentieth of the rate refused last, at least one request per second
        rate = Math.min(configured, rate + Math.max(1, refusedAt / 20));
        changedAt = now;
        LOG.info("rate limit [{}]: every request accepted for {} s — now up to {} requests/s", key, STEP.toSeconds(), rate);
    }

    /** A 429 that announced no quota: the rate drops below what the API accepted in the second before it. */
    public synchronized void refused(int configured) {
        Instant now = clock.instant();
        if (lastCut != null && now.isBefore(lastCut.plus(SAME_BURST))) return;
        int current = rate == null ? configured : rate;
        long acceptedSince = acceptedLastSecond.stream().filter(t -> t.isAfter(now.minusSeconds(1))).count();
        // fewer than two accepted in the second before: no rate of ours was refused (the key was spent elsewhere,
        // e.g. a first call into a service-protection window) — its Retry-After pauses; cutting to 1/s made a
        // 300-call delivery take 5 minutes
        if (acceptedSince < 2) return;
        int accepted = (int) Math.max(1, Math.min(current, acceptedSince));
        refusedAt = accepted;
        // strictly below what was accepted (at small rates a quarter rounds to nothing), at least 1 request per second
        rate = (int) Math.max(1, Math.min(accepted - 1, Math.round(accepted * DECREASE)));
        changedAt = now;
        lastCut = now;
        refusals++;
        LOG.info("rate limit [{}]: a 429 without quota headers after {} requests accepted in a second — {} requests/s from now on (configured {})",
                key, accepted, rate, configured);
    }

    /** The requests per second to allow: the learned rate, never above the configured one. */
    public synchronized int cap(int configured) {
        return rate == null ? configured : Math.min(configured, rate);
    }

    /** For the run report: null when nothing was learned. */
    public synchronized String describe(int configured) {
        if (rate == null) return null;
        return rate + " requests/s (configured " + configured + "; the API refused at " + refusedAt + "/s, "
                + refusals + (refusals == 1 ? " 429" : " × 429") + " without quota headers)";
    }

    public synchronized Integer rate() {
        return rate;
    }

    public synchronized int refusals() {
        return refusals;
    }
}
