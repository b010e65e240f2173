package io.leadpipe.ratelimit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One API key's quota, shared by every job and thread that uses the key. It learns limit, remaining and
 * reset from every response, counts the requests it let through since, and before each request waits
 * until the reset when what is left is at or below the floor — so the API never has to say 429.
 */
public final class RateLimitGovernor {

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.ratelimit");

    /** Sleeping is behind an interface so tests can observe it. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final String name;
    private final long floor;
    private final Duration resetMargin;
    private final Clock clock;
    private final Sleeper sleeper; // null: sleep until the time or a stop
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    private final double nodeShare;
    private long sentInWindow;     // what this instance sent since the current window began
    private Long limit;
    private Long remaining;        // our estimate: the last answer minus what we sent since
    private Long saidInWindow;     // the lowest remaining an answer said in the current window
    private Instant resetAt;       // when the current window refills, on our clock
    private Duration windowLength; // from one reset to the next, as the answers showed (null: not seen yet)
    private Instant lastReset;     // the reset of the window before the current one
    private boolean resetGuessed;  // resetAt is the expected end (a node share's), not yet an answer's
    private boolean resetLatest;   // resetAt is the earliest of answers' resets rounded up: the window ends by then, no margin due
    /** How soon a used window (or node share) looks again when the new window's end is not known yet (its first answer will say). */
    private static final Duration SHARE_RECHECK = Duration.ofMillis(50);
    /**
     * How long a used window (or node share) waits at least for a window whose end no answer has named — twice the key's
     * longest recent answer when that is longer (the API may be down, and a request that never gets an answer must
     * still fail, not wait): then requests go out until an answer comes.
     */
    private static final Duration UNNAMED_WINDOW_HOLD = Duration.ofSeconds(2);
    private Instant windowStartedAt; // when the current window began here (its refill, or the first request)
    private long carriedShownOld;    // requests let through within the margin before the current window's end whose answers showed them counted in it
    private boolean refusedUnnamed;  // a 429 that said nothing came in the refilled window before its first answer: no place is given back
    private Instant pausedUntil;   // Retry-After from a 429 holds every request on this key
    private String pauseReason = "its Retry-After";
    private Instant loggedPause;
    private long waits;
    private final java.util.Map<String, RollingWindow> windows = new java.util.LinkedHashMap<>();
    private volatile java.util.function.BiConsumer<String, Long> waitListener = (key, millis) -> { };
    private long waitedMillis;
    private volatile Duration maxWait; // null: unbounded
    /**
     * When the recent requests were let through (the last few windows' worth, bounded): with requests in flight,
     * an API's window holds requests whose answers have not come back yet, so a new window is started from what
     * the API said less what we sent into it since its start (slices, parallel pages).
     */
    private final java.util.ArrayDeque<Instant> released = new java.util.ArrayDeque<>();
    private volatile SharedQuota shared; // null: this instance paces alone (or with its node share)
    private Double windowRate; // requests per second the window allows, as last worked out (allowedRate)
    private final LearnedRate learnedRate; // for APIs that announce no quota: the rate their 429s taught
    private volatile Transit transit; // how late after its permit a request may be counted: windows without a reset keep ours that much longer

    /** A wait longer than this is not made: acquire throws {@link WaitTooLongException} instead. */
    public RateLimitGovernor maxWait(Duration max) {
        this.maxWait = max;
        return this;
    }

    public RateLimitGovernor(String name, long floor, Duration resetMargin, Clock clock, Sleeper sleeper) {
        this(name, floor, resetMargin, 1.0, clock, sleeper);
    }

    /**
     * @param nodeShare the share of each window's quota this instance may use (1.0 alone; 1/N for N
     *                  instances on one key, so together they never exceed the limit whatever they last saw)
     */
    public RateLimitGovernor(String name, long floor, Duration resetMargin, double nodeShare, Clock clock, Sleeper sleeper) {
        this.nodeShare = nodeShare;
        this.name = name;
        this.floor = floor;
        this.resetMargin = resetMargin;
        this.clock = clock;
        this.sleeper = sleeper;
        this.learnedRate = new LearnedRate(name, clock);
        this.transit = new Transit(resetMargin, true);
    }

    /**
     * leadpipe.ratelimit.window-margin-ms: how long after its permit a request of ours may still be counted in a window
     * without a reset time; null (the default): measured from this key's requests (the reset margin until then).
     */
    public RateLimitGovernor windowMargin(Duration fixed) {
        if (fixed != null) this.transit = new Transit(fixed, false);
        return this;
    }

    /** A request's answer came {@code nanos} after its permit (the Throttler's wait included): for the windows' margin. */
    public void answeredSincePermit(long nanos) {
        transit.answered(nanos);
    }

    /** How long after its permit a request may still be counted in a window without a reset time, as used now. */
    public Duration windowMargin() {
        return transit.margin();
    }

    public RateLimitGovernor(String name, long floor, Duration resetMargin) {
        this(name, floor, resetMargin, 1.0);
    }

    /**
     * The key's window is kept in the cluster's database (leadpipe.ratelimit.cluster = database): permits come
     * from there in blocks of at most {@code block}, and what answers say corrects it; the node share no longer applies.
     */
    public RateLimitGovernor shareWindow(SharedWindowStore store, String keySha256, int block) {
        this.shared = new SharedQuota(store, keySha256, name, block, floor, resetMargin);
        return this;
    }

    /** Sleeps until the time, or until {@link #stop()}: a shutdown must not wait out a reset of minutes. */
    public RateLimitGovernor(String name, long floor, Duration resetMargin, double nodeShare) {
        this(name, floor, resetMargin, nodeShare, Clock.systemUTC(), null);
    }

    /**
     * A shutdown signal: every wait on this key ends now (WaitCutShortException), and no new one starts
     * (a request that needs no wait still goes), so the jobs stop at their last saved page instead of
     * sleeping out a reset or a Retry-After.
     */
    public void stop() {
        stopped.countDown();
    }

    public boolean stopped() {
        return stopped.getCount() == 0;
    }

    /** A wait decided elsewhere (a retry's delay), made here so that a shutdown cuts it short too. */
    public void pause(Duration wait) throws InterruptedException {
        if (wait.isNegative() || wait.isZero()) return;
        sleep(wait);
    }

    private void sleep(Duration wait) throws InterruptedException {
        if (stopped()) throw new WaitCutShortException(name);
        if (sleeper != null) sleeper.sleep(wait);
        else if (stopped.await(wait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) throw new WaitCutShortException(name);
        if (stopped()) throw new WaitCutShortException(name);
    }

    /** The floor in force: never more than a tenth of a small quota, so a limit of 10 still lets 9 through. */
    public synchronized long effectiveFloor() {
        return limit == null ? floor : Math.min(floor, limit / 10);
    }

    /** Blocks until a request may be sent, and counts it against the estimate. Returns the permit's moment (its answer hands it back). */
    public Instant acquire(String job) throws InterruptedException {
        while (true) {
            Duration wait;
            SharedQuota cluster = shared;
            if (cluster != null && localWait() == null) {
                // this instance has nothing against the request: the cluster's window decides (outside our lock: a database round trip)
                Instant asked = clock.instant();
                SharedQuota.Wait w = cluster.take(asked);
                Instant permit = w == null ? count() : null;
                if (permit != null) return permit;
                if (w != null) {
                    wait = waitFor(job, asked, w.until(), w.reason(), w.unreachableSince());
                    waitListener.accept(name, wait.toMillis());
                    sleep(wait);
                }
                continue;
            }
            synchronized (this) {
                Instant now = clock.instant();
                String reason;
                Instant until;
                boolean recheck = false;
                if (pausedUntil != null && now.isBefore(pausedUntil)) {
                    until = pausedUntil;
                    reason = pauseReason + " asked for " + WaitTimes.human(Duration.between(now, pausedUntil));
                } else {
                    if (resetAt != null && !now.isBefore(resetAt.plus(marginPastReset()))) {
                        // the window has refilled; the next answer tells us how much is really left. What we sent
                        // since its start (while we waited out the margin) is in it already, at the API — and so may be
                        // what we sent within the margin before it (a request stalled between its permit and the wire)
                        long carried = Math.max(0, releasedSince(windowEdge(resetAt)) - carriedShownOld);
                        carriedShownOld = 0;
                        refusedUnnamed = false;
                        remaining = limit == null ? null : limit - carried;
                        // a node share holds in the new window before its first answer too: its end is expected one
                        // window after the last (its first answer corrects it); unknown, the share waits for that answer
                        lastReset = resetAt;
                        resetAt = nodeShare < 1.0 && windowLength != null ? resetAt.plus(windowLength) : null;
                        resetGuessed = resetAt != null;
                        resetLatest = false;
                        saidInWindow = null;
                        sentInWindow = carried;
                        windowStartedAt = now;
                    }
                    if (windowStartedAt == null) windowStartedAt = now;
                    boolean unnamedTooLong = resetAt == null && !now.isBefore(windowStartedAt.plus(unnamedHold()));
                    boolean shareLeft = nodeShare >= 1.0 || limit == null || unnamedTooLong || sentInWindow < (long) Math.floor(limit * nodeShare);
                    // (a node share used to be ignored until the new window's first answer came: every job of the
                    // instance sent one at once, 4 where a share of 3 allowed 3 — 8 of 10 for two of three instances)
                    // between a refill and the new window's first answer, what the window holds is its limit less what we
                    // carried into it: no more goes out before an answer names the window (12 count requests let out at once
                    // at a refill into a window of 10: 2 × 429), for no longer than the share's hold. A window no answer
                    // ever named (an API that says what is left but not when it resets) holds nothing back, as before.
                    boolean refilledUnnamed = resetAt == null && lastReset != null && !unnamedTooLong;
                    boolean windowLeft = (remaining == null || remaining > effectiveFloor() || (resetAt == null && !refilledUnnamed)) && shareLeft;
                    if (windowLeft || shared != null) {
                        // windows without a reset time (per second, minute, hour, day): the tightest one paces
                        RollingWindow tightest = null;
                        Instant windowFrees = null;
                        for (RollingWindow w : windows.values()) {
                            Instant u = w.blockedUntil(now, floor);
                            if (u != null && (windowFrees == null || u.isAfter(windowFrees))) {
                                windowFrees = u;
                                tightest = w;
                            }
                        }
                        if (tightest == null) {
                            if (shared != null) continue; // the cluster's window decides, above
                            countSent(now);
                            return now;
                        }
                        until = windowFrees;
                        reason = tightest.describe(now, floor);
                    } else {
                        // a used window or share before the new window's first answer: look again shortly, the answer says when it ends
                        recheck = resetAt == null;
                        until = recheck ? now.plus(SHARE_RECHECK) : resetAt.plus(marginPastReset());
                        reason = shareLeft ? remaining + " of " + limit + " requests left (floor " + effectiveFloor() + ") until its quota resets"
                                : "this instance's share of the window is used (" + sentInWindow + " of " + limit + " × " + nodeShare + ")";
                    }
                }
                wait = Duration.between(now, until);
                Duration max = maxWait;
                if (max != null && wait.compareTo(max) > 0) throw new WaitTooLongException(name, until, wait, max, reason);
                waits++;
                waitedMillis += wait.toMillis();
                // one line per pause (a share's short look-again waits for the window's first answer are not pauses to report)
                if (!recheck && !until.equals(loggedPause)) {
                    loggedPause = until;
                    LOG.info("rate limit [{}]: job={} pauses {} until {} — {}", name, job, WaitTimes.human(wait), WaitTimes.until(now, until), reason);
                }
            }
            waitListener.accept(name, wait.toMillis());
            sleep(wait);
        }
    }

    /** What would hold a request here, before the cluster is asked: a pause or a window without a reset time (null: nothing). */
    private synchronized Instant localWait() {
        Instant now = clock.instant();
        if (pausedUntil != null && now.isBefore(pausedUntil)) return pausedUntil;
        for (RollingWindow w : windows.values()) {
            Instant u = w.blockedUntil(now, floor);
            if (u != null) return u;
        }
        return null;
    }

    /** Counts a request that got the cluster's permit, unless a pause came in meanwhile (then null: it asks again). */
    private synchronized Instant count() {
        if (localWait() != null) return null;
        Instant now = clock.instant();
        countSent(now);
        return now;
    }

    private void countSent(Instant now) {
        if (remaining != null) remaining--;
        sentInWindow++;
        released(now);
        for (RollingWindow w : windows.values()) w.sent(now);
    }

    /** The cluster's wait, bounded by max-wait (an unreachable database counts from when it went away), counted and logged once. */
    private synchronized Duration waitFor(String job, Instant now, Instant until, String reason, Instant unreachableSince) {
        Duration wait = Duration.between(now, until);
        if (wait.isNegative()) wait = Duration.ZERO;
        Duration max = maxWait;
        Duration outage = unreachableSince == null ? Duration.ZERO : Duration.between(unreachableSince, until);
        if (max != null && (wait.compareTo(max) > 0 || outage.compareTo(max) > 0)) throw new WaitTooLongException(name, until, wait, max, reason);
        waits++;
        waitedMillis += wait.toMillis();
        if (!until.equals(loggedPause) && unreachableSince == null) {
            loggedPause = until;
            LOG.info("rate limit [{}]: job={} pauses {} until {} — {}", name, job, WaitTimes.human(wait), WaitTimes.until(now, until), reason);
        }
        return wait;
    }

    /**
     * Takes in what a response said. Answers arrive out of order, so within a window the lowest remaining
     * wins; an answer from a later window starts that window from what it says — never from the old
     * window's count (a reset rounded up to whole seconds moves by as little as one second).
     */
    public void observe(RateLimitSnapshot s) {
        observe(s, null);
    }

    /** As {@link #observe(RateLimitSnapshot)}, for the answer to the request permitted at {@code permittedAt} (null: not known). */
    public void observe(RateLimitSnapshot s, Instant permittedAt) {
        observeHere(s, permittedAt);
        SharedQuota cluster = shared;
        if (cluster != null && s != null && !s.isEmpty()) cluster.observe(s, clock.instant()); // the API's word corrects the cluster's row too
    }

    private synchronized void observeHere(RateLimitSnapshot s, Instant permittedAt) {
        if (s == null || s.isEmpty()) return;
        Instant now = clock.instant();
        if (s.limit() != null) limit = s.limit();
        if (s.resetAt() != null && !now.isBefore(s.resetAt().plus(marginPastReset(s.resetIsLatest())))) {
            // a late answer from a past window; to a request carried into the current one, it shows that one was not
            // counted there (until the current window's first answer, which says what it holds itself)
            if (resetAt == null && !refusedUnnamed && remaining != null && limit != null && carriedIntoCurrent(permittedAt)) remaining = Math.min(limit, remaining + 1);
            return;
        }
        // a reset rounded up, answering a request let through before this window began: it may tell of the window before
        // (a reset within a second of now), which would end this one early
        if (s.resetIsLatest() && permittedAt != null && windowStartedAt != null && permittedAt.isBefore(windowStartedAt)) return;
        if (s.resetAt() != null && resetGuessed) {
            // the expected end of a node share's window: the API's word replaces it (this is the window we are counting)
            resetGuessed = false;
            if (lastReset != null && s.resetAt().isAfter(lastReset)) learnWindowLength(Duration.between(lastReset, s.resetAt()));
            resetAt = s.resetAt();
            resetLatest = s.resetIsLatest();
            lower(s.remaining());
            return;
        }
        if (s.resetAt() != null && resetAt == null) {
            // the first answer, or the first since the window refilled: what we sent since then counts too
            if (lastReset != null && s.resetAt().isAfter(lastReset)) learnWindowLength(Duration.between(lastReset, s.resetAt()));
            resetAt = s.resetAt();
            resetLatest = s.resetIsLatest();
            if (remaining == null && s.remaining() != null && !released.isEmpty()) {
                // the very first: the other requests sent before any answer came may have reached the API after this one
                remaining = Math.max(0, s.remaining() - (released.size() - 1));
                saidInWindow = s.remaining();
                return;
            }
            if (remaining != null && lastReset != null && s.remaining() != null && permittedAt != null && windowStartedAt != null
                    && !permittedAt.isBefore(windowStartedAt)) {
                // the first answer to a request of the refilled window. Two counts each never above what is really left:
                // ours (every carried request not shown in the old window counted in this one), and what the answer says
                // less our other requests that may have reached the API after this one: every one let through after it or
                // within the margin before it (a request let through a margin or more before it reached the API before
                // it, in this window or the last). The higher stands: ours alone held a window at 2 of 10 while carried
                // requests were unresolved; the answer's alone, 8 of 10 when a burst at the refill reached the API together.
                long others = releasedSince(permittedAt.minus(resetMargin)) - 1;
                remaining = Math.min(s.remaining(), Math.max(remaining, s.remaining() - others));
                saidInWindow = s.remaining();
                return;
            }
            lower(s.remaining());
            return;
        }
        if (s.resetAt() != null && isLaterWindow(s)) {
            // what it says, less the requests we sent into the new window that may have reached the API after this one
            long sentSince = releasedSince(windowEdge(resetAt));
            // a length only from a window that refilled (more left than was said before): a delta reset read a second
            // apart within one window also moves the reset on
            if (s.remaining() != null && saidInWindow != null && s.remaining() > saidInWindow) learnWindowLength(Duration.between(resetAt, s.resetAt()));
            // this instance's share of the new window: the request this answers and every other sent into it so far
            // (it was 1, and a node share overspent right after a refill: 8 where 1/3 of 10 allows 6)
            sentInWindow = Math.max(1, sentSince);
            carriedShownOld = 0;
            resetAt = s.resetAt();
            resetLatest = s.resetIsLatest();
            if (s.remaining() != null) remaining = limit == null ? s.remaining() : Math.min(s.remaining(), limit - sentSince);
            saidInWindow = s.remaining();
            return;
        }
        if (s.resetAt() != null && s.resetIsLatest() && resetLatest) {
            // rounded up, every answer's reset is at or after the window's end, all within a second of it: the earliest is the closest
            if (s.resetAt().isBefore(resetAt) && s.resetAt().isAfter(resetAt.minusSeconds(1))) resetAt = s.resetAt();
        } else if (s.resetAt() != null && s.resetAt().isAfter(resetAt)) {
            resetAt = s.resetAt(); // delta resets jitter by a second
            resetLatest = s.resetIsLatest();
            carriedShownOld = 0; // counted against the edge before: the moved edge holds other requests (none is then taken for shown)
        }
        // an answer of the current window to a request let through within the margin before its end: not one for the next
        if (resetAt != null && permittedAt != null && !permittedAt.isBefore(windowEdge(resetAt))) carriedShownOld++;
        lower(s.remaining());
    }

    /** How long a window whose end no answer has named holds its count: 2 s, or twice the key's longest recent answer. */
    private Duration unnamedHold() {
        Duration twice = transit.longestAnswer().multipliedBy(2);
        return twice.compareTo(UNNAMED_WINDOW_HOLD) > 0 ? twice : UNNAMED_WINDOW_HOLD;
    }

    /** The request let through at {@code permittedAt} was counted into the current window at its refill, as carried over. */
    private boolean carriedIntoCurrent(Instant permittedAt) {
        return permittedAt != null && lastReset != null && windowStartedAt != null
                && !permittedAt.isBefore(windowEdge(lastReset)) && permittedAt.isBefore(windowStartedAt);
    }

    /** How long past the reset the window is waited for: none when the reset is a rounded-up bound (the window has ended by then). */
    private Duration marginPastReset() {
        return marginPastReset(resetLatest);
    }

    private Duration marginPastReset(boolean latest) {
        return latest ? Duration.ZERO : resetMargin;
    }

    /**
     * The shortest gap seen between one window's reset and a later one's: an idle spell spans several windows,
     * and a length learned from it would make a node share wait for a window end that far away.
     */
    private void learnWindowLength(Duration gap) {
        if (!gap.isNegative() && !gap.isZero() && (windowLength == null || gap.compareTo(windowLength) < 0)) windowLength = gap;
    }

    /** What an answer said about the windows announced without a reset time (QuotaWindows). */
    public void observeWindows(java.util.List<QuotaWindows.Reading> readings) {
        observeWindows(readings, null);
    }

    /** As {@link #observeWindows(java.util.List)}, for the answer to the request permitted at {@code permittedAt} (null: not known). */
    public synchronized void observeWindows(java.util.List<QuotaWindows.Reading> readings, Instant permittedAt) {
        Instant now = clock.instant();
        for (QuotaWindows.Reading r : readings) {
            RollingWindow w = windows.get(r.window());
            if (w == null) windows.put(r.window(), w = new RollingWindow(r.window(), transit));
            w.observe(r, now, released, permittedAt);
        }
    }

    /** Our estimate of what is left in a window without a reset time (null: not announced yet). */
    public synchronized Long windowRemaining(String window) {
        RollingWindow w = windows.get(window);
        return w == null ? null : w.remaining(clock.instant());
    }

    private void released(Instant at) {
        released.addLast(at);
        long keep = 4 * Math.max(limit == null ? 0 : limit, 250);
        while (released.size() > keep) released.pollFirst();
    }

    /**
     * From when a request may have reached the API in the window that begins at {@code reset}: a permit given
     * within the margin before it may arrive after it, so it is counted in both windows (as the cluster's shared window does).
     */
    private Instant windowEdge(Instant reset) {
        return reset.minus(resetMargin);
    }

    /** Requests let through at or after {@code since}. */
    private long releasedSince(Instant since) {
        long n = 0;
        for (java.util.Iterator<Instant> it = released.descendingIterator(); it.hasNext(); ) {
            if (it.next().isBefore(since)) break;
            n++;
        }
        return n;
    }

    /**
     * The answer belongs to a window after the current one: its reset is a second or more later (epoch
     * resets move by whole seconds; a delta reset read at different moments jitters by less), or its reset
     * moved on and it says more is left than the API said before in this window.
     */
    private boolean isLaterWindow(RateLimitSnapshot s) {
        if (!s.resetAt().isBefore(resetAt.plusSeconds(1))) return true;
        return s.resetAt().isAfter(resetAt) && s.remaining() != null && saidInWindow != null && s.remaining() > saidInWindow;
    }

    private void lower(Long said) {
        if (said == null) return;
        remaining = remaining == null ? said : Math.min(remaining, said);
        saidInWindow = saidInWindow == null ? said : Math.min(saidInWindow, said);
    }

    /**
     * A 429: no request on this key goes out before {@code retryAfter} has passed. When the answer did not
     * say what is left, nothing is assumed left (so a known reset is waited for); when it did, that stands —
     * some APIs throttle bursts while the window's quota is far from spent.
     */
    public void rejected(Duration retryAfter, boolean answerToldRemaining) {
        rejected(retryAfter, answerToldRemaining, "its Retry-After");
    }

    /** As {@link #rejected(Duration, boolean)}, naming what asked for the wait (for the pause's log line and a too-long wait's message). */
    public void rejected(Duration wait, boolean answerToldRemaining, String askedBy) {
        rejectedHere(wait, answerToldRemaining, askedBy);
        SharedQuota cluster = shared;
        Instant now = clock.instant();
        if (cluster != null) cluster.paused(wait == null ? null : WaitTimes.after(now, wait), !answerToldRemaining, now); // every instance pauses
    }

    private synchronized void rejectedHere(Duration wait, boolean answerToldRemaining, String askedBy) {
        if (!answerToldRemaining) remaining = 0L;
        if (!answerToldRemaining && resetAt == null && lastReset != null) refusedUnnamed = true; // the window is full, whatever late answers say
        if (wait != null) {
            Instant until = WaitTimes.after(clock.instant(), wait);
            if (pausedUntil == null || until.isAfter(pausedUntil)) {
                pausedUntil = until;
                if (askedBy != null) pauseReason = askedBy;
            }
        }
    }

    /**
     * The requests per second this key's quota allows, as its answers showed (null: none said yet): the window's
     * limit (this instance's share of it) over its length, and each window without a reset time; the tightest.
     * Before a window has refilled its length is not known yet: the time from this key's first request to the
     * reset stands in (never under a second), which can only overstate the rate for a while.
     */
    public synchronized Double allowedRate() {
        if (limit != null) {
            double seconds = windowLength != null ? windowLength.toMillis() / 1000.0
                    : resetAt != null && windowStartedAt != null ? Math.max(1.0, Duration.between(windowStartedAt, resetAt).toMillis() / 1000.0) : 0;
            // between a refill and the new window's first answer nothing says the length: the last rate holds
            if (seconds > 0) windowRate = limit * Math.min(1.0, nodeShare) / seconds;
        }
        Double rate = windowRate;
        for (RollingWindow w : windows.values()) {
            Double r = w.perSecond();
            if (r != null && (rate == null || r < rate)) rate = r;
        }
        return rate;
    }

    public synchronized Long limit() {
        return limit;
    }

    public synchronized Long remaining() {
        return remaining;
    }

    public synchronized Instant resetAt() {
        return resetAt;
    }

    public synchronized long waits() {
        return waits;
    }

    public synchronized long waitedMillis() {
        return waitedMillis;
    }

    public void onWait(java.util.function.BiConsumer<String, Long> listener) {
        this.waitListener = listener;
    }

    public String name() {
        return name;
    }

    /** The requests per second this key's API accepts, as its 429s without quota headers taught (shared by its jobs). */
    public LearnedRate learnedRate() {
        return learnedRate;
    }
}
