package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.encoding.QueryEncoding;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pipedrive API v2 persons, which have no upsert: each lead is searched by e-mail
 * ({@code GET /api/v2/persons/search?term=…&fields=email&exact_match=true}), then created
 * ({@code POST /api/v2/persons}) or updated ({@code PATCH /api/v2/persons/{id}}). A create whose answer
 * was lost (a timeout, a kill) may have made the person: it is never repeated as such — a retry searches
 * again first, and so does the read-back after a crash. The mapping's {@code name} and {@code email} are the
 * person's name and primary e-mail; any other property is a custom field (its key). A lead deleted at the source is
 * searched, then deleted ({@code DELETE /api/v2/persons/{id}}); one not found, or answered 404, is gone already.
 */
final class PipedriveDialect implements CrmDialect {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String idProperty;

    PipedriveDialect(String idProperty) {
        this.idProperty = idProperty;
    }

    @Override
    public String name() {
        return "Pipedrive";
    }

    @Override
    public int batchLimit() {
        return 100; // a batch is only the bookkeeping's unit here: every lead is its own calls
    }

    @Override
    public CrmConversation write(List<Map<String, Object>> leads) {
        return new PersonByPerson(leads, Mode.WRITE);
    }

    @Override
    public CrmConversation read(List<String> crmIds) {
        List<Map<String, Object>> leads = new ArrayList<>();
        for (String id : crmIds) leads.add(Map.of("crm_id", id));
        return new PersonByPerson(leads, Mode.READ);
    }

    @Override
    public CrmConversation remove(List<String> crmIds) {
        List<Map<String, Object>> leads = new ArrayList<>();
        for (String id : crmIds) leads.add(Map.of("crm_id", id));
        return new PersonByPerson(leads, Mode.REMOVE);
    }

    private enum Mode { WRITE, READ, REMOVE }

    private enum Step { SEARCH, CREATE, UPDATE, DELETE }

    /** Lead after lead: search, then create or update (a write), delete (a removal), or search only (a read-back). */
    private final class PersonByPerson extends RecordingConversation {

        private final List<Map<String, Object>> leads;
        private final Mode mode;
        private int index;
        private Step step = Step.SEARCH;
        private long personId;

        PersonByPerson(List<Map<String, Object>> leads, Mode mode) {
            this.leads = leads;
            this.mode = mode;
        }

        private String email() {
            return (String) leads.get(index).get("crm_id");
        }

        @Override
        public CrmCall next() {
            if (index >= leads.size()) return null;
            return switch (step) {
                case SEARCH -> new CrmCall("GET", "/api/v2/persons/search", "term=" + QueryEncoding.encode(email()) + "&fields=email&exact_match=true", null, false);
                case CREATE -> new CrmCall("POST", "/api/v2/persons", null, body(), true);
                case UPDATE -> new CrmCall("PATCH", "/api/v2/persons/" + personId, null, body(), true);
                case DELETE -> new CrmCall("DELETE", "/api/v2/persons/" + personId, null, null, true);
            };
        }

        @SuppressWarnings("unchecked")
        private String body() {
            Map<String, Object> properties = (Map<String, Object>) leads.get(index).get("properties");
            ObjectNode person = JSON.createObjectNode();
            ObjectNode custom = JSON.createObjectNode();
            properties.forEach((k, v) -> {
                if (k.equals(idProperty)) person.putArray("emails").addObject().put("value", String.valueOf(v)).put("primary", true).put("label", "work");
                else if (k.equals("name")) person.put("name", String.valueOf(v));
                else custom.set(k, JSON.valueToTree(v));
            });
            if (!custom.isEmpty()) person.set("custom_fields", custom);
            return person.toString();
        }

        @Override
        public void answered(int status, JsonNode answer) {
            if (step == Step.DELETE && status == 404) { // deleted already
                advance();
                return;
            }
            if (status >= 400) { // this person refused, in Pipedrive's words
                refused.put(email(), new CrmError(answer.path("code").asText(answer.path("error_info").asText("HTTP " + status)),
                        answer.path("error").asText("refused"), fields(answer.path("error").asText(""))));
                advance();
                return;
            }
            if (step != Step.SEARCH) {
                advance();
                return;
            }
            JsonNode found = null;
            for (JsonNode item : answer.path("data").path("items")) {
                JsonNode person = item.path("item");
                for (JsonNode e : person.path("emails")) {
                    String value = e.isTextual() ? e.asText() : e.path("value").asText();
                    if (value.equalsIgnoreCase(email()) && (found == null || person.path("id").asLong() < found.path("id").asLong())) found = person;
                }
            }
            if (mode == Mode.READ) {
                if (found != null) held.put(email(), heldProperties(found));
                advance();
            } else if (mode == Mode.REMOVE) {
                if (found == null) advance(); // not there (any more): removed
                else {
                    personId = found.path("id").asLong();
                    step = Step.DELETE;
                }
            } else if (found == null) {
                step = Step.CREATE;
            } else {
                personId = found.path("id").asLong();
                step = Step.UPDATE;
            }
        }

        private JsonNode heldProperties(JsonNode person) {
            ObjectNode p = JSON.createObjectNode();
            p.put(idProperty, email());
            if (person.hasNonNull("name")) p.set("name", person.get("name"));
            if (person.path("custom_fields").isObject()) person.get("custom_fields").fields().forEachRemaining(e -> p.set(e.getKey(), e.getValue()));
            return p;
        }

        private void advance() {
            index++;
            step = Step.SEARCH;
        }

        @Override
        public void retrying() {
            // a create may have made the person, a delete removed it, before its answer was lost: look again first
            if (step == Step.CREATE || step == Step.DELETE) step = Step.SEARCH;
        }
    }

    /** Pipedrive names the field in its message ("emails: Invalid email"): the word before the colon, if any. */
    private static List<String> fields(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:failed: )?([a-z_]+(?:\\.[a-z_0-9]+)?):").matcher(message);
        List<String> fields = new ArrayList<>();
        if (m.find()) fields.add(m.group(1).equals("emails") ? "email" : m.group(1));
        return fields;
    }
}
