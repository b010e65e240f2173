package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One source's paging, on the exchange: builds the request for {@code variable.cursor} (the checkpoint's
 * position), and reads an answer into rows to upsert plus the next position. Loop state stays in
 * exchange variables; nothing here is a header but the HTTP control headers.
 */
public final class SourcePaging {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SourceSettings source;

    public SourcePaging(SourceSettings source) {
        this.source = source;
    }

    public int pageSize() {
        return source.pageSize();
    }

    public boolean positional() {
        return source.paginator().positional();
    }

    /** Sets method, URL override, query or JSON body for the page at {@code variable.cursor}. */
    public void prepareRequest(Exchange exchange) throws Exception {
        String position = exchange.getVariable("cursor", String.class);
        Paginator.Call call = source.paginator().call(position);
        Map<String, String> params = new LinkedHashMap<>();
        if (call.url() == null) {
            params.put(source.pageSizeParam(), Integer.toString(source.pageSize()));
            String filters = exchange.getVariable("filters", String.class);
            if (filters != null && !filters.isEmpty()) {
                for (String pair : filters.split("&")) {
                    int eq = pair.indexOf('=');
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String watermark = exchange.getVariable("watermark", String.class);
            String incremental = exchange.getVariable("incremental", String.class);
            if (watermark != null && incremental != null && !incremental.isBlank()) params.put(incremental, watermark);
            params.putAll(call.params());
        }
        String url = call.url() != null ? call.url() : source.url();
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, call.url() != null ? "GET" : source.method());
        if (call.url() != null) {
            exchange.getMessage().setHeader(Exchange.HTTP_URI, url);
            exchange.getMessage().setBody(null);
            exchange.setVariable("request", "GET " + url);
        } else if (source.method().equals("POST")) {
            ObjectNode body = JSON.createObjectNode();
            params.forEach((k, v) -> {
                if (v.matches("-?\\d{1,18}")) body.put(k, Long.parseLong(v));
                else body.put(k, v);
            });
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(JSON.writeValueAsString(body));
            exchange.setVariable("request", "POST " + url + " " + body);
        } else {
            StringBuilder q = new StringBuilder();
            params.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(JobFilters.enc(k)).append('=').append(JobFilters.enc(v)));
            exchange.getMessage().setHeader(Exchange.HTTP_QUERY, q.toString());
            exchange.getMessage().setBody(null);
            exchange.setVariable("request", "GET " + url + "?" + q);
        }
        exchange.setVariable("sourceUrl", source.url());
    }

    /**
     * Reads one page: returns the rows to upsert and sets variables nextCursor, apiTotal, pageRecords, page,
     * pageKey (a fingerprint of the page's ids) and more. A body without the configured records array is
     * malformed, not an empty page.
     */
    public List<List<Object>> readPage(JsonNode body, Exchange exchange) {
        if (body == null || !body.isObject()) {
            throw new MalformedPageException("the response body is not a JSON object");
        }
        JsonNode records = body.at(source.recordsPointer());
        if (!records.isArray()) {
            throw new MalformedPageException("the response has no records array at " + source.recordsPointer()
                    + " (check leadpipe.source." + source.name() + ".records-pointer)");
        }
        String jobId = exchange.getVariable("jobId", String.class);
        String pullId = exchange.getVariable("pullId", String.class);
        int pageNo = exchange.getVariable("page", 0, Integer.class) + 1;
        // rows are positional (lead_key, source, job_id, pull_id, page_no, payload): binding a few hundred
        // named parameters per page cost camel-sql half the pipeline's CPU in a profile
        List<List<Object>> rows = new ArrayList<>(records.size());
        MessageDigest ids = sha256();
        String lastId = null;
        for (JsonNode record : records) {
            String id = Paginator.text(record.at(source.idPointer()));
            if (id == null) {
                throw new MalformedPageException("a record on page " + pageNo + " has no id at " + source.idPointer()
                        + " (check leadpipe.source." + source.name() + ".id-pointer)");
            }
            ids.update(id.getBytes(StandardCharsets.UTF_8));
            ids.update((byte) 0);
            lastId = id;
            rows.add(java.util.Arrays.asList(id, source.name(), jobId, pullId, pageNo, record.toString()));
        }
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getMessage().getHeaders().forEach((k, v) -> { if (v != null) headers.put(k, v.toString()); });
        String position = exchange.getVariable("cursor", String.class);
        String next = source.paginator().next(position, new Paginator.Page(body, records, headers::get, lastId));
        JsonNode total = body.at(source.totalPointer());
        exchange.setVariable("nextCursor", next);
        exchange.setVariable("apiTotal", total.canConvertToLong() ? total.asLong() : exchange.getVariable("apiTotal", Long.class));
        exchange.setVariable("pageRecords", rows.size());
        exchange.setVariable("pageSize", source.pageSize());
        exchange.setVariable("page", pageNo);
        exchange.setVariable("more", next != null);
        exchange.setVariable("pageKey", pullId + ":" + HexFormat.of().formatHex(ids.digest()).substring(0, 40));
        exchange.setVariable("pageIds", rows.stream().map(r -> (String) r.get(0)).toList());
        return rows;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
