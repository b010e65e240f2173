package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private final CrmDialect dialect;
    private final boolean removesDeleted;

    public SinkBatch(CrmMapping mapping, CrmDialect dialect) {
        this(mapping, dialect, false);
    }

    public SinkBatch(CrmMapping mapping, CrmDialect dialect, boolean removesDeleted) {
        this.mapping = mapping;
        this.dialect = dialect;
        this.removesDeleted = removesDeleted;
    }

    /** leadpipe.sink.crm.on-deleted = delete: a delivered lead deleted at the source is deleted in the CRM too. */
    public boolean removesDeleted() {
        return removesDeleted;
    }

    /**
     * Leads to remove from the CRM (delivered once, deleted at the source since) become {@code variable.removal}, and the
     * conversation that removes them (by the CRM id they were delivered under) {@code variable.crm}; the loop goes on while rows come.
     */
    public void beginRemoval(List<Map<String, Object>> rows, Exchange exchange) {
        List<Map<String, Object>> removal = new ArrayList<>();
        java.util.Set<String> crmIds = new java.util.LinkedHashSet<>();
        for (Map<String, Object> r : rows) {
            Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            row.putAll(r);
            Map<String, Object> copy = new LinkedHashMap<>();
            for (String k : List.of("source", "lead_key", "job_id", "payload", "attempts", "crm_id")) copy.put(k, row.get(k));
            removal.add(copy);
            crmIds.add(String.valueOf(row.get("crm_id")));
        }
        exchange.setVariable("removal", removal);
        exchange.setVariable("more", !removal.isEmpty());
        exchange.setVariable("crm", removal.isEmpty() ? null : dialect.remove(new ArrayList<>(crmIds)));
        exchange.setVariable("crmAsked", false);
    }

    /** After a removal: what the CRM would not remove becomes dead letters (stage crm-delete), the rest is removed; both counted. */
    public void removed(Exchange exchange) {
        Map<String, CrmError> refused = exchange.getVariable("crm", CrmConversation.class).refused();
        List<Map<String, Object>> removed = new ArrayList<>();
        List<Map<String, Object>> dead = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> removal = exchange.getVariable("removal", List.class);
        for (Map<String, Object> row : removal) {
            CrmError error = refused.get(String.valueOf(row.get("crm_id")));
            if (error == null) removed.add(row);
            else dead.add(deadLetter(row, "crm-delete", reason(error).replace(" refused the record: ", " did not delete the record: ")));
        }
        exchange.setVariable("removed", removed);
        exchange.setVariable("rejected", dead);
        exchange.setVariable("removedCount", exchange.getVariable("removedCount", 0, Integer.class) + removed.size());
        exchange.setVariable("deadCount", exchange.getVariable("deadCount", 0, Integer.class) + dead.size());
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
     * Maps every row: valid ones become {@code variable.valid} (with crm_id, crm_version and their
     * properties), invalid ones {@code variable.invalid} (dead letters, stage mapping); the CRM conversation
     * that writes the valid ones is {@code variable.crm}.
     */
    public void map(Exchange exchange) throws Exception {
        List<Map<String, Object>> valid = new ArrayList<>();
        List<Map<String, Object>> invalid = new ArrayList<>();
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
            Map<String, Object> properties = new TreeMap<>(r.properties());
            Map<String, Object> v = new LinkedHashMap<>(row);
            v.put("crm_id", r.id());
            v.put("crm_version", version(JSON.valueToTree(properties)));
            v.put("properties", properties);
            valid.add(v);
        }
        exchange.setVariable("valid", valid);
        exchange.setVariable("invalid", invalid);
        // nothing delivered or refused yet: a batch with no valid lead makes no CRM call
        exchange.setVariable("delivered", List.of());
        exchange.setVariable("rejected", List.of());
        exchange.setVariable("crm", valid.isEmpty() ? null : dialect.write(valid));
        exchange.setVariable("crmAsked", false);
    }

    /** The conversation with the CRM has a call to make. */
    public boolean hasNextCall(Exchange exchange) {
        CrmConversation crm = exchange.getVariable("crm", CrmConversation.class);
        return crm != null && crm.next() != null;
    }

    /**
     * Before a CRM call: its method, path, query and body as variables for the crm-call route. A call asked
     * before and not answered is being retried: the conversation may choose another call instead.
     */
    public void prepareCall(Exchange exchange) {
        CrmConversation crm = exchange.getVariable("crm", CrmConversation.class);
        if (Boolean.TRUE.equals(exchange.getVariable("crmAsked", Boolean.class))) crm.retrying();
        CrmCall call = crm.next();
        exchange.setVariable("crmAsked", true);
        exchange.setVariable("crmMethod", call.method());
        exchange.setVariable("crmOperation", call.path());
        exchange.setVariable("crmQuery", call.query());
        exchange.setVariable("crmRequest", call.body());
        exchange.setVariable("crmRecordAnswer", call.recordAnswer());
    }

    /** The CRM answered the call: the conversation reads it (and decides its next call, if any). */
    public void answered(String body, Exchange exchange) throws java.io.IOException {
        // an unreadable answer is an IOException: the call is retried
        JsonNode answer = body == null || body.isBlank() ? JSON.missingNode() : JSON.readTree(body);
        exchange.getVariable("crm", CrmConversation.class).answered(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class), answer);
        exchange.setVariable("crmAsked", false);
    }

    /** After the write: per-record errors become dead letters (stage crm) in the CRM's words; the rest is delivered. */
    public void results(Exchange exchange) {
        Map<String, CrmError> refused = exchange.getVariable("crm", CrmConversation.class).refused();
        List<Map<String, Object>> delivered = new ArrayList<>();
        List<Map<String, Object>> dead = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> valid = exchange.getVariable("valid", List.class);
        for (Map<String, Object> row : valid) {
            CrmError error = refused.get((String) row.get("crm_id"));
            if (error == null) delivered.add(row);
            else dead.add(deadLetter(row, "crm", reason(error)));
        }
        exchange.setVariable("delivered", delivered);
        exchange.setVariable("rejected", dead);
    }

    /** "Salesforce refused the record: REQUIRED_FIELD_MISSING: Required fields are missing: [Company] (field Company: salesforce.yaml line 9: …)". */
    String reason(CrmError error) {
        StringBuilder b = new StringBuilder(dialect.name()).append(" refused the record: ")
                .append(Secrets.scrub(error.code() + ": " + error.message()));
        for (String field : error.fields()) b.append(" (field ").append(field).append(": ").append(mapping.lineOf(field)).append(')');
        return b.toString();
    }

    /** Leads a crash left SENDING: ask the CRM for them by id. */
    public void readRequest(List<Map<String, Object>> inDoubt, Exchange exchange) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> r : inDoubt) {
            Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            row.putAll(r);
            Map<String, Object> copy = new LinkedHashMap<>();
            copy.put("source", row.get("source"));
            copy.put("lead_key", row.get("lead_key"));
            copy.put("crm_id", row.get("crm_id"));
            copy.put("crm_version", row.get("crm_version"));
            rows.add(copy);
            ids.add(String.valueOf(row.get("crm_id")));
        }
        exchange.setVariable("inDoubt", rows);
        exchange.setVariable("crm", dialect.read(ids));
        exchange.setVariable("crmAsked", false);
    }

    /** Read-back: a record the CRM holds with exactly the properties we sent was delivered; the others go again. */
    public void confirm(Exchange exchange) {
        Map<String, JsonNode> held = exchange.getVariable("crm", CrmConversation.class).held();
        List<Map<String, Object>> confirmed = new ArrayList<>();
        List<Map<String, Object>> again = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> inDoubt = exchange.getVariable("inDoubt", List.class);
        for (Map<String, Object> row : inDoubt) {
            JsonNode props = held.get(String.valueOf(row.get("crm_id")));
            String v = props == null ? null : version(written(props));
            (v != null && v.equals(row.get("crm_version")) ? confirmed : again).add(row);
        }
        exchange.setVariable("confirmed", confirmed);
        exchange.setVariable("sendAgain", again);
    }

    /** Of what the CRM holds, the properties the mapping writes (a CRM adds its own: ids, dates, attributes). */
    private JsonNode written(JsonNode held) {
        ObjectNode out = JSON.createObjectNode();
        for (String p : mapping.properties()) {
            held.fieldNames().forEachRemaining(name -> {
                if (name.equalsIgnoreCase(p)) out.set(p, held.get(name));
            });
        }
        return out;
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

    /**
     * A digest of a property set, independent of key order and of how the CRM spells a value back: empty
     * values are left out (the mapping sends none), numbers compare by value (250, "250", 250.0).
     */
    static String version(JsonNode properties) {
        try {
            Map<String, String> asText = new TreeMap<>();
            properties.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) return;
                asText.put(e.getKey(), v.isNumber() ? v.decimalValue().stripTrailingZeros().toPlainString() : v.isValueNode() ? v.asText() : v.toString());
            });
            return Sha256.hex(JSON.writeValueAsString(asText));
        } catch (Exception e) {
            return "?";
        }
    }
}
