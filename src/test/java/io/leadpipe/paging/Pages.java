package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Map;
import java.util.TreeMap;

/** Builds the pages a paginator reads: a JSON body, its records and response headers. */
final class Pages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Pages() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** A page whose records sit at /data; lastId is the last record's id. */
    static Paginator.Page page(String body, Map<String, String> headers) {
        JsonNode b = json(body);
        JsonNode records = b.at("/data");
        String lastId = records.isEmpty() ? null : records.get(records.size() - 1).path("id").asText(null);
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        return new Paginator.Page(b, records, h::get, lastId);
    }

    static Paginator.Page page(String body) {
        return page(body, Map.of());
    }

    /** A page after earlier pages of this run, the largest of which held {@code largestBefore} records. */
    static Paginator.Page after(int largestBefore, String body) {
        Paginator.Page p = page(body);
        return new Paginator.Page(p.body(), p.records(), p.headers(), p.lastId(), largestBefore);
    }

    /** n records with ids from first on, as a JSON array text. */
    static String records(int first, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) b.append(i == 0 ? "" : ",").append("{'id':'L").append(first + i).append("'}");
        return b.append(']').toString();
    }
}
