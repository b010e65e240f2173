package io.leadpipe.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One API's current access token, shared by every job and thread that calls it. Renewed shortly before it
 * expires (from expires_in) and when the API refuses it; renewal is one at a time, and a caller whose token
 * was already replaced by another caller's renewal takes the new one instead of renewing again — so N jobs
 * hitting an expired token make one token request, not N.
 */
final class AccessTokens {

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.auth");

    /** How a new access token is obtained (client credentials, or a refresh token). */
    interface Grant {
        TokenEndpoint.TokenAnswer obtain() throws IOException;
    }

    private final String api;
    private final Grant grant;
    private final Duration renewBefore;
    private final LongSupplier clock;
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong renewalsAfterRefusal = new AtomicLong();
    private String token;
    private long renewAtMillis;
    private volatile String instanceUrl;

    AccessTokens(String api, Grant grant, Duration renewBefore, LongSupplier clock) {
        this.api = api;
        this.grant = grant;
        this.renewBefore = renewBefore;
        this.clock = clock;
    }

    /** A token that is not about to expire; renews it first when it is (one caller renews, the others wait for it). */
    synchronized String current() throws IOException {
        if (token == null || clock.getAsLong() >= renewAtMillis) renew(false);
        return token;
    }

    /**
     * The API refused {@code refused} (401): renew, unless another caller already did — then its token is
     * the answer. Returns the token to retry with.
     */
    synchronized String renewAfterRefusal(String refused) throws IOException {
        if (token != null && !token.equals(refused)) return token;
        renew(true);
        return token;
    }

    private void renew(boolean afterRefusal) throws IOException {
        TokenEndpoint.TokenAnswer answer = grant.obtain();
        long now = clock.getAsLong();
        token = answer.accessToken();
        if (answer.instanceUrl() != null) instanceUrl = answer.instanceUrl();
        if (answer.expiresInSeconds() == null) {
            renewAtMillis = Long.MAX_VALUE; // no lifetime given: used until the API refuses it
        } else {
            long lifetime = answer.expiresInSeconds() * 1000;
            // shortly before expiry: the configured margin, but at most a quarter of a short lifetime
            renewAtMillis = now + lifetime - Math.min(renewBefore.toMillis(), lifetime / 4);
        }
        renewals.incrementAndGet();
        if (afterRefusal) {
            renewalsAfterRefusal.incrementAndGet();
            LOG.warn("{}: the API refused the access token (401); renewed it, retrying the request once", api);
        } else {
            LOG.debug("{}: access token renewed (expires in {} s)", api, answer.expiresInSeconds());
        }
    }

    /** Tokens obtained so far (the first one included). */
    long renewals() {
        return renewals.get();
    }

    long renewalsAfterRefusal() {
        return renewalsAfterRefusal.get();
    }

    /** The provider's instance URL (Salesforce instance_url) from its latest answer, or null. */
    String instanceUrl() throws IOException {
        if (instanceUrl == null) current();
        return instanceUrl;
    }
}
