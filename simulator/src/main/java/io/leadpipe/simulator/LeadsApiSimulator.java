package io.leadpipe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The bundled leads API: a real HTTP server with cursor pagination, an API key, and a fixed-window quota
 * announced in X-RateLimit-* headers on every response. {@code GET /_sim/stats} reports what it served.
 */
public final class LeadsApiSimulator implements AutoCloseable {

    public static final String LEADS_PATH = "/v1/leads";

    static {
        // JDK HttpServer writes headers and body separately; with Nagle on, a client's delayed ACK stalls
        // every answer by ~40 ms. Read once per JVM, so it is set before the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimulatorConfig config;
    private final LeadDataset dataset;
    final FixedWindowQuota quota;
    final SimulatorStats stats = new SimulatorStats();
    private final CrmSimulator crm;
    private final CompaniesApi companies;
    private final OAuthServer oauth;
    private final java.util.concurrent.atomic.AtomicLong leadRequests = new java.util.concurrent.atomic.AtomicLong();
    private java.util.Random random;
    private volatile String firstNextCursor;
    private long randomSeed;
    private HttpServer server;
    private ExecutorService workers;

    public LeadsApiSimulator(SimulatorConfig config) {
        this.config = config;
        this.dataset = new LeadDataset(config.leads, config.seed);
        this.quota = new FixedWindowQuota(config.rateLimit, config.rateWindowMillis);
        this.oauth = new OAuthServer(config);
        this.crm = new CrmSimulator(config, oauth);
        this.companies = new CompaniesApi(this, config);
        this.dataset.missingLastNameEvery(config.missingLastNameEvery);
    }

    /** The companies → contacts API (parents and children). */
    public CompaniesApi companies() {
        return companies;
    }

    /** Base URL of the companies list, e.g. http://127.0.0.1:41234/v1/companies. */
    public String companiesUrl() {
        return "http://" + config.host + ":" + port() + CompaniesApi.COMPANIES_PATH;
    }

    /** Base URL of the flat contacts list (filtered by company_id), e.g. http://127.0.0.1:41234/v1/contacts. */
    public String contactsUrl() {
        return "http://" + config.host + ":" + port() + CompaniesApi.CONTACTS_PATH;
    }

    public CrmSimulator crm() {
        return crm;
    }

    public OAuthServer oauth() {
        return oauth;
    }

    /** The token endpoint, e.g. http://127.0.0.1:41234/oauth/token. */
    public String tokenUrl() {
        return "http://" + config.host + ":" + port() + "/oauth/token";
    }

    /** Base URL of the simulated CRM, e.g. http://127.0.0.1:41234/crm/v3/objects/contacts. */
    public String crmUrl() {
        return "http://" + config.host + ":" + port() + "/crm/v3/objects/contacts";
    }

    public String enrichUrl() {
        return "http://" + config.host + ":" + port() + "/v1/enrich";
    }

    public LeadsApiSimulator start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(config.host, config.port), 256);
        workers = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "leads-api-sim");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext(LEADS_PATH, this::handleLeads);
        // parents and their children: companies and each company's contacts, on the same key and quota
        server.createContext(CompaniesApi.COMPANIES_PATH, companies::handle);
        server.createContext(CompaniesApi.CONTACTS_PATH, companies::handle);
        server.createContext("/_sim/stats", this::handleStats);
        server.createContext("/oauth/token", oauth::handleToken);
        server.createContext("/crm/", crm::handleCrm);
        server.createContext("/v1/enrich", crm::handleEnrich);
        server.start();
        oauth.baseUrl("http://" + config.host + ":" + port());
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Base URL of the leads endpoint, e.g. http://127.0.0.1:41234/v1/leads. */
    public String leadsUrl() {
        return "http://" + config.host + ":" + port() + LEADS_PATH;
    }

    public SimulatorStats stats() {
        return stats;
    }

    public LeadDataset dataset() {
        return dataset;
    }

    public SimulatorConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (server != null) server.stop(0);
        if (workers != null) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void handleLeads(HttpExchange ex) throws IOException {
        try (ex) {
            stats.requests.incrementAndGet();
            long arrived = System.currentTimeMillis();
            if (!config.method.equals(ex.getRequestMethod())) {
                send(ex, 405, Map.of("error", "use " + config.method));
                return;
            }
            byte[] requestBody = ex.getRequestBody().readAllBytes();
            Map<String, String> headers = new java.util.TreeMap<>();
            ex.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), values.isEmpty() ? "" : values.get(0)));
            stats.wire(new SimulatorStats.WireRequest(ex.getRequestMethod(), ex.getRequestURI().getRawQuery(),
                    new String(requestBody, StandardCharsets.UTF_8), headers));
            String refusal = refusal(ex);
            if (refusal != null) {
                stats.unauthorized.incrementAndGet();
                stats.record(new SimulatorStats.RequestRecord(arrived, "?", 401, null));
                send(ex, 401, Map.of("error", refusal));
                return;
            }
            JsonNode postBody = null;
            if ("POST".equals(config.method)) {
                try {
                    postBody = JSON.readTree(requestBody);
                } catch (IOException e) {
                    postBody = null;
                }
                if (postBody == null || !postBody.isObject()) {
                    stats.badRequests.incrementAndGet();
                    send(ex, 400, Map.of("error", "the body must be a JSON object"));
                    return;
                }
            }
            PageRequest page = PageRequest.parse(QueryString.parse(ex.getRequestURI().getRawQuery()), postBody, config.pagingKind(), config, dataset);
            if (page.error() != null) {
                stats.badRequests.incrementAndGet();
                stats.record(new SimulatorStats.RequestRecord(arrived, "?", 400, null));
                send(ex, 400, Map.of("error", page.error()));
                return;
            }
            String cursorKey = page.key();
            stats.requestFor(cursorKey);
            long served = leadRequests.incrementAndGet();

            if (config.failStatus > 0 && failsNow(ex, postBody, page)) {
                rateLimitHeaders(ex, quota.peek(arrived), arrived);
                stats.record(new SimulatorStats.RequestRecord(arrived, cursorKey, config.failStatus, null));
                // real APIs quote the record they choke on: an e-mail address in an error body must not leak into logs
                send(ex, config.failStatus, Map.of("error", "injected failure " + config.failStatus + " near lead "
                        + dataset.lead(Math.max(0, Math.min(page.position(), dataset.size() - 1))).get("email")));
                return;
            }
            if (config.burstEvery > 0 && served > config.burstEvery && (served % config.burstEvery) < config.burstLength) {
                stats.injected429.incrementAndGet();
                stats.rateLimited.incrementAndGet();
                rateLimitHeaders(ex, quota.peek(arrived), arrived);
                String retryAfter = retryAfter(ex, arrived, config.burstRetryAfterSeconds * 1000L);
                stats.record(new SimulatorStats.RequestRecord(arrived, cursorKey, 429, retryAfter));
                send(ex, 429, Map.of("error", "too many requests (burst)"));
                return;
            }
            FixedWindowQuota.Decision d = quota.acquire(arrived);
            rateLimitHeaders(ex, d, arrived);
            if (!d.allowed()) {
                stats.rateLimited.incrementAndGet();
                if (d.avoidable()) stats.avoidableRateLimited.incrementAndGet();
                String retryAfter = retryAfter(ex, arrived, d.resetEpochMillis() - arrived);
                stats.record(new SimulatorStats.RequestRecord(arrived, cursorKey, 429, retryAfter));
                send(ex, 429, Map.of("error", "rate limit exceeded"));
                return;
            }
            double roll = nextRandom();
            if (roll < config.dropRate) {
                stats.dropped.incrementAndGet();
                stats.record(new SimulatorStats.RequestRecord(arrived, cursorKey, -1, null));
                return; // closing the exchange unanswered drops the connection
            }
            roll -= config.dropRate;
            if (roll < config.serverErrorRate) {
                int status = SERVER_ERRORS[(int) (nextRandom() * SERVER_ERRORS.length)];
                stats.serverErrors.incrementAndGet();
                stats.record(new SimulatorStats.RequestRecord(arrived, cursorKey, status, null));
                send(ex, status, Map.of("error", "injected server error while loading " + dataset.lead(page.position()).get("email")));
                return;
            }
            roll -= config.serverErrorRate;
            boolean truncate = roll >= 0 && roll < config.truncateRate;
            roll -= config.truncateRate;
            if (roll >= 0 && roll < config.slowRate) {
                stats.slowed.incrementAndGet();
                pause(config.slowMillis);
            }
            serveLeadsPage(ex, page, cursorKey, truncate, arrived);
        } catch (RuntimeException e) {
            send(ex, 500, Map.of("error", "simulator error: " + e.getMessage()));
        }
    }

    /** Pages served per filter, for a fail-status fault that hits one filter only (fault.fail-filter). */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> pagesByFilter = new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether the fail-status fault answers this request: past fail-after-pages, for every request or only those with fail-filter. */
    private boolean failsNow(HttpExchange ex, JsonNode postBody, PageRequest page) {
        String only = config.failFilter;
        if (only == null || only.isBlank()) return stats.pages() >= config.failAfterPages;
        int eq = only.indexOf('=');
        String name = only.substring(0, Math.max(0, eq)).trim();
        String value = only.substring(eq + 1).trim();
        String sent = postBody != null && postBody.has(name) ? postBody.get(name).asText() : QueryString.parse(ex.getRequestURI().getRawQuery()).first(name);
        if (sent == null || !sent.equalsIgnoreCase(value)) return false;
        return pagesByFilter.computeIfAbsent(page.filter().key(), k -> new java.util.concurrent.atomic.AtomicInteger()).get() >= config.failAfterPages;
    }

    private void serveLeadsPage(HttpExchange ex, PageRequest page, String cursorKey, boolean truncate, long arrived) throws IOException {
        pagesByFilter.computeIfAbsent(page.filter().key(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        PagingKind kind = config.pagingKind();
        int[] matching = dataset.matching(page.filter());
        int from = Math.min(page.position(), matching.length);
        boolean duplicate = false;
        String loop = config.loop;
        long pagesSoFar = stats.pages();
        if ("same-page".equals(loop) && pagesSoFar >= config.loopAfterPages && kind.positional()) {
            from = Math.min((config.loopAfterPages - 1) * page.limit(), matching.length); // the API stops moving
        } else if (config.duplicatePageEvery > 0 && !page.firstPage() && (pagesSoFar + 1) % config.duplicatePageEvery == 0 && !kind.positional()) {
            from = Math.max(0, from - page.limit()); // the page before, served again
            duplicate = true;
        }
        int to = Math.min(matching.length, from + page.limit());
        List<Map<String, Object>> data = new ArrayList<>(Math.max(0, to - from));
        for (int i = from; i < to; i++) data.add(dataset.lead(matching[i]));
        boolean more = (duplicate ? page.position() : to) < matching.length;

        // the token for the page after this one
        String next = null;
        if (more) {
            int lastIndex = duplicate ? (page.position() == 0 ? -1 : matching[page.position() - 1]) : matching[to - 1];
            next = encodeCursor(lastIndex) + (duplicate ? "~" : "");
        } else if ("overrun".equals(loop)) {
            next = encodeCursor(Integer.MAX_VALUE - (int) pagesSoFar); // keeps promising pages that are empty
            more = true;
        }
        if (next != null && pagesSoFar >= config.loopAfterPages) {
            if ("same-cursor".equals(loop) && page.token() != null && !page.token().isEmpty()) next = page.token();
            if ("cursor-cycle".equals(loop)) next = firstNextCursor == null ? next : firstNextCursor;
        }
        if (page.firstPage() && firstNextCursor == null) firstNextCursor = next;

        stats.working(+1);
        try {
            pause(latency());
        } finally {
            stats.working(-1);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        Map<String, Object> body = new LinkedHashMap<>();
        if ("nested".equals(config.pageShape)) body.put("results", nested(data));
        else body.put("data", data);
        String base = "http://" + config.host + ":" + port();
        String nextPath = next == null ? null : LEADS_PATH + "?limit=" + page.limit() + "&after=" + next + page.filter().query();
        switch (kind) {
            case CURSOR -> meta.put("next_cursor", next);
            case CURSOR_HEADER -> { if (next != null) ex.getResponseHeaders().set("X-Next-Cursor", next); }
            case NEXT_URL -> body.put("links", linkMap(nextPath == null ? null : base + nextPath));
            case NEXT_URL_RELATIVE -> body.put("links", linkMap(nextPath));
            case LINK_HEADER -> {
                if (nextPath != null) ex.getResponseHeaders().add("Link", "<" + base + nextPath + ">; rel=\"next\"");
                ex.getResponseHeaders().add("Link", "<" + base + LEADS_PATH + "?limit=" + page.limit() + page.filter().query() + ">; rel=\"first\"");
            }
            case KEYSET -> body.put("has_more", more);
            case OFFSET -> meta.put("offset", page.position());
            case PAGE -> {
                meta.put("page", page.position() / page.limit() + 1);
                if (config.reportTotal) meta.put("total_pages", (matching.length + page.limit() - 1) / page.limit());
            }
        }
        if (config.reportTotal) meta.put("total", matching.length);
        meta.put("limit", page.limit());
        body.put("meta", meta);
        if (truncate) {
            stats.truncated.incrementAndGet();
            stats.record(new SimulatorStats.RequestRecord(arrived, cursorKey, -2, null));
            byte[] bytes = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            OutputStream out = ex.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            return; // closing with bytes owed cuts the connection mid-body
        }
        if (page.firstPage()) stats.firstPages.incrementAndGet();
        if (duplicate) stats.duplicatePagesServed.incrementAndGet();
        stats.pageServed(cursorKey, data.size());
        stats.record(new SimulatorStats.RequestRecord(arrived, cursorKey, 200, null));
        // a JSON array for a body (GitHub's list endpoints): whatever paging the body held is gone, headers remain
        send(ex, 200, "array".equals(config.pageShape) ? data : body);
        liveChanges();
    }

    /** HubSpot's shape: {"id":…, "properties":{…the lead's fields…}, "archived":false} per record. */
    private static List<Map<String, Object>> nested(List<Map<String, Object>> leads) {
        List<Map<String, Object>> results = new ArrayList<>(leads.size());
        for (Map<String, Object> lead : leads) {
            Map<String, Object> properties = new LinkedHashMap<>(lead);
            Object id = properties.remove("id");
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", id);
            record.put("properties", properties);
            record.put("archived", false);
            results.add(record);
        }
        return results;
    }

    private static Map<String, Object> linkMap(String next) {
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("next", next);
        return links;
    }

    /** Live inserts and deletes at the front of the list, every so many pages, as busy CRMs do. */
    private void liveChanges() {
        long pages = stats.pages();
        if (config.liveInsertEvery > 0 && pages % config.liveInsertEvery == 0) {
            dataset.insertAt(0);
            stats.liveInserts.incrementAndGet();
        }
        if (config.liveDeleteEvery > 0 && pages % config.liveDeleteEvery == 0) {
            dataset.deleteAt(0);
            stats.liveDeletes.incrementAndGet();
        }
    }

    private static final int[] SERVER_ERRORS = {500, 502, 503, 504};

    private synchronized double nextRandom() {
        if (random == null || randomSeed != config.faultSeed) {
            random = new java.util.Random(config.faultSeed);
            randomSeed = config.faultSeed;
        }
        return random.nextDouble();
    }

    /** Why the caller is not let in (null: it is), by the configured auth kind. */
    String refusal(HttpExchange ex) {
        switch (config.auth) {
            case "basic" -> {
                String expected = "Basic " + Base64.getEncoder().encodeToString((config.basicUser + ":" + config.basicPassword).getBytes(StandardCharsets.UTF_8));
                return expected.equals(ex.getRequestHeaders().getFirst("Authorization")) ? null : "invalid or missing basic credentials";
            }
            case "oauth2" -> {
                if (!oauth.authorized(ex)) return "invalid_token: the access token is invalid or expired";
                // after every N-th request let in, every token issued so far stops working (this one is still served)
                int every = config.oauthRevokeAccessEvery;
                if (every > 0 && revokeCounter.incrementAndGet() % every == 0) oauth.revokeAccessTokens();
                return null;
            }
            default -> {
                String key = ex.getRequestHeaders().getFirst(config.apiKeyHeader);
                return key != null && key.equals(config.apiKey) ? null : "invalid or missing API key in header " + config.apiKeyHeader;
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicLong revokeCounter = new java.util.concurrent.atomic.AtomicLong();

    private void handleStats(HttpExchange ex) throws IOException {
        try (ex) {
            if ("DELETE".equals(ex.getRequestMethod())) stats.reset();
            send(ex, 200, stats.toJson());
        }
    }

    /** The quota in the configured header style. */
    void rateLimitHeaders(HttpExchange ex, FixedWindowQuota.Decision d, long now) {
        QuotaHeaders.write(ex.getResponseHeaders(), config.headerStyle, d, quota.windowMillis, now);
    }

    /** Retry-After in the configured style; returns what was sent (null for none). */
    String retryAfter(HttpExchange ex, long now, long waitMillis) {
        return QuotaHeaders.retryAfter(ex.getResponseHeaders(), config.retryAfterStyle, now, waitMillis);
    }

    static String encodeCursor(int lastIndex) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("after:" + lastIndex).getBytes(StandardCharsets.UTF_8));
    }

    static int decodeCursor(String cursor) {
        if (cursor.endsWith("~")) cursor = cursor.substring(0, cursor.length() - 1); // the same place, named differently
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (!raw.startsWith("after:")) throw new IllegalArgumentException("not a cursor");
        try {
            return Integer.parseInt(raw.substring(6));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a cursor", e);
        }
    }

    /** Real APIs do not answer in a fixed time: latencyMillis spread by ± latencyJitter (not seeded: timing only). */
    long latency() {
        if (config.latencyJitter == 0) return config.latencyMillis;
        double spread = (java.util.concurrent.ThreadLocalRandom.current().nextDouble() * 2 - 1) * config.latencyJitter;
        return Math.round(config.latencyMillis * (1 + spread));
    }

    static void pause(long millis) {
        if (millis <= 0) return;
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
