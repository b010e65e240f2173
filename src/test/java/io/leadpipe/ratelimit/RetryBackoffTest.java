package io.leadpipe.ratelimit;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RetryBackoffTest {

    private static RetryBackoff defaults(double random) {
        return new RetryBackoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 0.5, 5, new RateLimits(), () -> random);
    }

    @Test
    void exponentialFromOneSecondDoublingAndCappedAtSixty() {
        RetryBackoff noJitter = defaults(0.0);
        assertThat(noJitter.computed(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(noJitter.computed(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(noJitter.computed(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(noJitter.computed(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(noJitter.computed(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(noJitter.computed(30)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void jitterAddsUpToHalfAndNeverShortens() {
        assertThat(defaults(0.999999).computed(3).toMillis()).isBetween(5999L, 6000L);
        assertThat(defaults(0.5).computed(2)).isEqualTo(Duration.ofMillis(2500));
        assertThat(defaults(0.999999).computed(10)).isEqualTo(Duration.ofSeconds(60));
        RetryBackoff real = new RetryBackoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 0.5, 5, new RateLimits());
        for (int i = 0; i < 1000; i++) assertThat(real.computed(2).toMillis()).isBetween(2000L, 3000L);
    }

    /** The retry's delay, as the next attempt's pacing step will wait it (ms from {@code before}). */
    private static long retryDelay(Exchange ex, java.time.Instant before) {
        return Duration.between(before, ex.getVariable(RateLimits.RETRY_NOT_BEFORE, java.time.Instant.class)).toMillis();
    }

    @Test
    void aShutdownEndsARetrysDelayAtOnce() throws Exception {
        RateLimits rateLimits = new RateLimits();
        rateLimits.register("api", "key", RateLimitHeaderNames.defaults(), 10, Duration.ofMillis(250), 50);
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            Exchange ex = new DefaultExchange(ctx);
            ex.setVariable("source", "api");
            ex.setVariable(RateLimits.RETRY_NOT_BEFORE, java.time.Instant.now().plusSeconds(60));
            java.util.concurrent.atomic.AtomicReference<Thread> waiter = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.CompletableFuture<Throwable> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                waiter.set(Thread.currentThread());
                try {
                    rateLimits.acquire(ex);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> ended.isDone() || waiter.get() != null && waiter.get().getState() == Thread.State.TIMED_WAITING);
            assertThat(ended).as("still waiting out the 60 s delay").isNotDone();
            long t0 = System.nanoTime();
            rateLimits.stop();
            assertThat(ended.get(2, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(WaitCutShortException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms from the stop to the end of the wait").isLessThan(1000);
        }
    }

    @Test
    void retryAfterWinsOverTheComputedDelay() throws Exception {
        RateLimits rateLimits = new RateLimits();
        rateLimits.register("api", "key", RateLimitHeaderNames.defaults(), 10, Duration.ofMillis(250), 50);
        RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 0.5, 5, rateLimits, () -> 0.0);
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            Exchange ex = new DefaultExchange(ctx);
            ex.setVariable("source", "api");
            ex.getIn().setHeader(Exchange.REDELIVERY_COUNTER, 1);
            ex.setException(new HttpOperationFailedException("http://api/x", 429, "Too Many Requests", null, Map.of("Retry-After", "7"), ""));
            java.time.Instant before = java.time.Instant.now();
            backoff.process(ex);
            assertThat(retryDelay(ex, before)).isBetween(7000L, 7500L);

            ex.setException(new HttpOperationFailedException("http://api/x", 503, "Unavailable", null, Map.of(), ""));
            ex.getIn().setHeader(Exchange.REDELIVERY_COUNTER, 3);
            before = java.time.Instant.now();
            backoff.process(ex);
            assertThat(retryDelay(ex, before)).isBetween(4000L, 4500L);
            assertThat(ex.getIn().getHeader(Exchange.REDELIVERY_DELAY, Long.class)).as("Camel does not sleep: the next attempt's pacing step waits").isZero();
        }
        assertThat(rateLimits.governor("api").remaining()).as("a 429 empties the budget").isZero();
    }

    @Test
    void aFailedAnswerToARequestOfTheWindowBeforeLeavesTheNewWindowsRoundedUpResetAlone() throws Exception {
        // Pipedrive's x-ratelimit-reset, rounded up: a 503 to a request let through before the window began tells of the
        // window before (reset 1); the error route hands its permit to the governor, which then keeps the new window's end
        RateLimits rateLimits = new RateLimits();
        RateLimitHeaderNames d = RateLimitHeaderNames.defaults();
        RateLimitHeaderNames pipedrive = new RateLimitHeaderNames(d.limit(), d.remaining(), d.reset(), ResetFormat.DELTA_SECONDS_UP,
                d.ietfLimit(), d.ietfRemaining(), d.ietfReset(), d.ietfPolicy(), d.ietfRateLimit(), d.retryAfter());
        rateLimits.register("api", "key", new QuotaSpec(pipedrive, QuotaWindows.none(), RateLimitRules.none(), 100), new RatePolicy(10, Duration.ofMillis(250), 1.0));
        RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), 2, Duration.ofSeconds(60), 0.5, 5, rateLimits, () -> 0.0);
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            Exchange old = call(ctx, rateLimits);           // let through in the first window, answered late
            Exchange first = call(ctx, rateLimits);
            answer(rateLimits, first, "1");                 // the first window ends within a second
            Instant firstWindowEnds = rateLimits.governor("api").resetAt();
            Awaitility.await().until(() -> !Instant.now().isBefore(firstWindowEnds));
            Exchange fresh = call(ctx, rateLimits);         // the refill: a new window begins
            answer(rateLimits, fresh, "2");
            Instant newWindowEnds = rateLimits.governor("api").resetAt();
            long answeredAt = System.nanoTime();

            old.getIn().setHeader(Exchange.REDELIVERY_COUNTER, 1);
            old.setException(new HttpOperationFailedException("http://api/x", 503, "Unavailable", null,
                    Map.of("X-RateLimit-Limit", "40", "X-RateLimit-Remaining", "20", "X-RateLimit-Reset", "1"), ""));
            backoff.process(old);

            // "reset 1" read a second or more after the new window began would not move its end even without the permit
            assertThat(Duration.ofNanos(System.nanoTime() - answeredAt)).as("the old answer came within a second").isLessThan(Duration.ofSeconds(1));
            assertThat(rateLimits.governor("api").resetAt()).as("the new window's end, not the old window's").isEqualTo(newWindowEnds);
        }
    }

    /** A request through the pacing step, as the api-call kamelet makes it. */
    private static Exchange call(DefaultCamelContext ctx, RateLimits rateLimits) throws InterruptedException {
        Exchange ex = new DefaultExchange(ctx);
        ex.setVariable("source", "api");
        rateLimits.acquire(ex);
        return ex;
    }

    /** Its 2xx answer, with 30 of 40 left and the reset in whole seconds, rounded up. */
    private static void answer(RateLimits rateLimits, Exchange ex, String reset) {
        ex.getMessage().setHeader("X-RateLimit-Limit", "40");
        ex.getMessage().setHeader("X-RateLimit-Remaining", "30");
        ex.getMessage().setHeader("X-RateLimit-Reset", reset);
        rateLimits.observe(ex);
    }
}
