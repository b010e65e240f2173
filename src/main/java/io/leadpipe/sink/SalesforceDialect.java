package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.encoding.QueryEncoding;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Salesforce REST: sObject Collections upsert on an external-id field,
 * {@code PATCH /services/data/vXX.X/composite/sobjects/{SObject}/{ExternalIdField}} with
 * {@code {"allOrNone":false,"records":[{"attributes":{"type":…},…}]}} (≤ 200), answered 200 with one
 * {@code {id, success, errors[{statusCode, message, fields}], created}} per record, in order; read back
 * with SOQL, {@code GET /services/data/vXX.X/query?q=SELECT … WHERE <field> IN (…)}. A lead deleted at the source is
 * deleted by its record Id (found by that query) with sObject Collections,
 * {@code DELETE /services/data/vXX.X/composite/sobjects?ids=…&allOrNone=false} (≤ 200), answered 200 with one
 * {@code {id, success, errors[]}} per id; {@code ENTITY_IS_DELETED} (in the Recycle Bin already) counts as removed.
 */
final class SalesforceDialect implements CrmDialect {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String object;
    private final String externalIdField;
    private final String apiVersion;
    private final List<String> fields;

    SalesforceDialect(String object, String externalIdField, String apiVersion, List<String> fields) {
        this.object = object;
        this.externalIdField = externalIdField;
        this.apiVersion = apiVersion;
        this.fields = List.copyOf(fields);
    }

    @Override
    public String name() {
        return "Salesforce";
    }

    @Override
    public int batchLimit() {
        return 200;
    }

    @Override
    public CrmConversation write(List<Map<String, Object>> leads) {
        ObjectNode request = JSON.createObjectNode();
        request.put("allOrNone", false); // one bad record must not roll back the others
        ArrayNode records = request.putArray("records");
        for (Map<String, Object> lead : leads) {
            ObjectNode r = records.addObject();
            r.putObject("attributes").put("type", object);
            r.setAll((ObjectNode) JSON.valueToTree(lead.get("properties")));
        }
        String path = "/services/data/v" + apiVersion + "/composite/sobjects/" + object + "/" + externalIdField;
        return new OneCallConversation(new CrmCall("PATCH", path, null, request.toString())) {
            @Override
            protected void read(JsonNode answer) {
                // one result per record, in the order sent: anything else proves nothing (the batch stays in doubt, read back next time)
                if (!answer.isArray() || answer.size() != leads.size()) {
                    throw new IllegalStateException("Salesforce answered the upsert without one result per record ("
                            + (answer.isArray() ? answer.size() + " results for " + leads.size() + " records" : "not a list") + ")");
                }
                for (int i = 0; i < leads.size(); i++) {
                    JsonNode r = answer.get(i);
                    if (r.path("success").asBoolean(false)) continue;
                    JsonNode first = r.path("errors").path(0);
                    List<String> named = new ArrayList<>();
                    for (JsonNode e : r.path("errors")) for (JsonNode f : e.path("fields")) named.add(f.asText());
                    List<String> messages = new ArrayList<>();
                    for (JsonNode e : r.path("errors")) messages.add(e.path("message").asText());
                    refused.put((String) leads.get(i).get("crm_id"), new CrmError(first.path("statusCode").asText("ERROR"),
                            messages.isEmpty() ? "refused" : String.join("; ", messages), named));
                }
            }
        };
    }

    @Override
    public CrmConversation read(List<String> crmIds) {
        List<String> quoted = new ArrayList<>();
        for (String id : crmIds) quoted.add("'" + id.replace("\\", "\\\\").replace("'", "\\'") + "'");
        List<String> select = new ArrayList<>(fields);
        if (select.stream().noneMatch(externalIdField::equalsIgnoreCase)) select.add(externalIdField);
        if (select.stream().noneMatch("Id"::equalsIgnoreCase)) select.add("Id"); // what a removal deletes by
        String soql = "SELECT " + String.join(", ", select) + " FROM " + object + " WHERE " + externalIdField + " IN (" + String.join(", ", quoted) + ")";
        return new OneCallConversation(new CrmCall("GET", "/services/data/v" + apiVersion + "/query", "q=" + QueryEncoding.encode(soql), null)) {
            @Override
            protected void read(JsonNode answer) {
                for (JsonNode r : answer.path("records")) held.put(r.path(externalIdField).asText(), r);
            }
        };
    }

    @Override
    public CrmConversation remove(List<String> crmIds) {
        return new FindThenDelete(() -> read(crmIds)) {
            @Override
            String recordId(JsonNode held) {
                return held.path("Id").asText(null);
            }

            @Override
            List<CrmCall> deletes(List<String> recordIds) {
                String query = "ids=" + QueryEncoding.encode(String.join(",", recordIds)) + "&allOrNone=false";
                return List.of(new CrmCall("DELETE", "/services/data/v" + apiVersion + "/composite/sobjects", query, null));
            }

            @Override
            void deleted(int status, JsonNode answer) {
                for (JsonNode r : answer) {
                    if (r.path("success").asBoolean(false)) continue;
                    JsonNode first = r.path("errors").path(0);
                    String code = first.path("statusCode").asText("ERROR");
                    if (code.equals("ENTITY_IS_DELETED")) continue; // deleted already: what we wanted
                    String crmId = crmIdOf.get(r.path("id").asText());
                    if (crmId != null) refused.put(crmId, new CrmError(code, first.path("message").asText("not deleted"), List.of()));
                }
            }
        };
    }
}
