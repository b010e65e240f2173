package io.leadpipe.sink.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Zoho CRM API v7 Leads, as documented (zoho.com/crm/developer/docs/api):
 * <ul>
 * <li>Upsert, {@code POST /crm/v7/Leads/upsert} {@code {"data":[…],"duplicate_check_fields":["Email"]}}, at most 100 records:
 *     a record whose duplicate-check value exists is updated, else inserted; one {@code {code, details, message, status,
 *     action, duplicate_field}} per record, in order; a missing mandatory field is {@code MANDATORY_NOT_FOUND} with
 *     {@code details.api_name} (upsert-records.html). All refused: 400 with the same list; some: 207.</li>
 * <li>COQL, {@code POST /crm/v7/coql} {@code {"select_query":"select … from Leads where Email in (…)"}} →
 *     {@code {"data":[…],"info":{"count","more_records"}}}, or 204 when nothing matches (COQL-Overview.html).</li>
 * <li>{@code Authorization: Zoho-oauthtoken …}.</li>
 * <li>Limits (https://www.zoho.com/crm/developer/docs/api/v4/api-limits.html and https://www.zoho.com/crm/help/api/api-limits.html,
 *     the credit table every version since v2 repeats; Zoho's Kaizen #203 "Handling API Limits and Error Responses",
 *     https://help.zoho.com/portal/en-gb/community/topic/kaizen-203-answering-your-questions-handling-api-limits-and-error-responses;
 *     Kaizen #93 "Credit Calculation and Concurrency in Zoho CRM APIs", the rolling window): <b>API credits
 *     per rolling 24 hours</b> per organisation — each call is 1 credit unless the credit table says otherwise (it does
 *     for Convert Lead, 5; an upsert or a COQL query is 1 here), and a call is allowed when the credits of the 24 hours
 *     before it leave room — by edition (see {@link Edition}); <b>concurrency</b>, the calls of one app active at once:
 *     Free 5, Standard 10, Professional 15, Enterprise 20, Ultimate 25; <b>sub-concurrency</b> of resource-intensive
 *     APIs, 10 at once whatever the edition — among them COQL queries and inserts/updates/upserts of more than 10 records.
 *     Over any of them: 429 {@code {"code":"TOO_MANY_REQUESTS","status":"error",…}}. Zoho sends no quota headers (no
 *     remaining, no reset, no Retry-After): the client counts its own calls. The messages' wording is the fake's.</li>
 * <li>Delete, {@code DELETE /crm/v7/Leads?ids=id1,id2} (at most 100 ids; wf_trigger optional) → one
 *     {@code {"code":"SUCCESS","details":{"id"},"message":"record deleted","status":"success"}} per id; the records go to the
 *     recycle bin and COQL no longer finds them (https://zoho.com/crm/developer/docs/api/v7/delete-records.html). An id that
 *     names no live record: {@code INVALID_DATA} "the related id given seems to be invalid" with {@code details.id}.</li>
 * </ul>
 */
public final class ZohoFake extends CrmFake {

    private final Set<String> fields = Set.of("Email", "First_Name", "Last_Name", "Company", "Designation", "Website", "Country",
            "Industry", "No_of_Employees", "Annual_Revenue", "Lead_Source");
    private final Map<String, Map<String, Object>> leads = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> recycleBin = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    /**
     * Zoho CRM's editions: credits per rolling 24 h = base + user licences × per licence, at most {@code most} (add-on
     * credits aside), and calls one app may have active at once (api-limits.html; Kaizen #203).
     */
    public enum Edition {
        FREE(5_000, 0, 5_000, 5), STANDARD(50_000, 250, 100_000, 10), PROFESSIONAL(50_000, 500, 3_000_000, 15),
        ENTERPRISE(50_000, 1_000, 5_000_000, 20), ULTIMATE(50_000, 2_000, Integer.MAX_VALUE, 25);

        final int base, perUser, most, concurrency;

        Edition(int base, int perUser, int most, int concurrency) {
            this.base = base;
            this.perUser = perUser;
            this.most = most;
            this.concurrency = concurrency;
        }

        public int credits(int users) {
            return (int) Math.min(most, base + (long) users * perUser);
        }

        public int concurrency() {
            return concurrency;
        }
    }

    /** Sub-concurrency: COQL queries and writes of more than 10 records, each at most this many at once. */
    public static final int SUB_CONCURRENCY = 10;
    private final AtomicInteger queries = new AtomicInteger();
    private final AtomicInteger bigWrites = new AtomicInteger();

    /** The Free edition (5,000 credits a rolling day, 5 calls at once) until {@link #edition} says otherwise. */
    public ZohoFake(String token) throws IOException {
        super(token);
        windowMillis = 86_400_000;
        edition(Edition.FREE, 1);
    }

    /** The organisation's edition and user licences: its credits per rolling 24 h and its concurrency. */
    public ZohoFake edition(Edition edition, int users) {
        windowLimit = edition.credits(users);
        concurrencyLimit = edition.concurrency();
        return this;
    }

    public String url() {
        return baseUrl();
    }

    @Override
    protected boolean authorized(HttpExchange ex) {
        return ("Zoho-oauthtoken " + token).equals(ex.getRequestHeaders().getFirst("Authorization"));
    }

    @Override
    protected void refuseAuth(HttpExchange ex) throws IOException {
        send(ex, 401, Map.of("code", "INVALID_TOKEN", "details", Map.of(), "message", "invalid oauth token", "status", "error"));
    }

    @Override
    protected void quotaHeaders(HttpExchange ex, int remaining) {
        // Zoho documents credits and concurrency, not headers for them
    }

    @Override
    protected void refuseQuota(HttpExchange ex) throws IOException {
        send(ex, 429, Map.of("code", "TOO_MANY_REQUESTS", "details", Map.of(), "message",
                "the API credits of the last 24 hours are used up", "status", "error"));
    }

    @Override
    protected void refuseConcurrency(HttpExchange ex) throws IOException {
        send(ex, 429, Map.of("code", "TOO_MANY_REQUESTS", "details", Map.of(), "message",
                "too many calls at once for this app (concurrency or sub-concurrency limit)", "status", "error"));
    }

    @Override
    protected boolean admit(String path, JsonNode body) {
        AtomicInteger sub = subConcurrency(path, body);
        if (sub == null) return true;
        if (sub.incrementAndGet() <= SUB_CONCURRENCY) return true;
        sub.decrementAndGet();
        return false;
    }

    @Override
    protected void release(String path, JsonNode body) {
        AtomicInteger sub = subConcurrency(path, body);
        if (sub != null) sub.decrementAndGet();
    }

    /** The sub-concurrency counter a call takes a slot of (null: only the app's concurrency applies). */
    private AtomicInteger subConcurrency(String path, JsonNode body) {
        if (path.equals("/crm/v7/coql")) return queries;
        if (path.equals("/crm/v7/Leads/upsert") && body != null && body.path("data").size() > 10) return bigWrites;
        return null;
    }

    @Override
    protected void handle(HttpExchange ex, String method, String path, String rawQuery, JsonNode body) throws IOException {
        if (method.equals("POST") && path.equals("/crm/v7/Leads/upsert")) upsert(ex, body);
        else if (method.equals("POST") && path.equals("/crm/v7/coql")) coql(ex, body);
        else if (method.equals("DELETE") && path.equals("/crm/v7/Leads")) delete(ex, rawQuery);
        else send(ex, 404, Map.of("code", "INVALID_URL_PATTERN", "details", Map.of(), "message", "Please check if the URL trying to access is a correct one", "status", "error"));
    }

    private void upsert(HttpExchange ex, JsonNode body) throws IOException {
        JsonNode data = body == null ? null : body.path("data");
        if (data == null || !data.isArray() || data.isEmpty() || data.size() > 100 || !"Email".equals(body.path("duplicate_check_fields").path(0).asText())) {
            send(ex, 400, Map.of("code", "INVALID_DATA", "details", Map.of(), "message", "data must hold 1 to 100 records, duplicate_check_fields [Email]", "status", "error"));
            return;
        }
        List<Object> results = new ArrayList<>();
        int failed = 0;
        for (JsonNode r : data) {
            String email = r.path("Email").asText("").toLowerCase(Locale.ROOT);
            String unknown = null;
            for (var it = r.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!fields.contains(f)) unknown = f;
            }
            Map<String, Object> held = leads.get(email);
            Map<String, Object> result = new LinkedHashMap<>();
            if (unknown != null) {
                result.putAll(Map.of("code", "INVALID_DATA", "details", Map.of("api_name", unknown), "message", "invalid data", "status", "error"));
            } else if ((r.path("Last_Name").asText("").isBlank()) && (held == null || held.get("Last_Name") == null)) {
                result.putAll(Map.of("code", "MANDATORY_NOT_FOUND", "details", Map.of("api_name", "Last_Name", "json_path", "$.data[" + results.size() + "].Last_Name"),
                        "message", "required field not found", "status", "error"));
            }
            if (!result.isEmpty()) {
                refused();
                failed++;
                results.add(result);
                continue;
            }
            synchronized (this) {
                boolean insert = !leads.containsKey(email);
                Map<String, Object> stored = insert ? new LinkedHashMap<>() : new LinkedHashMap<>(leads.get(email));
                if (insert) stored.put("id", Long.toString(5_725_767_000_000_000_000L + nextId.getAndIncrement()));
                r.fields().forEachRemaining(e -> stored.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
                stored.put("Email", email);
                leads.put(email, stored);
                wrote(email);
                result.put("code", "SUCCESS");
                result.put("duplicate_field", insert ? null : "Email");
                result.put("action", insert ? "insert" : "update");
                result.put("details", Map.of("id", stored.get("id"), "Modified_Time", "2026-12-05T16:00:00+00:00"));
                result.put("message", insert ? "record added" : "record updated");
                result.put("status", "success");
                results.add(result);
            }
        }
        send(ex, failed == 0 ? 200 : failed == results.size() ? 400 : 207, Map.of("data", results));
    }

    private void delete(HttpExchange ex, String rawQuery) throws IOException {
        deleteCall();
        String ids = null;
        for (String p : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            if (p.startsWith("ids=")) ids = java.net.URLDecoder.decode(p.substring(4), java.nio.charset.StandardCharsets.UTF_8);
        }
        if (ids == null || ids.isBlank() || ids.split(",").length > 100) {
            send(ex, 400, Map.of("code", "INVALID_DATA", "details", Map.of(), "message", "ids must name 1 to 100 records", "status", "error"));
            return;
        }
        List<Object> data = new ArrayList<>();
        int failed = 0;
        for (String id : ids.split(",")) {
            synchronized (this) {
                String email = leads.entrySet().stream().filter(e -> id.equals(e.getValue().get("id"))).map(Map.Entry::getKey).findFirst().orElse(null);
                if (email == null) {
                    deletedGone();
                    failed++;
                    data.add(Map.of("code", "INVALID_DATA", "details", Map.of("id", id), "message", "the related id given seems to be invalid", "status", "error"));
                    continue;
                }
                recycleBin.put(id, leads.remove(email));
                deleted(email);
                data.add(Map.of("code", "SUCCESS", "details", Map.of("id", id), "message", "record deleted", "status", "success"));
            }
        }
        if (loseDeleteAnswer(ex)) return;
        send(ex, failed == 0 ? 200 : failed == data.size() ? 400 : 207, Map.of("data", data));
    }

    private static final Pattern COQL = Pattern.compile("select (.+) from Leads where Email in \\((.*)\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern LITERAL = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

    private void coql(HttpExchange ex, JsonNode body) throws IOException {
        Matcher m = COQL.matcher(body == null ? "" : body.path("select_query").asText(""));
        if (!m.matches()) {
            send(ex, 400, Map.of("code", "SYNTAX_ERROR", "details", Map.of(), "message", "unexpected query", "status", "error"));
            return;
        }
        List<String> values = new ArrayList<>();
        Matcher lit = LITERAL.matcher(m.group(2));
        while (lit.find()) values.add(lit.group(1).replace("\\'", "'").replace("\\\\", "\\").toLowerCase(Locale.ROOT));
        if (values.size() > 50) {
            send(ex, 400, Map.of("code", "LIMIT_EXCEEDED", "details", Map.of(), "message", "in takes at most 50 values", "status", "error"));
            return;
        }
        List<Object> data = new ArrayList<>();
        for (String v : values) {
            Map<String, Object> held = leads.get(v);
            if (held == null) continue;
            Map<String, Object> r = new LinkedHashMap<>();
            for (String f : m.group(1).split(",")) r.put(f.trim(), held.get(f.trim()));
            r.put("id", held.get("id"));
            data.add(r);
        }
        if (data.isEmpty()) {
            ex.sendResponseHeaders(204, -1);
            return;
        }
        send(ex, 200, Map.of("data", data, "info", Map.of("count", data.size(), "more_records", false)));
    }

    @Override
    public Map<String, Map<String, Object>> records() {
        return Map.copyOf(leads);
    }

    @Override
    public int duplicates() {
        return 0; // the duplicate-check field keeps one record per e-mail
    }
}
