package io.leadpipe.auth;

import io.leadpipe.secrets.SealedText;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTokensTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicInteger issued = new AtomicInteger();

    private AccessTokens tokens(Long expiresIn, Duration renewBefore) {
        return new AccessTokens("source 'x'", () -> {
            try {
                Thread.sleep(20); // a token request takes a while: concurrent callers pile up behind it
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            return new TokenEndpoint.TokenAnswer("at-" + issued.incrementAndGet(), expiresIn, null, null);
        }, renewBefore, now::get);
    }

    @Test
    void aTokenIsRenewedShortlyBeforeItExpiresAtMostAQuarterOfItsLifetimeEarly() throws Exception {
        AccessTokens shortLived = tokens(2L, Duration.ofSeconds(60));
        assertThat(shortLived.current()).isEqualTo("at-1");
        now.addAndGet(1499);
        assertThat(shortLived.current()).as("1.499 s into a 2 s token").isEqualTo("at-1");
        now.addAndGet(1);
        assertThat(shortLived.current()).as("1.5 s into a 2 s token: renewed").isEqualTo("at-2");

        AccessTokens hourly = tokens(3600L, Duration.ofSeconds(60));
        String first = hourly.current();
        now.addAndGet(3_539_000);
        assertThat(hourly.current()).isEqualTo(first);
        now.addAndGet(1_000);
        assertThat(hourly.current()).as("60 s before the hour is up").isNotEqualTo(first);
    }

    @Test
    void withoutExpiresInATokenIsKeptUntilTheApiRefusesIt() throws Exception {
        AccessTokens t = tokens(null, Duration.ofSeconds(60));
        String first = t.current();
        now.addAndGet(86_400_000);
        assertThat(t.current()).isEqualTo(first);
        assertThat(t.renewAfterRefusal(first)).isNotEqualTo(first);
    }

    @Test
    void manyCallersRefusedWithOneTokenRenewItOnce() throws Exception {
        AccessTokens t = tokens(3600L, Duration.ofSeconds(60));
        String refused = t.current();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) answers.add(pool.submit(() -> {
            go.await();
            return t.renewAfterRefusal(refused);
        }));
        go.countDown();
        for (Future<String> f : answers) assertThat(f.get()).as("every caller retries with the one new token").isEqualTo("at-2");
        pool.shutdown();
        assertThat(issued.get()).as("token requests: the first, and one renewal for eight refusals").isEqualTo(2);
        assertThat(t.renewalsAfterRefusal()).isEqualTo(1);
    }

    @Test
    void sealedTokensOpenOnlyWithTheSameKey() {
        SealedText seal = new SealedText("leads-api\nclient\nsecret-1");
        String sealed = seal.seal("rt-abc-123");
        assertThat(sealed).startsWith("v1:").doesNotContain("rt-abc-123");
        assertThat(seal.seal("rt-abc-123")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(seal.open(sealed)).isEqualTo("rt-abc-123");
        assertThat(new SealedText("leads-api\nclient\nsecret-2").open(sealed)).as("another client secret").isNull();
        assertThat(seal.open(sealed.substring(0, sealed.length() - 2) + "AA")).as("altered").isNull();
    }

    @Test
    void followingAnInstanceUrlKeepsPathAndQuery() throws Exception {
        assertThat(InstanceUrls.rebase("https://login.salesforce.com/services/data/v60.0/query?q=SELECT%20Id", "https://acme.my.salesforce.com"))
                .isEqualTo("https://acme.my.salesforce.com/services/data/v60.0/query?q=SELECT%20Id");
        assertThat(InstanceUrls.rebase("http://127.0.0.1:1/v1/leads", "http://127.0.0.1:8089")).isEqualTo("http://127.0.0.1:8089/v1/leads");
    }
}
