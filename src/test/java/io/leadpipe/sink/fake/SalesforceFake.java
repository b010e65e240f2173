package io.leadpipe.sink.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Salesforce REST, as documented:
 * <ul>
 * <li>sObject Collections upsert, {@code PATCH /services/data/vXX.X/composite/sobjects/{SObject}/{ExternalIdField}} with
 *     {@code {"allOrNone":false,"records":[{"attributes":{"type":…},…}]}}: up to 200 records of the type in the URI, each with an
 *     attributes map; results in the order sent; 400 for a request that is not well formed:
 *     https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html</li>
 * <li>UpsertResult {@code {id, success, errors[{statusCode, message, fields}], created}}:
 *     https://developer.salesforce.com/docs/atlas.en-us.api.meta/object_ref/sforce_api_calls_upsert_upsertresult.htm</li>
 * <li>SOQL, {@code GET /services/data/vXX.X/query?q=SELECT … FROM … WHERE … IN (…)}, answered
 *     {@code {"totalSize","done","records":[{"attributes":{"type","url"},…}]}} (REST API guide, Query).</li>
 * <li>{@code Sforce-Limit-Info: api-usage=used/limit} on every answer (a rolling 24 h allowance); spent: 403
 *     {@code [{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]} (REST API guide, Limit Info
 *     Header; Status Codes and Error Responses).</li>
 * <li>Lead requires LastName and Company: a record without them is REQUIRED_FIELD_MISSING, naming the fields.</li>
 * <li>sObject Collections delete, {@code DELETE /services/data/vXX.X/composite/sobjects?ids=id,id&allOrNone=false}: up to 200 ids,
 *     200 with one DeleteResult {@code {id, success, errors[]}} per id in the order given, 400 when not well formed:
 *     https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-delete.html; a
 *     deleted record goes to the Recycle Bin, where deleting it again is {@code ENTITY_IS_DELETED} (API Status Codes), and a
 *     SOQL query (not queryAll) no longer returns it.</li>
 * </ul>
 */
public final class SalesforceFake extends CrmFake {

    public static final String VERSION = "60.0";
    public final String object = "Lead";
    public final String externalId = "Leadpipe_Email__c";
    private final Set<String> fields = Set.of("Leadpipe_Email__c", "Email", "FirstName", "LastName", "Company", "Title", "Website", "Country",
            "Industry", "NumberOfEmployees", "AnnualRevenue", "LeadSource", "Leadpipe_Source__c");
    private final Map<String, Map<String, Object>> leads = new ConcurrentHashMap<>();
    /** Records (by external id) an approval process locks: deleting one is ENTITY_IS_LOCKED (API Status Codes). */
    public final Set<String> locked = ConcurrentHashMap.newKeySet();
    /** The Recycle Bin: deleted records, by Id. */

    private final Map<String, Map<String, Object>> recycleBin = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    public SalesforceFake(String token) throws IOException {
        super(token);
        windowMillis = 86_400_000; // the org's API requests per rolling 24 hours
    }

    /** The leadpipe setting for the CRM URL: the org's instance. */
    public String url() {
        return baseUrl();
    }

    @Override
    protected void refuseAuth(HttpExchange ex) throws IOException {
        send(ex, 401, List.of(Map.of("message", "Session expired or invalid", "errorCode", "INVALID_SESSION_ID")));
    }

    @Override
    protected void quotaHeaders(HttpExchange ex, int remaining) {
        int limit = windowLimit == 0 ? 100_000 : windowLimit;
        ex.getResponseHeaders().set("Sforce-Limit-Info", "api-usage=" + (remaining < 0 ? requests() : limit - remaining) + "/" + limit);
    }

    @Override
    protected void refuseQuota(HttpExchange ex) throws IOException {
        send(ex, 403, List.of(Map.of("message", "TotalRequests Limit exceeded.", "errorCode", "REQUEST_LIMIT_EXCEEDED")));
    }

    @Override
    protected void handle(HttpExchange ex, String method, String path, String rawQuery, JsonNode body) throws IOException {
        String base = "/services/data/v" + VERSION;
        if (method.equals("PATCH") && path.equals(base + "/composite/sobjects/" + object + "/" + externalId)) upsert(ex, body);
        else if (method.equals("GET") && path.equals(base + "/query")) query(ex, rawQuery);
        else if (method.equals("DELETE") && path.equals(base + "/composite/sobjects")) delete(ex, rawQuery);
        else send(ex, 404, List.of(Map.of("message", "The requested resource does not exist", "errorCode", "NOT_FOUND")));
    }

    private void upsert(HttpExchange ex, JsonNode body) throws IOException {
        JsonNode records = body == null ? null : body.path("records");
        if (records == null || !records.isArray() || records.isEmpty() || records.size() > 200) {
            send(ex, 400, List.of(Map.of("message", "Records may contain 1 to 200 objects", "errorCode", "EXCEEDED_ID_LIMIT")));
            return;
        }
        for (JsonNode r : records) {
            if (!object.equals(r.path("attributes").path("type").asText())) {
                send(ex, 400, List.of(Map.of("message", "Each record needs an attributes map with type " + object, "errorCode", "INVALID_TYPE")));
                return;
            }
            for (var it = r.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("attributes") && !fields.contains(f)) {
                    send(ex, 400, List.of(Map.of("message", "No such column '" + f + "' on sobject of type " + object, "errorCode", "INVALID_FIELD")));
                    return;
                }
            }
        }
        List<Object> results = new ArrayList<>();
        for (JsonNode r : records) {
            String key = r.path(externalId).asText("").toLowerCase(Locale.ROOT);
            List<String> missing = new ArrayList<>();
            Map<String, Object> held = leads.get(key);
            for (String required : List.of("LastName", "Company")) {
                boolean has = r.hasNonNull(required) && !r.get(required).asText().isBlank();
                if (!has && (held == null || held.get(required) == null)) missing.add(required);
            }
            if (key.isEmpty()) {
                refused();
                results.add(failure("MISSING_ARGUMENT", externalId + " not specified", List.of(externalId)));
                continue;
            }
            if (!missing.isEmpty()) {
                refused();
                results.add(failure("REQUIRED_FIELD_MISSING", "Required fields are missing: " + missing, missing));
                continue;
            }
            synchronized (this) {
                boolean created = held == null;
                Map<String, Object> stored = created ? new LinkedHashMap<>() : new LinkedHashMap<>(held);
                if (created) stored.put("Id", String.format("00Q5g00000%08d", nextId.getAndIncrement()));
                r.fields().forEachRemaining(e -> {
                    if (!e.getKey().equals("attributes")) stored.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
                });
                // a number field comes back as a number: AnnualRevenue is a currency (double)
                if (stored.get("AnnualRevenue") instanceof Number n) stored.put("AnnualRevenue", n.doubleValue());
                leads.put(key, stored);
                wrote(key);
                Map<String, Object> ok = new LinkedHashMap<>();
                ok.put("id", stored.get("Id"));
                ok.put("success", true);
                ok.put("errors", List.of());
                ok.put("created", created);
                results.add(ok);
            }
        }
        send(ex, 200, results);
    }

    private void delete(HttpExchange ex, String rawQuery) throws IOException {
        deleteCall();
        String ids = null;
        boolean allOrNone = false;
        for (String p : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            if (p.startsWith("ids=")) ids = URLDecoder.decode(p.substring(4), StandardCharsets.UTF_8);
            if (p.equals("allOrNone=true")) allOrNone = true;
        }
        if (ids == null || ids.isBlank() || ids.split(",").length > 200 || allOrNone) {
            send(ex, 400, List.of(Map.of("message", "ids must name 1 to 200 records (this fake: allOrNone=false only)", "errorCode", "INVALID_ID_FIELD")));
            return;
        }
        List<Object> results = new ArrayList<>();
        for (String id : ids.split(",")) {
            synchronized (this) {
                String key = leads.entrySet().stream().filter(e -> id.equals(e.getValue().get("Id"))).map(Map.Entry::getKey).findFirst().orElse(null);
                if (key != null && locked.contains(key)) {
                    Map<String, Object> f = failure("ENTITY_IS_LOCKED", "This record is locked. If you need to edit it, contact your admin", List.of());
                    f.put("id", id);
                    results.add(f);
                } else if (key != null) {
                    recycleBin.put(id, leads.remove(key));
                    deleted(key);
                    results.add(Map.of("id", id, "success", true, "errors", List.of()));
                } else {
                    deletedGone();
                    boolean binned = recycleBin.containsKey(id);
                    Map<String, Object> f = failure(binned ? "ENTITY_IS_DELETED" : "INVALID_CROSS_REFERENCE_KEY", binned ? "entity is deleted" : "invalid cross reference id", List.of());
                    f.put("id", id);
                    results.add(f);
                }
            }
        }
        if (loseDeleteAnswer(ex)) return;
        send(ex, 200, results);
    }

    private static Map<String, Object> failure(String code, String message, List<String> fields) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("success", false);
        f.put("errors", List.of(Map.of("statusCode", code, "message", message, "fields", fields)));
        return f;
    }

    private static final Pattern SOQL = Pattern.compile("SELECT (.+) FROM (\\w+) WHERE (\\w+) IN \\((.*)\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern LITERAL = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'");

    private void query(HttpExchange ex, String rawQuery) throws IOException {
        String q = null;
        for (String p : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            if (p.startsWith("q=")) q = URLDecoder.decode(p.substring(2), StandardCharsets.UTF_8);
        }
        Matcher m = q == null ? null : SOQL.matcher(q.trim());
        if (m == null || !m.matches() || !m.group(2).equals(object) || !m.group(3).equals(externalId)) {
            send(ex, 400, List.of(Map.of("message", "unexpected SOQL: " + q, "errorCode", "MALFORMED_QUERY")));
            return;
        }
        List<String> select = new ArrayList<>();
        for (String f : m.group(1).split(",")) select.add(f.trim());
        List<Object> records = new ArrayList<>();
        Matcher lit = LITERAL.matcher(m.group(4));
        while (lit.find()) {
            String key = lit.group(1).replace("\\'", "'").replace("\\\\", "\\").toLowerCase(Locale.ROOT);
            Map<String, Object> held = leads.get(key);
            if (held == null) continue;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("attributes", Map.of("type", object, "url", "/services/data/v" + VERSION + "/sobjects/" + object + "/" + held.get("Id")));
            for (String f : select) r.put(f, held.get(f)); // null when the record has no value
            records.add(r);
        }
        send(ex, 200, Map.of("totalSize", records.size(), "done", true, "records", records));
    }

    @Override
    public Map<String, Map<String, Object>> records() {
        return Map.copyOf(leads);
    }

    @Override
    public int duplicates() {
        return 0; // one record per external id by construction: the upsert's key is unique
    }
}
