package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.encoding.QueryEncoding;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Microsoft Dataverse (Dynamics 365) Web API: upsert by alternate key, one row per call,
 * {@code PATCH /api/data/v9.2/{entitySet}({key}='…')} with the columns as JSON (204 either way: created or
 * updated, never twice); read back with {@code GET} on the same key ({@code $select} of the mapped columns,
 * 404 = not there). A refused row (400, {@code {"error":{"code","message"}}}) is that lead's dead letter. A lead deleted
 * at the source is deleted by the same key ({@code DELETE}, 204); 404 means it is gone already, so a retry is safe.
 */
final class DataverseDialect implements CrmDialect {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String entitySet;
    private final String key;
    private final String apiVersion;
    private final List<String> columns;

    DataverseDialect(String entitySet, String key, String apiVersion, List<String> columns) {
        this.entitySet = entitySet;
        this.key = key;
        this.apiVersion = apiVersion;
        this.columns = List.copyOf(columns);
    }

    @Override
    public String name() {
        return "Dataverse";
    }

    @Override
    public int batchLimit() {
        return 100; // the bookkeeping's unit: every row is its own call
    }

    /** {@code /api/data/v9.2/contacts(emailaddress1='ann%40example.com')}: an OData string literal, quotes doubled, then URL-encoded. */
    private String row(String id) {
        return "/api/data/v" + apiVersion + "/" + entitySet + "(" + key + "='" + QueryEncoding.pathSegment(id.replace("'", "''")) + "')";
    }

    @Override
    @SuppressWarnings("unchecked")
    public CrmConversation write(List<Map<String, Object>> leads) {
        return new RowByRow(leads) {
            @Override
            CrmCall call(Map<String, Object> lead) {
                ObjectNode columns = JSON.createObjectNode();
                ((Map<String, Object>) lead.get("properties")).forEach((k, v) -> {
                    if (!k.equals(key)) columns.set(k, JSON.valueToTree(v)); // the key is in the URL
                });
                return new CrmCall("PATCH", row((String) lead.get("crm_id")), null, columns.toString(), true);
            }

            @Override
            void read(String id, int status, JsonNode answer) {
                if (status >= 400) refused.put(id, error(answer, status));
            }
        };
    }

    @Override
    public CrmConversation read(List<String> crmIds) {
        List<Map<String, Object>> leads = new ArrayList<>();
        for (String id : crmIds) leads.add(Map.of("crm_id", id));
        String select = "$select=" + QueryEncoding.encode(String.join(",", columns));
        return new RowByRow(leads) {
            @Override
            CrmCall call(Map<String, Object> lead) {
                return new CrmCall("GET", row((String) lead.get("crm_id")), select, null, true);
            }

            @Override
            void read(String id, int status, JsonNode answer) {
                if (status == 200) {
                    ObjectNode held = ((ObjectNode) answer).deepCopy();
                    held.put(key, id);
                    this.held.put(id, held);
                }
            }
        };
    }

    @Override
    public CrmConversation remove(List<String> crmIds) {
        List<Map<String, Object>> leads = new ArrayList<>();
        for (String id : crmIds) leads.add(Map.of("crm_id", id));
        return new RowByRow(leads) {
            @Override
            CrmCall call(Map<String, Object> lead) {
                return new CrmCall("DELETE", row((String) lead.get("crm_id")), null, null, true);
            }

            @Override
            void read(String id, int status, JsonNode answer) {
                if (status >= 400 && status != 404) refused.put(id, error(answer, status));
            }
        };
    }

    private static CrmError error(JsonNode answer, int status) {
        String message = answer.path("error").path("message").asText("HTTP " + status);
        List<String> fields = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("property '([^']+)'").matcher(message);
        if (m.find()) fields.add(m.group(1));
        return new CrmError(answer.path("error").path("code").asText("HTTP " + status), message, fields);
    }

    /** One call per lead, in order; an upsert or a delete by key is safe to repeat, so a retry repeats it. */
    private abstract static class RowByRow extends RecordingConversation {

        private final List<Map<String, Object>> leads;
        private int index;

        RowByRow(List<Map<String, Object>> leads) {
            this.leads = leads;
        }

        abstract CrmCall call(Map<String, Object> lead);

        abstract void read(String id, int status, JsonNode answer);

        @Override
        public CrmCall next() {
            return index < leads.size() ? call(leads.get(index)) : null;
        }

        @Override
        public void answered(int status, JsonNode answer) {
            read((String) leads.get(index).get("crm_id"), status, answer);
            index++;
        }
    }
}
