package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Zoho CRM (v7): {@code POST /crm/v7/{Module}/upsert} with {@code {"data":[…],"duplicate_check_fields":[<id field>]}}
 * (≤ 100), answered with one {@code {code, status, message, details}} per record, in order — {@code SUCCESS}, or e.g.
 * {@code MANDATORY_NOT_FOUND} with {@code details.api_name}; read back with COQL, {@code POST /crm/v7/coql}
 * {@code select … from {Module} where <id field> in (…)}, 50 values a query. A lead deleted at the source is deleted by
 * its record id (found by that query) with {@code DELETE /crm/v7/{Module}?ids=…} (≤ 100), answered with one
 * {@code {code, status, details.id}} per id; {@code INVALID_DATA} for an id (no such record any more) counts as removed.
 */
final class ZohoDialect implements CrmDialect {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int IN_VALUES = 50;
    private final String module;
    private final String idField;
    private final String apiVersion;
    private final List<String> fields;

    ZohoDialect(String module, String idField, String apiVersion, List<String> fields) {
        this.module = module;
        this.idField = idField;
        this.apiVersion = apiVersion;
        this.fields = List.copyOf(fields);
    }

    @Override
    public String name() {
        return "Zoho CRM";
    }

    @Override
    public int batchLimit() {
        return 100;
    }

    @Override
    @SuppressWarnings("unchecked")
    public CrmConversation write(List<Map<String, Object>> leads) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode data = request.putArray("data");
        for (Map<String, Object> lead : leads) data.add(JSON.valueToTree(lead.get("properties")));
        request.putArray("duplicate_check_fields").add(idField);
        // a batch whose every record is refused is answered 400 with the same per-record list: read it, not thrown
        return new OneCallConversation(new CrmCall("POST", "/crm/" + apiVersion + "/" + module + "/upsert", null, request.toString(), true)) {
            @Override
            protected void read(JsonNode answer) {
                JsonNode results = answer.path("data");
                if (!results.isArray() || results.size() != leads.size()) {
                    throw new IllegalStateException("Zoho CRM answered the upsert without one result per record: "
                            + answer.path("code").asText("") + " " + answer.path("message").asText(""));
                }
                for (int i = 0; i < leads.size(); i++) {
                    JsonNode r = results.get(i);
                    if ("success".equals(r.path("status").asText())) continue;
                    List<String> named = new ArrayList<>();
                    if (r.path("details").hasNonNull("api_name")) named.add(r.path("details").get("api_name").asText());
                    refused.put((String) leads.get(i).get("crm_id"), new CrmError(r.path("code").asText("ERROR"), r.path("message").asText("refused"), named));
                }
            }
        };
    }

    @Override
    public CrmConversation read(List<String> crmIds) {
        List<String> queries = new ArrayList<>();
        List<String> select = new ArrayList<>(fields);
        if (!select.contains(idField)) select.add(idField);
        for (int from = 0; from < crmIds.size(); from += IN_VALUES) {
            List<String> quoted = new ArrayList<>();
            for (String id : crmIds.subList(from, Math.min(crmIds.size(), from + IN_VALUES))) quoted.add("'" + id.replace("\\", "\\\\").replace("'", "\\'") + "'");
            queries.add("select " + String.join(", ", select) + " from " + module + " where " + idField + " in (" + String.join(", ", quoted) + ")");
        }
        return new RecordingConversation() {
            private int index;

            @Override
            public CrmCall next() {
                if (index >= queries.size()) return null;
                ObjectNode body = JSON.createObjectNode().put("select_query", queries.get(index));
                return new CrmCall("POST", "/crm/" + apiVersion + "/coql", null, body.toString());
            }

            @Override
            public void answered(int status, JsonNode answer) {
                // no record matched: 204, no body
                for (JsonNode r : answer.path("data")) held.put(r.path(idField).asText(), r);
                index++;
            }
        };
    }

    @Override
    public CrmConversation remove(List<String> crmIds) {
        return new FindThenDelete(() -> read(crmIds)) {
            @Override
            String recordId(JsonNode held) {
                return held.path("id").asText(null);
            }

            @Override
            List<CrmCall> deletes(List<String> recordIds) {
                // refusing every id is answered 400 with the same per-id list: read it, not thrown
                return List.of(new CrmCall("DELETE", "/crm/" + apiVersion + "/" + module, "ids=" + String.join(",", recordIds), null, true));
            }

            @Override
            void deleted(int status, JsonNode answer) {
                for (JsonNode r : answer.path("data")) {
                    String code = r.path("code").asText("");
                    if (code.equals("SUCCESS") || code.equals("INVALID_DATA")) continue;
                    String crmId = crmIdOf.get(r.path("details").path("id").asText());
                    if (crmId != null) refused.put(crmId, new CrmError(code, r.path("message").asText("not deleted"), List.of()));
                }
                if (status >= 400 && !answer.path("data").isArray()) {
                    throw new IllegalStateException("Zoho CRM answered the delete without one result per id: "
                            + answer.path("code").asText("") + " " + answer.path("message").asText(""));
                }
            }
        };
    }
}
