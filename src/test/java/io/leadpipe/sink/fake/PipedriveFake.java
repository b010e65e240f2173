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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pipedrive API v2 persons, as documented (developers.pipedrive.com, API v2 Persons: "Search persons",
 * "Add a new person", "Update a person"; pipedrive.readme.io "Rate limiting", "Authentication"):
 * <ul>
 * <li>No upsert, and e-mails are not unique: two creates for one e-mail make two persons (counted as duplicates).</li>
 * <li>{@code GET /api/v2/persons/search?term=…&fields=email&exact_match=true} → {@code {"success":true,"data":{"items":[{"result_score",
 *     "item":{"id","type":"person","name","emails":[…],…}}]},"additional_data":{"next_cursor":null}}} (exact match ignores case).</li>
 * <li>{@code POST /api/v2/persons} and {@code PATCH /api/v2/persons/{id}} with {@code {"name","emails":[{"value","primary","label"}],
 *     "custom_fields":{…}}} → {@code {"success":true,"data":{person}}}; a create without a name is
 *     400 {@code {"success":false,"error":"Validation failed: name: Required","code":"ERR_SCHEMA_VALIDATION_FAILED",…}}.</li>
 * <li>{@code x-api-token} header; a 2-second window per token: {@code x-ratelimit-limit}, {@code x-ratelimit-remaining},
 *     {@code x-ratelimit-reset} ("the remaining window before the rate limit resets", in whole seconds rounded up: the page's
 *     example answer to a request of an Advanced plan reads {@code x-ratelimit-limit: 40}, {@code x-ratelimit-remaining: 39},
 *     {@code x-ratelimit-reset: 2} — the window's first request, under 2 s left); over it 429
 *     {@code {"success":false,"error":"Request over limit"}}.</li>
 * <li>{@code DELETE /api/v2/persons/{id}} → {@code {"success":true,"data":{"id"}}} (developers.pipedrive.com/docs/api/v1/Persons#deletePerson,
 *     v2 "Delete a person"; the generated client's DeletePersonResponse, github.com/pipedrive/client-nodejs
 *     docs/DeletePersonResponseAllOfData.md): the person is marked deleted (restorable for 30 days) and searches stop finding
 *     it. A person unknown or deleted already is answered as the update answers an unknown id, 404 ERR_NOT_FOUND (not
 *     documented for delete: the fake's assumption, which leadpipe reads as "gone already").</li>
 * </ul>
 * {@link #loseCreateAnswers}: that many creates take effect and then lose their answer (the connection drops), as after a
 * timeout — the case where repeating the create would make a second person.
 */
public final class PipedriveFake extends CrmFake {

    private final Map<Long, Map<String, Object>> persons = new ConcurrentHashMap<>();
    private final Map<Long, Map<String, Object>> deletedPersons = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    public final AtomicInteger loseCreateAnswers = new AtomicInteger();
    private final AtomicInteger lostAnswers = new AtomicInteger();

    public PipedriveFake(String token) throws IOException {
        super(token);
        windowMillis = 2000;
        fixedWindow = true;
    }

    public String url() {
        return baseUrl();
    }

    public int lostAnswers() {
        return lostAnswers.get();
    }

    @Override
    protected boolean authorized(HttpExchange ex) {
        return token.equals(ex.getRequestHeaders().getFirst("x-api-token"));
    }

    @Override
    protected void refuseAuth(HttpExchange ex) throws IOException {
        send(ex, 401, Map.of("success", false, "error", "unauthorized access", "errorCode", 401));
    }

    @Override
    protected void quotaHeaders(HttpExchange ex, int remaining) {
        if (remaining < 0) return;
        ex.getResponseHeaders().set("x-ratelimit-limit", Integer.toString(windowLimit == 0 ? 80 : windowLimit));
        ex.getResponseHeaders().set("x-ratelimit-remaining", Integer.toString(remaining));
        ex.getResponseHeaders().set("x-ratelimit-reset", Long.toString(Math.max(1, (windowEndsIn + 999) / 1000)));
    }

    @Override
    protected void refuseQuota(HttpExchange ex) throws IOException {
        send(ex, 429, Map.of("success", false, "error", "Request over limit", "errorCode", 429));
    }

    @Override
    protected void handle(HttpExchange ex, String method, String path, String rawQuery, JsonNode body) throws IOException {
        if (method.equals("GET") && path.equals("/api/v2/persons/search")) search(ex, rawQuery);
        else if (method.equals("POST") && path.equals("/api/v2/persons")) write(ex, null, body);
        else if (method.equals("PATCH") && path.matches("/api/v2/persons/\\d+")) write(ex, Long.parseLong(path.substring(path.lastIndexOf('/') + 1)), body);
        else if (method.equals("DELETE") && path.matches("/api/v2/persons/\\d+")) delete(ex, Long.parseLong(path.substring(path.lastIndexOf('/') + 1)));
        else send(ex, 404, Map.of("success", false, "error", "Unknown method .", "errorCode", 404));
    }

    private void search(HttpExchange ex, String rawQuery) throws IOException {
        Map<String, String> q = new LinkedHashMap<>();
        for (String p : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            int eq = p.indexOf('=');
            if (eq > 0) q.put(p.substring(0, eq), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String term = q.getOrDefault("term", "");
        if (!"email".equals(q.get("fields")) || !"true".equals(q.get("exact_match"))) {
            send(ex, 400, Map.of("success", false, "error", "this fake answers e-mail exact-match searches only"));
            return;
        }
        List<Object> items = new ArrayList<>();
        persons.values().stream().sorted((a, b) -> Long.compare((Long) a.get("id"), (Long) b.get("id"))).forEach(p -> {
            if (emails(p).stream().anyMatch(e -> e.equalsIgnoreCase(term))) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", p.get("id"));
                item.put("type", "person");
                item.put("name", p.get("name"));
                item.put("emails", emails(p));
                item.put("custom_fields", p.getOrDefault("custom_fields", Map.of()));
                items.add(Map.of("result_score", 1.0, "item", item));
            }
        });
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("items", items);
        Map<String, Object> additional = new LinkedHashMap<>();
        additional.put("next_cursor", null);
        send(ex, 200, Map.of("success", true, "data", data, "additional_data", additional));
    }

    @SuppressWarnings("unchecked")
    private static List<String> emails(Map<String, Object> p) {
        List<String> out = new ArrayList<>();
        for (Object e : (List<Object>) p.getOrDefault("emails", List.of())) out.add(String.valueOf(((Map<String, Object>) e).get("value")));
        return out;
    }

    @SuppressWarnings("unchecked")
    private void write(HttpExchange ex, Long id, JsonNode body) throws IOException {
        Map<String, Object> given = JSON.convertValue(body, Map.class);
        if (id == null && (given.get("name") == null || String.valueOf(given.get("name")).isBlank())) {
            refused();
            send(ex, 400, Map.of("success", false, "error", "Validation failed: name: Required", "code", "ERR_SCHEMA_VALIDATION_FAILED",
                    "error_info", "Please check developers.pipedrive.com for more information about Pipedrive API."));
            return;
        }
        Map<String, Object> person;
        synchronized (this) {
            if (id != null && !persons.containsKey(id)) {
                send(ex, 404, Map.of("success", false, "error", "Person not found", "code", "ERR_NOT_FOUND"));
                return;
            }
            person = id == null ? new LinkedHashMap<>() : new LinkedHashMap<>(persons.get(id));
            if (id == null) person.put("id", nextId.getAndIncrement());
            person.putAll(given);
            persons.put((Long) person.get("id"), person);
            for (String e : emails(person)) wrote(e.toLowerCase(Locale.ROOT));
        }
        if (id == null && loseCreateAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            lostAnswers.incrementAndGet();
            ex.getResponseBody().close(); // the person exists; the caller never hears of it
            return;
        }
        send(ex, 200, Map.of("success", true, "data", person));
    }

    /** Marks the person deleted (Pipedrive keeps deleted persons 30 days; searches no longer find them); unknown or deleted: 404. */
    private void delete(HttpExchange ex, long id) throws IOException {
        deleteCall();
        Map<String, Object> person;
        synchronized (this) {
            person = persons.remove(id);
            if (person == null) {
                deletedGone();
                send(ex, 404, Map.of("success", false, "error", "Person not found", "code", "ERR_NOT_FOUND"));
                return;
            }
            deletedPersons.put(id, person);
            for (String e : emails(person)) deleted(e.toLowerCase(Locale.ROOT));
        }
        if (loseDeleteAnswer(ex)) return;
        send(ex, 200, Map.of("success", true, "data", Map.of("id", id)));
    }

    /** Persons by e-mail (the last one made, when there are several). */
    @Override
    public Map<String, Map<String, Object>> records() {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        persons.values().forEach(p -> emails(p).forEach(e -> m.put(e.toLowerCase(Locale.ROOT), p)));
        return m;
    }

    /** Persons beyond the first for one e-mail: a create that should have been an update. */
    @Override
    public int duplicates() {
        Map<String, Integer> byEmail = new LinkedHashMap<>();
        persons.values().forEach(p -> emails(p).forEach(e -> byEmail.merge(e.toLowerCase(Locale.ROOT), 1, Integer::sum)));
        return byEmail.values().stream().mapToInt(n -> n - 1).sum();
    }

    /** Persons created (not updates). */
    public int persons() {
        return persons.size();
    }
}
