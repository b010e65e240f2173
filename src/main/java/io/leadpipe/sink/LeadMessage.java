package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.encoding.Sha256;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One staged lead as one message for any Camel endpoint: the record as received plus a {@code "leadpipe"}
 * object (as in {@code export --format jsonl}), and headers naming its source, its id, the job that stored
 * it, its idempotency key — the same key every time the same version of the lead is sent, so a consumer
 * drops what a resend after a crash repeats — and its operation: upsert, or delete for a lead deleted at the source.
 */
public final class LeadMessage {

    public static final String SOURCE = "LeadpipeSource";
    public static final String LEAD_ID = "LeadpipeLeadId";
    public static final String JOB_ID = "LeadpipeJobId";
    public static final String IDEMPOTENCY_KEY = "LeadpipeIdempotencyKey";
    /** upsert (the lead as it is now), or delete (the lead was deleted at the source: leadpipe.sink.endpoint.on-deleted = send). */
    public static final String OPERATION = "LeadpipeOperation";

    private static final ObjectMapper JSON = new ObjectMapper();
    private String scheme = "";
    private String keyHeader = "";

    /** The endpoint's URI: a webhook also gets Content-Type and Idempotency-Key, a Kafka record its key. */
    public void setEndpoint(String uri) {
        String s = SinkEndpoint.scheme(uri == null ? "" : uri);
        this.scheme = s == null ? "" : s;
    }

    /** One more header carrying the idempotency key, for a broker that de-duplicates by it (Artemis: _AMQ_DUPL_ID); empty for none. */
    public void setKeyHeader(String name) {
        this.keyHeader = name == null ? "" : name.trim();
    }

    /**
     * source + id + a digest of the record: stable across resends of one version of a lead, new when the record
     * changes. Hex SHA-256, so it fits a header, a file name or a unique column whatever the id holds.
     */
    public static String idempotencyKey(String source, String leadId, String payload) {
        // each part length-prefixed: an id holding the separator cannot make two leads' keys meet
        return Sha256.hex(source.length() + ":" + source + leadId.length() + ":" + leadId + Sha256.hex(payload));
    }

    /**
     * The key of the deletion of a lead whose stored version is {@code payload}: as stable across resends as
     * {@link #idempotencyKey}, and never equal to it, so a consumer that drops repeated keys never drops the deletion.
     */
    public static String deletionKey(String source, String leadId, String payload) {
        return Sha256.hex("delete:" + idempotencyKey(source, leadId, payload));
    }

    /**
     * The round's rows, as variable {@code round}, with lower-case column names (H2 reports them in upper case,
     * PostgreSQL in lower); {@code more} says whether there were any.
     */
    public void round(List<Map<String, Object>> rows, Exchange exchange) {
        List<Map<String, Object>> leads = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            Map<String, Object> lead = new LinkedHashMap<>();
            row.forEach((k, v) -> lead.put(k.toLowerCase(Locale.ROOT), v));
            leads.add(lead);
        }
        exchange.setVariable("round", leads);
        exchange.setVariable("more", !leads.isEmpty());
        exchange.setVariable("roundSize", leads.size());
    }

    /** Replaces the message with variable {@code lead} as JSON and its headers (every other header removed: an HTTP endpoint would send them). */
    public void build(Exchange exchange) throws Exception {
        build(exchange, false);
    }

    /**
     * The same for a lead deleted at the source: the record as last stored, {@code "operation": "delete"} in its
     * {@code "leadpipe"} object and the {@value #OPERATION} header, and its {@link #deletionKey}.
     */
    public void buildDeletion(Exchange exchange) throws Exception {
        build(exchange, true);
    }

    private void build(Exchange exchange, boolean deletion) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> lead = exchange.getVariable("lead", Map.class);
        String source = String.valueOf(lead.get("source"));
        String id = String.valueOf(lead.get("lead_key"));
        String payload = String.valueOf(lead.get("payload"));
        String key = deletion ? deletionKey(source, id, payload) : idempotencyKey(source, id, payload);
        String operation = deletion ? "delete" : "upsert";
        JsonNode record = JSON.readTree(payload);
        ObjectNode body = record instanceof ObjectNode o ? o : JSON.createObjectNode().set("record", record);
        ObjectNode meta = body.putObject("leadpipe");
        meta.put("source", source);
        meta.put("lead_id", id);
        meta.put("job_id", (String) lead.get("job_id"));
        meta.put("idempotency_key", key);
        meta.put("operation", operation);

        Message m = exchange.getMessage();
        m.getHeaders().clear();
        m.setBody(JSON.writeValueAsString(body));
        m.setHeader(SOURCE, source);
        m.setHeader(LEAD_ID, id);
        m.setHeader(JOB_ID, lead.get("job_id"));
        m.setHeader(IDEMPOTENCY_KEY, key);
        m.setHeader(OPERATION, operation);
        if (!keyHeader.isEmpty()) m.setHeader(keyHeader, key);
        if (scheme.equals("http") || scheme.equals("https")) {
            m.setHeader(Exchange.HTTP_METHOD, "POST");
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
            m.setHeader("Idempotency-Key", key); // the name webhook receivers look for (IETF httpapi draft)
        } else if (scheme.equals("kafka")) {
            m.setHeader("kafka.KEY", source + ":" + id); // one lead's versions in one partition, in order
        }
        exchange.setVariable("request", (deletion ? "send the deletion of lead " : "send lead ") + id + " of " + source);
    }

    /** The dead letter for variable {@code lead}, refused by the endpoint for variable {@code reason} (stage endpoint). */
    public Map<String, Object> deadLetter(Exchange exchange) {
        String reason = exchange.getVariable("reason", String.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> lead = exchange.getVariable("lead", Map.class);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", lead.get("source"));
        d.put("lead_key", lead.get("lead_key"));
        d.put("job_id", lead.get("job_id"));
        d.put("stage", exchange.getVariable("stage", "endpoint", String.class));
        d.put("reason", reason);
        d.put("attempts", lead.get("attempts") == null ? 1 : ((Number) lead.get("attempts")).intValue() + 1);
        d.put("payload", lead.get("payload"));
        return d;
    }
}
