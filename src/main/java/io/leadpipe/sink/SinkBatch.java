package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.secrets.Secrets;
import io.leadpipe.encoding.Sha256;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One delivery batch on the exchange: the staged rows, their CRM payload, and what the CRM said about
 * each. Rows are maps with the leads table's columns (source, lead_key, job_id, payload, enrichment, attempts):
 * a lead is its source and its id. Batches run in parallel, each on its own exchange; {@link DeliveryTally}
 * adds up their outcomes.
 */
public final class SinkBatch {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final CrmMapping mapping;

    public SinkBatch(CrmMapping mapping) {
        this.mapping = mapping;
    }

    /** The rows just selected become the batch (or the round of batches); the loop goes on while rows come. */
    public void begin(List<Map<String, Object>> rows, Exchange exchange) {
        List<Map<String, Object>> batch = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            row.putAll(r);
            Map<String, Object> copy = new LinkedHashMap<>();
            for (String k : List.of("source", "lead_key", "job_id", "payload", "enrichment", "attempts")) copy.put(k, row.get(k));
            batch.add(copy);
        }
        exchange.setVariable("batch", batch);
        exchange.setVariable("batchSize", batch.size());
        exchange.setVariable("more", !batch.isEmpty());
    }

    /** The round cut into CRM batches of {@code size} leads (the last one may be smaller). */
    public List<List<Map<String, Object>>> batches(List<Map<String, Object>> rows, int size) {
        List<List<Map<String, Object>>> batches = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += size) batches.add(new ArrayList<>(rows.subList(from, Math.min(rows.size(), from + size))));
        return batches;
    }

    /**
     * Maps every row: valid ones become {@code variable.valid} (with crm_id, crm_version and the upsert
     * body in {@code variable.crmRequest}), invalid ones {@code variable.invalid} (dead letters, stage mapping).
     */
    public void map(Exchange exchange) throws Exception {
        List<Map<String, Object>> valid = new ArrayList<>();
        List<Map<String, Object>> invalid = new ArrayList<>();
        ObjectNode request = JSON.createObjectNode();
        ArrayNode inputs = request.putArray("inputs");
        Map<String, Integer> seen = new HashMap<>();
        for (Map<String, Object> row : Enrichment.rows(exchange)) {
            JsonNode lead = JSON.readTree(String.valueOf(row.get("payload")));
            String enrichment = (String) row.get("enrichment");
            CrmMapping.Result r = mapping.map(lead, enrichment == null ? null : JSON.readTree(enrichment), leadpipeFields(row));
            if (r.invalidReason() == null && seen.containsKey(r.id())) {
                r = new CrmMapping.Result(null, null, "another lead in the same batch has the CRM id " + Secrets.scrub(r.id()));
            }
            if (r.invalidReason() != null) {
                invalid.add(deadLetter(row, "mapping", r.invalidReason()));
                continue;
            }
            seen.put(r.id(), valid.size());
            ObjectNode in = inputs.addObject();
            in.put("idProperty", mapping.idProperty());
            in.put("id", r.id());
            JsonNode props = JSON.valueToTree(new TreeMap<>(r.properties()));
            in.set("properties", props);
            Map<String, Object> v = new LinkedHashMap<>(row);
            v.put("crm_id", r.id());
            v.put("crm_version", version(props));
            valid.add(v);
        }
        exchange.setVariable("valid", valid);
        exchange.setVariable("invalid", invalid);
        // nothing delivered or refused yet: a batch with no valid lead makes no CRM call
        exchange.setVariable("delivered", List.of());
        exchange.setVariable("rejected", List.of());
        exchange.setVariable("crmRequest", JSON.writeValueAsString(request));
        exchange.setVariable("crmOperation", "/batch/upsert");
    }

    /** The CRM's answer to the upsert: per-record errors become dead letters (stage crm), the rest is delivered. */
    public void results(JsonNode answer, Exchange exchange) {
        Map<String, String> rejected = new HashMap<>();
        for (JsonNode error : answer.path("errors")) {
            String message = error.path("category").asText("ERROR") + ": " + error.path("message").asText("rejected");
            for (JsonNode id : error.path("context").path("ids")) rejected.put(id.asText(), message);
        }
        List<Map<String, Object>> delivered = new ArrayList<>();
        List<Map<String, Object>> dead = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> valid = exchange.getVariable("valid", List.class);
        for (Map<String, Object> row : valid) {
            String reason = rejected.get((String) row.get("crm_id"));
            if (reason == null) delivered.add(row);
            else dead.add(deadLetter(row, "crm", "the CRM refused the record: " + Secrets.scrub(reason)));
        }
        exchange.setVariable("delivered", delivered);
        exchange.setVariable("rejected", dead);
    }

    /** Leads a crash left SENDING: ask the CRM for them by id. */
    public void readRequest(List<Map<String, Object>> inDoubt, Exchange exchange) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        ObjectNode request = JSON.createObjectNode();
        request.put("idProperty", mapping.idProperty());
        ArrayNode inputs = request.putArray("inputs");
        for (Map<String, Object> r : inDoubt) {
            Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            row.putAll(r);
            Map<String, Object> copy = new LinkedHashMap<>();
            copy.put("source", row.get("source"));
            copy.put("lead_key", row.get("lead_key"));
            copy.put("crm_id", row.get("crm_id"));
            copy.put("crm_version", row.get("crm_version"));
            rows.add(copy);
            inputs.addObject().put("id", String.valueOf(row.get("crm_id")));
        }
        exchange.setVariable("inDoubt", rows);
        exchange.setVariable("crmRequest", JSON.writeValueAsString(request));
        exchange.setVariable("crmOperation", "/batch/read");
    }

    /** Read-back: a record the CRM holds with exactly the properties we sent was delivered; the others go again. */
    public void confirm(JsonNode answer, Exchange exchange) {
        Map<String, String> held = new HashMap<>();
        for (JsonNode r : answer.path("results")) held.put(r.path("id").asText(), version(r.path("properties")));
        List<Map<String, Object>> confirmed = new ArrayList<>();
        List<Map<String, Object>> again = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> inDoubt = exchange.getVariable("inDoubt", List.class);
        for (Map<String, Object> row : inDoubt) {
            String v = held.get(String.valueOf(row.get("crm_id")));
            (v != null && v.equals(row.get("crm_version")) ? confirmed : again).add(row);
        }
        exchange.setVariable("confirmed", confirmed);
        exchange.setVariable("sendAgain", again);
    }

    private static Map<String, Object> deadLetter(Map<String, Object> row, String stage, String reason) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", row.get("source"));
        d.put("lead_key", row.get("lead_key"));
        d.put("job_id", row.get("job_id"));
        d.put("stage", stage);
        d.put("reason", reason); // whole: the column has no length (V7)
        d.put("attempts", row.get("attempts") == null ? 1 : ((Number) row.get("attempts")).intValue() + 1);
        d.put("payload", row.get("payload"));
        return d;
    }

    /** What the mapping reads as leadpipe.*: the source the lead came from, its id there, and the job that stored it first. */
    private static JsonNode leadpipeFields(Map<String, Object> row) {
        ObjectNode fields = JSON.createObjectNode();
        fields.put("source", (String) row.get("source"));
        fields.put("lead_id", (String) row.get("lead_key"));
        fields.put("job_id", (String) row.get("job_id"));
        return fields;
    }

    /** A digest of a property set, independent of key order. */
    static String version(JsonNode properties) {
        try {
            Map<String, Object> sorted = new TreeMap<>(JSON.convertValue(properties, Map.class));
            Map<String, String> asText = new TreeMap<>();
            sorted.forEach((k, v) -> asText.put(k, String.valueOf(v)));
            return Sha256.hex(JSON.writeValueAsString(asText));
        } catch (Exception e) {
            return "?";
        }
    }
}
