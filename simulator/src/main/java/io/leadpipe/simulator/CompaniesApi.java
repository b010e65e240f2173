package io.leadpipe.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parents and children, shaped the way CRMs nest them (Pipedrive organizations → persons, HubSpot company →
 * contact associations), on the leads API's key, quota and rate-limit headers:
 * <ul>
 *   <li>{@code GET /v1/companies?limit=&offset=} — offset paging with a total:
 *       {@code {"data":[{"id":"co-00001","name":…,"domain":…,"contacts_count":12}], "meta":{"total":50,"offset":0,"limit":20}}}</li>
 *   <li>{@code GET /v1/companies/{id}/contacts?limit=&after=} — a company's contacts, cursor paging HubSpot-style:
 *       {@code {"results":[…contacts…], "paging":{"next":{"after":"…","link":"…"}}, "total":12}} (no {@code paging} on the last page)</li>
 *   <li>{@code GET /v1/contacts?company_id=co-00001&limit=&after=} — the same lists as a flat endpoint with a filter.</li>
 * </ul>
 * A company has 0 to {@code maxContactsPerCompany} contacts (seeded; every 7th none at all); contact ids are
 * lead ids, unique across companies. An unknown company is a 404.
 */
public final class CompaniesApi {

    public static final String COMPANIES_PATH = "/v1/companies";
    public static final String CONTACTS_PATH = "/v1/contacts";

    private final LeadsApiSimulator api;
    private final SimulatorConfig config;
    private final int[] firstContact;
    private final LeadDataset contacts;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();

    CompaniesApi(LeadsApiSimulator api, SimulatorConfig config) {
        this.api = api;
        this.config = config;
        java.util.Random r = new java.util.Random(config.seed * 31 + 7);
        firstContact = new int[config.companies + 1];
        for (int c = 0; c < config.companies; c++) {
            int n = c % 7 == 3 ? 0 : r.nextInt(config.maxContactsPerCompany + 1);
            firstContact[c + 1] = firstContact[c] + n;
        }
        contacts = new LeadDataset(firstContact[config.companies], config.seed + 1);
    }

    public static String companyId(int index) {
        return String.format(java.util.Locale.ROOT, "co-%05d", index + 1);
    }

    /** The most requests this API was answering at once (allowed ones, during their latency). */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    public int companies() {
        return config.companies;
    }

    /** Contacts of the company at this index: its own, and the previous company's first when it shares one. */
    public int contactsOf(int company) {
        return own(company) + (sharesOne(company) ? 1 : 0);
    }

    private int own(int company) {
        return firstContact[company + 1] - firstContact[company];
    }

    /** sharedContactEvery: this company also lists the previous company's first contact. */
    private boolean sharesOne(int company) {
        int every = config.sharedContactEvery;
        return every > 0 && company > 0 && company % every == every - 1 && own(company - 1) > 0;
    }

    /** Every contact id of every company, in order: what a complete parent → child pull stores. */
    public List<String> allContactIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < contacts.size(); i++) ids.add(String.valueOf(contacts.lead(i).get("id")));
        return ids;
    }

    /** The sum of the companies' list totals: a contact under two companies counts twice. */
    public long listedContacts() {
        long n = 0;
        for (int c = 0; c < config.companies; c++) n += contactsOf(c);
        return n;
    }

    void handle(HttpExchange ex) throws IOException {
        try (ex) {
            api.stats.requests.incrementAndGet();
            long arrived = System.currentTimeMillis();
            if (api.refusal(ex) != null) {
                api.stats.unauthorized.incrementAndGet();
                LeadsApiSimulator.send(ex, 401, Map.of("error", "invalid or missing API key"));
                return;
            }
            String path = ex.getRequestURI().getPath();
            QueryString q = QueryString.parse(ex.getRequestURI().getRawQuery());
            int limit;
            try {
                limit = q.first("limit") == null ? config.defaultPageSize : Integer.parseInt(q.first("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > config.maxPageSize) {
                LeadsApiSimulator.send(ex, 400, Map.of("error", "limit must be between 1 and " + config.maxPageSize));
                return;
            }
            int company = -1;
            if (path.startsWith(COMPANIES_PATH + "/") && path.endsWith("/contacts")) {
                company = companyIndex(path.substring(COMPANIES_PATH.length() + 1, path.length() - "/contacts".length()));
            } else if (path.equals(CONTACTS_PATH)) {
                company = q.first("company_id") == null ? -2 : companyIndex(q.first("company_id"));
            } else if (!path.equals(COMPANIES_PATH)) {
                company = -2;
            }
            if (company == -2) {
                LeadsApiSimulator.send(ex, 404, Map.of("error", "no such endpoint: " + path));
                return;
            }
            boolean children = !path.equals(COMPANIES_PATH);
            if (children && company < 0) {
                LeadsApiSimulator.send(ex, 404, Map.of("error", "no such company"));
                return;
            }
            int from;
            try {
                from = children ? after(q.first("after"), company) : q.first("offset") == null ? 0 : Integer.parseInt(q.first("offset"));
            } catch (IllegalArgumentException e) {
                LeadsApiSimulator.send(ex, 400, Map.of("error", children ? "invalid cursor" : "offset must be a whole number"));
                return;
            }
            String key = children ? (path.equals(CONTACTS_PATH) ? "contacts?company_id=" : "contacts:") + companyId(company) + "|" + (q.first("after") == null ? "" : q.first("after")) : "companies|o:" + from;
            api.stats.requestFor(key);
            FixedWindowQuota.Decision d = api.quota.acquire(arrived);
            api.rateLimitHeaders(ex, d, arrived);
            if (!d.allowed()) {
                api.stats.rateLimited.incrementAndGet();
                if (d.avoidable()) api.stats.avoidableRateLimited.incrementAndGet();
                api.stats.record(new SimulatorStats.RequestRecord(arrived, key, 429, api.retryAfter(ex, arrived, d.resetEpochMillis() - arrived)));
                LeadsApiSimulator.send(ex, 429, Map.of("error", "rate limit exceeded"));
                return;
            }
            String failAt = config.failContactsAt;
            if (children && failAt != null && failAt.equals(companyId(company) + ":" + (from / limit + 1))) {
                api.stats.record(new SimulatorStats.RequestRecord(arrived, key, 400, null));
                LeadsApiSimulator.send(ex, 400, Map.of("error", "injected failure on " + failAt));
                return;
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                LeadsApiSimulator.pause(api.latency());
            } finally {
                inFlight.decrementAndGet();
            }
            Map<String, Object> body = children ? contactsPage(company, from, limit, path, q) : companiesPage(from, limit);
            int served = ((List<?>) body.get(children ? "results" : "data")).size();
            api.stats.pageServed(key, served);
            api.stats.record(new SimulatorStats.RequestRecord(arrived, key, 200, null));
            LeadsApiSimulator.send(ex, 200, body);
        } catch (RuntimeException e) {
            LeadsApiSimulator.send(ex, 500, Map.of("error", "simulator error: " + e.getMessage()));
        }
    }

    private Map<String, Object> companiesPage(int offset, int limit) {
        List<Map<String, Object>> data = new ArrayList<>();
        for (int c = Math.max(0, offset); c < Math.min(config.companies, offset + limit); c++) {
            Map<String, Object> company = new LinkedHashMap<>();
            company.put("id", companyId(c));
            company.put("name", LeadDataset.COMPANY_A[c % LeadDataset.COMPANY_A.length] + " " + LeadDataset.COMPANY_B[(c / 8) % LeadDataset.COMPANY_B.length] + " " + (c + 1));
            company.put("domain", "company" + (c + 1) + ".example.com");
            company.put("contacts_count", contactsOf(c));
            data.add(company);
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("total", config.companies);
        meta.put("offset", offset);
        meta.put("limit", limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", data);
        body.put("meta", meta);
        return body;
    }

    private Map<String, Object> contactsPage(int company, int from, int limit, String path, QueryString q) {
        int count = contactsOf(company);
        int to = Math.min(count, from + limit);
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            // past its own contacts: the one it shares with the previous company
            int index = i < own(company) ? firstContact[company] + i : firstContact[company - 1];
            Map<String, Object> contact = new LinkedHashMap<>(contacts.lead(index));
            contact.put("company_id", companyId(company));
            results.add(contact);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("results", results);
        if (to < count) {
            String after = cursor(company, to);
            String link = path + "?limit=" + limit + "&after=" + after + (q.first("company_id") == null ? "" : "&company_id=" + companyId(company));
            body.put("paging", Map.of("next", Map.of("after", after, "link", link)));
        }
        body.put("total", count);
        return body;
    }

    private int companyIndex(String id) {
        if (!id.startsWith("co-")) return -1;
        try {
            int index = Integer.parseInt(id.substring(3)) - 1;
            return index >= 0 && index < config.companies ? index : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A contacts cursor names the company and the position after the last contact served. */
    private static String cursor(int company, int next) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("c" + company + ":" + next).getBytes(StandardCharsets.UTF_8));
    }

    private static int after(String cursor, int company) {
        if (cursor == null || cursor.isEmpty()) return 0;
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (!raw.startsWith("c" + company + ":")) throw new IllegalArgumentException("not this company's cursor");
        return Integer.parseInt(raw.substring(raw.indexOf(':') + 1));
    }
}
