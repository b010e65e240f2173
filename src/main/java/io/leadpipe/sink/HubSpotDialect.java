package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HubSpot CRM objects (v3): {@code POST {url}/batch/upsert} with {@code inputs[{idProperty, id, properties,
 * objectWriteTraceId}]} (≤ 100), answered 200, or 207 Multi-Status with {@code errors[]} whose
 * {@code context} names the inputs (objectWriteTraceId, or ids) and whose {@code errors[].in} the
 * property; read back with {@code POST {url}/batch/read} by the same id property. A lead deleted at the source is
 * archived ({@code POST {url}/batch/archive} {@code inputs[{id}]}, by HubSpot's record id, found by a batch read first;
 * 204 whether the record was live, archived already or unknown). The bundled simulator speaks this dialect too.
 */
final class HubSpotDialect implements CrmDialect {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String idProperty;
    private final List<String> properties;

    HubSpotDialect(String idProperty, List<String> properties) {
        this.idProperty = idProperty;
        this.properties = List.copyOf(properties);
    }

    @Override
    public String name() {
        return "HubSpot";
    }

    @Override
    public int batchLimit() {
        return 100;
    }

    @Override
    public CrmConversation write(List<Map<String, Object>> leads) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode inputs = request.putArray("inputs");
        for (int i = 0; i < leads.size(); i++) {
            ObjectNode in = inputs.addObject();
            in.put("idProperty", idProperty);
            in.put("id", (String) leads.get(i).get("crm_id"));
            in.set("properties", JSON.valueToTree(leads.get(i).get("properties")));
            in.put("objectWriteTraceId", Integer.toString(i)); // names the input in a 207's errors
        }
        return new OneCallConversation(new CrmCall("POST", "/batch/upsert", null, request.toString())) {
            @Override
            protected void read(JsonNode answer) {
                for (JsonNode error : answer.path("errors")) {
                    CrmError e = new CrmError(error.path("category").asText("ERROR"), error.path("message").asText("rejected"), fields(error));
                    int named = refused.size();
                    for (JsonNode trace : error.path("context").path("objectWriteTraceId")) {
                        int i = trace.asInt(-1);
                        if (i >= 0 && i < leads.size()) refused.put((String) leads.get(i).get("crm_id"), e);
                    }
                    for (JsonNode id : error.path("context").path("ids")) refused.put(id.asText(), e);
                    // an error naming no input cannot be put on a lead: the batch stays SENDING and is read back
                    if (refused.size() == named && error.path("context").path("objectWriteTraceId").isEmpty() && error.path("context").path("ids").isEmpty()) {
                        throw new IllegalStateException("HubSpot answered the batch with an error naming no input: "
                                + io.leadpipe.secrets.Secrets.scrub(e.code() + ": " + e.message()));
                    }
                }
            }
        };
    }

    /** The properties an error names: errors[].in, else the "name"s of the list in "Property values were not valid: [...]". */
    private static List<String> fields(JsonNode error) {
        Set<String> fields = new LinkedHashSet<>();
        for (JsonNode e : error.path("errors")) if (e.hasNonNull("in")) fields.add(e.get("in").asText());
        String message = error.path("message").asText("");
        int list = message.indexOf('[');
        if (fields.isEmpty() && list >= 0) {
            try {
                for (JsonNode p : JSON.readTree(message.substring(list))) if (p.hasNonNull("name")) fields.add(p.get("name").asText());
            } catch (Exception notAList) {
                // a message without the list: no field named
            }
        }
        return new ArrayList<>(fields);
    }

    @Override
    public CrmConversation read(List<String> crmIds) {
        ObjectNode request = JSON.createObjectNode();
        request.put("idProperty", idProperty);
        ArrayNode inputs = request.putArray("inputs");
        for (String id : crmIds) inputs.addObject().put("id", id);
        ArrayNode props = request.putArray("properties");
        properties.forEach(props::add);
        return new OneCallConversation(new CrmCall("POST", "/batch/read", null, request.toString())) {
            @Override
            protected void read(JsonNode answer) {
                for (JsonNode r : answer.path("results")) {
                    JsonNode p = r.path("properties");
                    if (p.isObject() && !p.hasNonNull("hs_object_id")) ((ObjectNode) p).put("hs_object_id", r.path("id").asText());
                    held.put(p.hasNonNull(idProperty) ? p.get(idProperty).asText() : r.path("id").asText(), p);
                }
            }
        };
    }

    @Override
    public CrmConversation remove(List<String> crmIds) {
        return new FindThenDelete(() -> read(crmIds)) {
            @Override
            String recordId(JsonNode held) {
                return held.path("hs_object_id").asText(null);
            }

            @Override
            List<CrmCall> deletes(List<String> recordIds) {
                ObjectNode request = JSON.createObjectNode();
                ArrayNode inputs = request.putArray("inputs");
                for (String id : recordIds) inputs.addObject().put("id", id);
                return List.of(new CrmCall("POST", "/batch/archive", null, request.toString()));
            }

            @Override
            void deleted(int status, JsonNode answer) {
                // 204, no body: HubSpot names no record it did not archive
            }
        };
    }
}
