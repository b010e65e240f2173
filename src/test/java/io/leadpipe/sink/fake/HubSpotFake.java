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
import java.util.concurrent.atomic.AtomicLong;

/**
 * HubSpot CRM contacts, as documented:
 * <ul>
 * <li>Batch upsert, {@code POST /crm/v3/objects/contacts/batch/upsert}, {@code inputs[{idProperty, id, properties,
 *     objectWriteTraceId}]}: https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts
 *     — at most 100 inputs (https://developers.HubSpot.com/docs/methods/contacts/batch_create_or_update: "limited to 100").</li>
 * <li>Multi-status: with an objectWriteTraceId per input the answer is 207 with {@code errors[]} naming the inputs in
 *     {@code context.objectWriteTraceId}, each error a {@code category}, a {@code message}, and {@code errors[{message, code,
 *     in}]}: https://developers.hubspot.com/docs/api-reference/latest/error-handling</li>
 * <li>Batch read by a unique property, {@code POST .../batch/read} {@code {idProperty, inputs[{id}], properties[]}}: the
 *     requested properties come back as strings, beside HubSpot's own (hs_object_id, createdate, lastmodifieddate).</li>
 * <li>Limits: a rolling ten-second window per app, {@code X-HubSpot-RateLimit-Max}, {@code -Remaining},
 *     {@code -Interval-Milliseconds}, and the daily {@code X-HubSpot-RateLimit-Daily}/{@code -Daily-Remaining}; over it a 429
 *     {@code {"status":"error","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING",…}} without Retry-After:
 *     https://developers.HubSpot.com/docs/api/usage-details,
 *     https://developers.hubspot.com/changelog/burst-limits-are-increasing-for-api-key-authenticated-calls</li>
 * <li>Batch archive, {@code POST .../batch/archive} {@code {inputs[{id}]}} by HubSpot's record id, answered 204 with no body;
 *     archived contacts go to the recycling bin (restorable for 90 days):
 *     https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/delete-contacts — and 204 "regardless of
 *     the initial state of the object (e.g. active, already archived, non-existent)" (the generated client's documentation,
 *     https://www.rubydoc.info/gems/hubspot-api-client/2.3.2/Hubspot/Crm/Contacts/BatchApi). A batch read does not find them.</li>
 * </ul>
 * Properties a portal does not have are refused per input (PROPERTY_DOESNT_EXIST), as are invalid e-mails (INVALID_EMAIL).
 */
public final class HubSpotFake extends CrmFake {

    /** Default contact properties used by the shipped mapping, plus the custom ones the user created. */
    public final Set<String> properties = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, Object>> contacts = new ConcurrentHashMap<>();
    private final Map<String, String> objectIds = new ConcurrentHashMap<>();
    /** Archived contacts (the recycling bin), by e-mail. */
    private final Map<String, Map<String, Object>> archived = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(51);
    public volatile long daily = 500_000;

    public HubSpotFake(String token) throws IOException {
        super(token);
        properties.addAll(List.of("email", "firstname", "lastname", "jobtitle", "company", "website", "country", "industry",
                "annualrevenue", "numemployees", "lifecyclestage", "hs_lead_status", "phone", "city", "leadpipe_source"));
    }

    /** The leadpipe setting for the CRM URL: the contacts object. */
    public String url() {
        return baseUrl() + "/crm/v3/objects/contacts";
    }

    @Override
    protected void quotaHeaders(HttpExchange ex, int remaining) {
        if (remaining < 0) return;
        ex.getResponseHeaders().set("X-HubSpot-RateLimit-Max", Integer.toString(windowLimit == 0 ? 100 : windowLimit));
        ex.getResponseHeaders().set("X-HubSpot-RateLimit-Remaining", Integer.toString(remaining));
        ex.getResponseHeaders().set("X-HubSpot-RateLimit-Interval-Milliseconds", Long.toString(windowMillis));
        ex.getResponseHeaders().set("X-HubSpot-RateLimit-Daily", Long.toString(daily));
        ex.getResponseHeaders().set("X-HubSpot-RateLimit-Daily-Remaining", Long.toString(daily - requests()));
    }

    @Override
    protected void refuseQuota(HttpExchange ex) throws IOException {
        send(ex, 429, Map.of("status", "error", "message", "You have reached your ten_secondly_rolling limit.", "errorType", "RATE_LIMIT",
                "correlationId", "c033cdaa-2c40-4a64-ae48-b4cec88dad24", "policyName", "TEN_SECONDLY_ROLLING"));
    }

    @Override
    protected void handle(HttpExchange ex, String method, String path, String rawQuery, JsonNode body) throws IOException {
        if (!method.equals("POST")) send(ex, 405, Map.of("status", "error", "message", "method not allowed"));
        else if (path.equals("/crm/v3/objects/contacts/batch/upsert")) upsert(ex, body);
        else if (path.equals("/crm/v3/objects/contacts/batch/read")) read(ex, body);
        else if (path.equals("/crm/v3/objects/contacts/batch/archive")) archive(ex, body);
        else send(ex, 404, Map.of("status", "error", "message", "no such endpoint"));
    }

    private void upsert(HttpExchange ex, JsonNode body) throws IOException {
        JsonNode inputs = body == null ? null : body.path("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty() || inputs.size() > 100) {
            send(ex, 400, Map.of("status", "error", "category", "VALIDATION_ERROR", "message", "inputs must hold 1 to 100 records"));
            return;
        }
        List<Object> results = new ArrayList<>();
        List<Object> errors = new ArrayList<>();
        for (JsonNode in : inputs) {
            String trace = in.path("objectWriteTraceId").asText(null);
            if (!"email".equals(in.path("idProperty").asText())) {
                send(ex, 400, Map.of("status", "error", "category", "VALIDATION_ERROR", "message", "idProperty must be a unique property (email)"));
                return;
            }
            String email = in.path("id").asText("").toLowerCase(Locale.ROOT);
            Map<String, Object> error = null;
            for (var it = in.path("properties").fieldNames(); it.hasNext() && error == null; ) {
                String p = it.next();
                if (!properties.contains(p)) {
                    error = error("PROPERTY_DOESNT_EXIST", "Property \"" + p + "\" does not exist", p, trace);
                }
            }
            if (error == null && !email.matches("[^@\\s]+@[^@\\s]+\\.[a-z]{2,}")) {
                error = error("INVALID_EMAIL", "Property values were not valid: [{\"isValid\":false,\"message\":\"Email address " + email
                        + " is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}]", "email", trace);
            }
            if (error != null) {
                refused();
                errors.add(error);
                continue;
            }
            Map<String, Object> stored = new LinkedHashMap<>();
            in.path("properties").fields().forEachRemaining(e -> stored.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            stored.put("email", email);
            synchronized (this) {
                boolean isNew = !contacts.containsKey(email);
                String id = objectIds.computeIfAbsent(email, k -> Long.toString(nextId.getAndIncrement()));
                contacts.merge(email, stored, (old, now) -> {
                    Map<String, Object> m = new LinkedHashMap<>(old);
                    m.putAll(now);
                    return m;
                });
                wrote(email);
                results.add(Map.of("id", id, "properties", contacts.get(email), "new", isNew));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", "COMPLETE");
        answer.put("results", results);
        if (!errors.isEmpty()) {
            answer.put("numErrors", errors.size());
            answer.put("errors", errors);
        }
        send(ex, errors.isEmpty() ? 200 : 207, answer);
    }

    private static Map<String, Object> error(String code, String message, String property, String trace) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("status", "error");
        e.put("category", "VALIDATION_ERROR");
        e.put("message", message);
        e.put("context", trace == null ? Map.of() : Map.of("objectWriteTraceId", List.of(trace)));
        e.put("errors", List.of(Map.of("message", message, "code", code, "in", property)));
        return e;
    }

    private void read(HttpExchange ex, JsonNode body) throws IOException {
        List<String> wanted = new ArrayList<>();
        body.path("properties").forEach(p -> wanted.add(p.asText()));
        List<Object> results = new ArrayList<>();
        List<Object> errors = new ArrayList<>();
        for (JsonNode in : body.path("inputs")) {
            String email = in.path("id").asText("").toLowerCase(Locale.ROOT);
            Map<String, Object> c = contacts.get(email);
            if (c == null) {
                errors.add(Map.of("status", "error", "category", "OBJECT_NOT_FOUND", "message", "Could not get some CONTACT objects, they may be deleted or not exist.",
                        "context", Map.of("ids", List.of(email))));
                continue;
            }
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("hs_object_id", objectIds.get(email));
            props.put("createdate", "2026-12-05T10:00:00Z");
            props.put("lastmodifieddate", "2026-12-05T10:00:00Z");
            for (String w : wanted) props.put(w, c.get(w)); // null when the contact has no value
            results.add(Map.of("id", objectIds.get(email), "properties", props));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", "COMPLETE");
        answer.put("results", results);
        if (!errors.isEmpty()) answer.put("errors", errors);
        send(ex, errors.isEmpty() ? 200 : 207, answer);
    }

    private void archive(HttpExchange ex, JsonNode body) throws IOException {
        deleteCall();
        JsonNode inputs = body == null ? null : body.path("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty() || inputs.size() > 100) {
            send(ex, 400, Map.of("status", "error", "category", "VALIDATION_ERROR", "message", "inputs must hold 1 to 100 ids"));
            return;
        }
        for (JsonNode in : inputs) {
            String id = in.path("id").asText("");
            synchronized (this) {
                String email = objectIds.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).findFirst().orElse(null);
                Map<String, Object> c = email == null ? null : contacts.remove(email);
                if (c == null) {
                    deletedGone(); // archived already, or never there: 204 all the same
                    continue;
                }
                archived.put(email, c);
                deleted(email);
            }
        }
        if (loseDeleteAnswer(ex)) return;
        ex.sendResponseHeaders(204, -1);
    }

    /** Archived contacts, by e-mail. */
    public Map<String, Map<String, Object>> archived() {
        return Map.copyOf(archived);
    }

    @Override
    public Map<String, Map<String, Object>> records() {
        return Map.copyOf(contacts);
    }

    @Override
    public int duplicates() {
        return 0; // one contact per e-mail by construction: the upsert's idProperty is unique
    }
}
