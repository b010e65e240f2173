package io.leadpipe.sink;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.encoding.QueryEncoding;
import org.apache.camel.Exchange;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Firmographics for leads, by a lookup key taken from each lead (its domain by default). Answers are
 * cached per key in enrichment_cache — leads of one company cost one call — and "nothing known" (404) is
 * an answer too, cached as such, not an error.
 */
public final class Enrichment {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource dataSource;
    private final String keyField;
    private final String keyParam;
    private final boolean enabled;
    private final Map<String, JsonPointer> fields;

    public Enrichment(DataSource dataSource, String keyField, String keyParam, boolean enabled) {
        this(dataSource, keyField, keyParam, Map.of(), enabled);
    }

    /** @param fields what to take from an answer (an enrichment profile's); empty: the answer as it is */
    public Enrichment(DataSource dataSource, String keyField, String keyParam, Map<String, JsonPointer> fields, boolean enabled) {
        this.dataSource = dataSource;
        this.keyField = keyField;
        this.keyParam = keyParam;
        this.fields = fields;
        this.enabled = enabled;
    }

    /** The lookup keys of this batch that are not cached yet (one call each). */
    public List<String> lookupsNeeded(Exchange exchange) throws Exception {
        if (!enabled) return List.of();
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Object> row : rows(exchange)) {
            if (row.get("enrichment") != null) continue; // enriched before a crash or a replay
            String key = key(row);
            if (key != null) keys.add(key);
        }
        if (keys.isEmpty()) return List.of();
        Set<String> cached = new LinkedHashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT lookup_key FROM enrichment_cache WHERE lookup_key IN (" + "?,".repeat(keys.size() - 1) + "?)")) {
            int i = 1;
            for (String k : keys) ps.setString(i++, k);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) cached.add(rs.getString(1));
            }
        }
        keys.removeAll(cached);
        exchange.setVariable("enrichmentCalls", exchange.getVariable("enrichmentCalls", 0, Integer.class) + keys.size());
        return new ArrayList<>(keys);
    }

    /** Before the call: GET ?domain=… for {@code variable.lookupKey}. */
    public void prepare(Exchange exchange) {
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
        exchange.getMessage().setHeader(Exchange.HTTP_QUERY, QueryEncoding.encode(keyParam) + "=" + QueryEncoding.encode(exchange.getVariable("lookupKey", String.class)));
        exchange.getMessage().setBody(null);
        exchange.setVariable("request", "GET " + exchange.getVariable("enrichUrl") + "?" + keyParam + "=…");
    }

    /** After the call: a 200 is cached as found, a 404 as nothing known (other statuses threw in the HTTP step). */
    public void remember(Exchange exchange) throws Exception {
        boolean found = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class) == 200;
        String key = exchange.getVariable("lookupKey", String.class);
        String body = exchange.getMessage().getBody(String.class);
        if (found) JSON.readTree(body); // an unreadable answer is an IOException: retried
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM enrichment_cache WHERE lookup_key = ?")) {
                del.setString(1, key);
                del.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO enrichment_cache (lookup_key, found, payload, fetched_at) VALUES (?, ?, ?, CURRENT_TIMESTAMP)")) {
                ins.setString(1, key);
                ins.setBoolean(2, found);
                ins.setString(3, found ? body : null);
                ins.executeUpdate();
            }
        }
    }

    /** Puts each lead's enrichment (JSON, or "{}" for nothing known / no key) on its row. */
    public List<Map<String, Object>> attach(Exchange exchange) throws SQLException {
        List<Map<String, Object>> rows = rows(exchange);
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Object> row : rows) if (row.get("enrichment") == null && key(row) != null) keys.add(key(row));
        Map<String, String> answers = new TreeMap<>();
        if (enabled && !keys.isEmpty()) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT lookup_key, found, payload FROM enrichment_cache WHERE lookup_key IN (" + "?,".repeat(keys.size() - 1) + "?)")) {
                int i = 1;
                for (String k : keys) ps.setString(i++, k);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) answers.put(rs.getString(1), rs.getBoolean(2) ? fieldsOf(rs.getString(3)) : "{}");
                }
            }
        }
        for (Map<String, Object> row : rows) {
            if (row.get("enrichment") == null) {
                String key = key(row);
                row.put("enrichment", key == null ? "{}" : answers.getOrDefault(key, "{}"));
            }
        }
        return rows;
    }

    /** The answer as cached, or only the profile's fields of it (a field the answer lacks is left out). */
    private String fieldsOf(String answer) {
        if (fields.isEmpty() || answer == null) return answer;
        try {
            JsonNode a = JSON.readTree(answer);
            com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
            fields.forEach((name, pointer) -> {
                JsonNode v = a.at(pointer);
                if (!v.isMissingNode() && !v.isNull()) out.set(name, v);
            });
            return JSON.writeValueAsString(out);
        } catch (Exception e) {
            return "{}"; // remember() read it before caching it: not reached
        }
    }

    private String key(Map<String, Object> row) {
        try {
            JsonNode lead = JSON.readTree(String.valueOf(row.get("payload")));
            JsonNode v = lead.path(keyField);
            return v.isMissingNode() || v.isNull() || v.asText().isBlank() ? null : v.asText().trim().toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(Exchange exchange) {
        List<Map<String, Object>> rows = exchange.getVariable("batch", List.class);
        return rows == null ? List.of() : rows;
    }
}
