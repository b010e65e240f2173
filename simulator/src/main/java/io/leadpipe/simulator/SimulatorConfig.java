package io.leadpipe.simulator;

import java.util.List;
import java.util.function.Function;

/** Knobs of the bundled leads API; every one is a {@code leadpipe.simulator.*} property. */
public final class SimulatorConfig {
    public String host = "127.0.0.1";
    public int port = 0;
    public int leads = 5000;
    public long seed = 42;
    public String apiKey = "demo-key";
    public String apiKeyHeader = "X-API-Key";
    public int rateLimit = 600;
    public long rateWindowMillis = 60_000;
    public long latencyMillis = 0;
    /** Spread of the latency: each answer waits latencyMillis × (1 ± up to this), uniformly (0.5 = 300 ms ± 50%). */
    public double latencyJitter = 0;
    public int defaultPageSize = 100;
    public int maxPageSize = 1000;
    /** Serves at most this many records per page whatever is asked, as most vendors do (ask 500, get 100; 0 = off). */
    public volatile int pageSizeClamp = 0;

    // ---- how the leads API checks callers (leadpipe.simulator.auth*): api-key (the header above),
    // basic (user + password), oauth2 (bearer tokens from its own token endpoint, POST /oauth/token)
    public String auth = "api-key";
    public String basicUser = "demo";
    /** Secrets have no default: set them (tests do) when auth = basic or oauth2. */
    public String basicPassword;
    public String oauthClientId = "demo-client";
    public String oauthClientSecret;
    /** expires_in of every access token; a token is refused (401) once it has expired. */
    public volatile long oauthTokenTtlSeconds = 3600;
    /** Every refresh_token grant answers a new refresh token and the old one stops working. */
    public volatile boolean oauthRotateRefreshTokens = true;
    /** The refresh token the user authorised with (null: only client_credentials works). */
    public String oauthRefreshToken;
    /** The refresh_token grant also answers instance_url (Salesforce), this simulator's base URL. */
    public boolean oauthInstanceUrl = false;
    /** client_credentials requests must carry audience=this (empty: no audience required). */
    public String oauthRequiredAudience = "";
    /** After every N-th leads request let in, every access token issued so far is revoked (0 = never): a mid-pull 401. */
    public volatile int oauthRevokeAccessEvery = 0;
    /** The CRM and enrichment APIs: api-key (their bearer keys) or oauth2 (tokens of the token endpoint). */
    public String crmAuth = "api-key";

    /** How the API pages: cursor, cursor-header, next-url, next-url-relative, link-header, keyset, offset, page. */
    public volatile String paging = "cursor";
    /** GET with query parameters, or POST with the paging fields in a JSON body. */
    public volatile String method = "GET";
    /**
     * Where the records sit: envelope ({"data":[…], "meta":{…}}), array (the body is the records array, as
     * GitHub's list endpoints; only header paging survives) or nested (HubSpot: {"results":[{"id":…,
     * "properties":{…}}], "meta":{…}}).
     */
    public volatile String pageShape = "envelope";
    /** Whether answers carry /meta/total (and /meta/total_pages). */
    public volatile boolean reportTotal = true;
    /** Paging faults: same-cursor, cursor-cycle, same-page, overrun (none when empty), after loopAfterPages pages. */
    public volatile String loop = "";
    public volatile int loopAfterPages = 3;
    /** Every N-th page is the previous page served again, under a different cursor (0 = never). */
    public volatile int duplicatePageEvery = 0;
    /** Live changes: every N pages a lead is inserted (deleted) at the front of the list (0 = never). */
    public volatile int liveInsertEvery = 0;
    public volatile int liveDeleteEvery = 0;

    // ---- parents and children (GET /v1/companies, /v1/companies/{id}/contacts, /v1/contacts?company_id=)
    public int companies = 50;
    /** Each company has 0 to this many contacts (seeded; every 7th company none). */
    public int maxContactsPerCompany = 30;
    /**
     * Every Nth company also lists the previous company's first contact (one person associated with two
     * companies, as CRMs allow): its list's total counts it, so the lists' totals exceed the distinct contacts (0 = off).
     */
    public int sharedContactEvery = 0;
    /** "co-00007:2": that company's contacts page 2 is answered 400 until cleared (null = off). */
    public volatile String failContactsAt = null;

    public PagingKind pagingKind() {
        return PagingKind.of(paging);
    }

    // ---- the CRM and enrichment APIs (leadpipe.simulator.crm.*, .enrich.*)
    public String crmApiKey = "crm-key";
    public int crmRateLimit = 100;
    public long crmRateWindowMillis = 10_000;
    public volatile long crmLatencyMillis = 0;
    /** While true the CRM answers 503 to everything. */
    public volatile boolean crmDown = false;
    /** The CRM rejects about one e-mail address in N as invalid (per-record errors; 0 = none). */
    public volatile int crmRejectEvery = 0;
    public String enrichApiKey = "enrich-key";
    public int enrichRateLimit = 600;
    public long enrichRateWindowMillis = 10_000;
    /** About one domain in N is unknown to the enrichment API (404; 0 = none). */
    public volatile int enrichUnknownEvery = 5;
    /** Every N-th lead has an empty last name (a record a strict mapping refuses; 0 = none). */
    public int missingLastNameEvery = 0;

    /** Which rate-limit headers to send: x-ratelimit-epoch, x-ratelimit-delta, ietf-legacy, ietf-structured, none. */
    public volatile String headerStyle = "x-ratelimit-epoch";
    /** How 429s say when to come back: seconds, http-date, none. */
    public volatile String retryAfterStyle = "seconds";

    // ---- injected faults (leadpipe.simulator.fault.*); volatile so a test can clear them mid-run
    public volatile long faultSeed = 7;
    /** Every N-th request starts a burst of 429s (0 = never), burstLength long, asking to retry after burstRetryAfterSeconds. */
    public volatile int burstEvery = 0;
    public volatile int burstLength = 3;
    public volatile int burstRetryAfterSeconds = 1;
    /** Share of requests answered 500/502/503/504. */
    public volatile double serverErrorRate = 0;
    /** Share of requests whose connection is closed without an answer. */
    public volatile double dropRate = 0;
    /** Share of answers cut off half-way through the body. */
    public volatile double truncateRate = 0;
    /** Share of answers delayed by slowMillis (past a client's response timeout, if it is shorter). */
    public volatile double slowRate = 0;
    public volatile long slowMillis = 0;
    /** After failAfterPages pages, every request is answered failStatus (0 = off) until cleared. */
    public volatile int failStatus = 0;
    public volatile int failAfterPages = 0;
    /**
     * "name=value" (e.g. country=FR): the fail-status fault hits only requests filtered so, after failAfterPages
     * pages served to that filter (one slice of a partitioned job fails while the others go on); empty = every request.
     */
    public volatile String failFilter = "";

    /** Reads {@code leadpipe.simulator.*} from a lookup (null = keep the default). */
    public static SimulatorConfig from(Function<String, String> props) {
        SimulatorConfig c = new SimulatorConfig();
        String p = "leadpipe.simulator.";
        c.host = str(props, p + "host", c.host);
        c.port = (int) num(props, p + "port", c.port);
        c.leads = (int) num(props, p + "leads", c.leads);
        c.seed = num(props, p + "seed", c.seed);
        c.apiKey = str(props, p + "api-key", c.apiKey);
        c.apiKeyHeader = str(props, p + "api-key-header", c.apiKeyHeader);
        c.rateLimit = (int) num(props, p + "rate-limit", c.rateLimit);
        c.rateWindowMillis = num(props, p + "rate-window-ms", c.rateWindowMillis);
        c.latencyMillis = num(props, p + "latency-ms", c.latencyMillis);
        c.latencyJitter = Double.parseDouble(str(props, p + "latency-jitter", Double.toString(c.latencyJitter)));
        if (c.latencyJitter < 0 || c.latencyJitter > 1) throw new IllegalArgumentException(p + "latency-jitter = " + c.latencyJitter + " must be between 0 and 1");
        c.defaultPageSize = (int) num(props, p + "default-page-size", c.defaultPageSize);
        c.maxPageSize = (int) num(props, p + "max-page-size", c.maxPageSize);
        c.pageSizeClamp = (int) num(props, p + "page-size-clamp", c.pageSizeClamp);
        c.headerStyle = str(props, p + "header-style", c.headerStyle);
        c.auth = str(props, p + "auth", c.auth);
        if (!List.of("api-key", "basic", "oauth2").contains(c.auth)) {
            throw new IllegalArgumentException(p + "auth = '" + c.auth + "' must be api-key, basic or oauth2");
        }
        c.basicUser = str(props, p + "basic.user", c.basicUser);
        c.basicPassword = str(props, p + "basic.password", c.basicPassword);
        c.oauthClientId = str(props, p + "oauth.client-id", c.oauthClientId);
        c.oauthClientSecret = str(props, p + "oauth.client-secret", c.oauthClientSecret);
        c.oauthTokenTtlSeconds = num(props, p + "oauth.token-ttl-seconds", c.oauthTokenTtlSeconds);
        c.oauthRotateRefreshTokens = !"false".equalsIgnoreCase(str(props, p + "oauth.rotate-refresh-tokens", "true"));
        c.oauthRefreshToken = str(props, p + "oauth.refresh-token", c.oauthRefreshToken);
        c.oauthInstanceUrl = "true".equalsIgnoreCase(str(props, p + "oauth.instance-url", "false"));
        c.oauthRequiredAudience = str(props, p + "oauth.audience", c.oauthRequiredAudience);
        c.crmAuth = str(props, p + "crm.auth", c.crmAuth);
        if (c.auth.equals("basic") && c.basicPassword == null) throw new IllegalArgumentException(p + "auth = basic needs " + p + "basic.password");
        if ((c.auth.equals("oauth2") || c.crmAuth.equals("oauth2")) && c.oauthClientSecret == null) {
            throw new IllegalArgumentException(p + "auth = oauth2 needs " + p + "oauth.client-secret");
        }
        c.crmApiKey = str(props, p + "crm.api-key", c.crmApiKey);
        c.crmRateLimit = (int) num(props, p + "crm.rate-limit", c.crmRateLimit);
        c.crmRateWindowMillis = num(props, p + "crm.rate-window-ms", c.crmRateWindowMillis);
        c.crmLatencyMillis = num(props, p + "crm.latency-ms", c.crmLatencyMillis);
        c.crmRejectEvery = (int) num(props, p + "crm.reject-every", c.crmRejectEvery);
        c.enrichApiKey = str(props, p + "enrich.api-key", c.enrichApiKey);
        c.enrichRateLimit = (int) num(props, p + "enrich.rate-limit", c.enrichRateLimit);
        c.enrichRateWindowMillis = num(props, p + "enrich.rate-window-ms", c.enrichRateWindowMillis);
        c.enrichUnknownEvery = (int) num(props, p + "enrich.unknown-every", c.enrichUnknownEvery);
        c.missingLastNameEvery = (int) num(props, p + "missing-last-name-every", c.missingLastNameEvery);
        c.companies = (int) num(props, p + "companies", c.companies);
        c.maxContactsPerCompany = (int) num(props, p + "max-contacts-per-company", c.maxContactsPerCompany);
        c.sharedContactEvery = (int) num(props, p + "shared-contact-every", c.sharedContactEvery);
        c.retryAfterStyle = str(props, p + "retry-after-style", c.retryAfterStyle);
        c.paging = str(props, p + "paging", c.paging);
        c.method = str(props, p + "method", c.method).toUpperCase(java.util.Locale.ROOT);
        c.reportTotal = !"false".equalsIgnoreCase(str(props, p + "report-total", "true"));
        c.pageShape = str(props, p + "page-shape", c.pageShape);
        if (!java.util.List.of("envelope", "array", "nested").contains(c.pageShape)) {
            throw new IllegalArgumentException(p + "page-shape = '" + c.pageShape + "' must be envelope, array or nested");
        }
        String f = p + "fault.";
        c.loop = str(props, f + "loop", c.loop);
        c.loopAfterPages = (int) num(props, f + "loop-after-pages", c.loopAfterPages);
        c.duplicatePageEvery = (int) num(props, f + "duplicate-page-every", c.duplicatePageEvery);
        c.liveInsertEvery = (int) num(props, f + "live-insert-every", c.liveInsertEvery);
        c.liveDeleteEvery = (int) num(props, f + "live-delete-every", c.liveDeleteEvery);
        try {
            PagingKind.of(c.paging);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + "paging = '" + c.paging + "' must be cursor, cursor-header, next-url, next-url-relative, link-header, keyset, offset or page");
        }
        c.faultSeed = num(props, f + "seed", c.faultSeed);
        c.burstEvery = (int) num(props, f + "burst-every", c.burstEvery);
        c.burstLength = (int) num(props, f + "burst-length", c.burstLength);
        c.burstRetryAfterSeconds = (int) num(props, f + "burst-retry-after-seconds", c.burstRetryAfterSeconds);
        c.serverErrorRate = rate(props, f + "server-error-rate", c.serverErrorRate);
        c.dropRate = rate(props, f + "drop-rate", c.dropRate);
        c.truncateRate = rate(props, f + "truncate-rate", c.truncateRate);
        c.slowRate = rate(props, f + "slow-rate", c.slowRate);
        c.slowMillis = num(props, f + "slow-ms", c.slowMillis);
        c.failStatus = (int) num(props, f + "fail-status", c.failStatus);
        c.failAfterPages = (int) num(props, f + "fail-after-pages", c.failAfterPages);
        c.failFilter = str(props, f + "fail-filter", c.failFilter);
        if (!QuotaHeaders.STYLES.contains(c.headerStyle)) {
            throw new IllegalArgumentException(p + "header-style = '" + c.headerStyle + "' must be x-ratelimit-epoch, x-ratelimit-delta, ietf-legacy, ietf-structured or none");
        }
        if (!QuotaHeaders.RETRY_AFTER_STYLES.contains(c.retryAfterStyle)) {
            throw new IllegalArgumentException(p + "retry-after-style = '" + c.retryAfterStyle + "' must be seconds, http-date or none");
        }
        return c;
    }

    private static String str(Function<String, String> props, String key, String def) {
        String v = props.apply(key);
        return v == null || v.isBlank() ? def : v.trim();
    }

    private static double rate(Function<String, String> props, String key, double def) {
        String v = props.apply(key);
        if (v == null || v.isBlank()) return def;
        try {
            double d = Double.parseDouble(v.trim());
            if (d < 0 || d > 1) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a share between 0 and 1");
        }
    }

    private static long num(Function<String, String> props, String key, long def) {
        String v = props.apply(key);
        if (v == null || v.isBlank()) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a whole number");
        }
    }
}
