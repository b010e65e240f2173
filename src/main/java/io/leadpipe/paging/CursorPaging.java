package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cursor pagination for one source: which query asks for the next page, and where the records, the next
 * cursor and the total sit in the answer. Loop state is read from and written to exchange variables.
 */
public final class CursorPaging {

    private final SourceSettings source;

    public CursorPaging(SourceSettings source) {
        this.source = source;
    }

    /** Sets the HTTP method and query for the page after {@code variable.cursor}. */
    public void prepareRequest(Exchange exchange) {
        StringBuilder q = new StringBuilder();
        q.append(JobFilters.enc(source.pageSizeParam())).append('=').append(source.pageSize());
        String filters = exchange.getVariable("filters", String.class);
        if (filters != null && !filters.isEmpty()) q.append('&').append(filters);
        String cursor = exchange.getVariable("cursor", String.class);
        if (cursor != null) q.append('&').append(JobFilters.enc(source.cursorParam())).append('=').append(JobFilters.enc(cursor));
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
        exchange.getMessage().setHeader(Exchange.HTTP_QUERY, q.toString());
        exchange.setVariable("sourceUrl", source.url());
        exchange.setVariable("request", "GET " + source.url() + "?" + q);
    }

    /**
     * Reads one page: returns the rows to upsert and sets variables nextCursor, apiTotal, pageRecords, page
     * and more. A body without the configured records array is malformed, not an empty page.
     */
    public List<Map<String, Object>> readPage(JsonNode page, Exchange exchange) {
        if (page == null || !page.isObject()) {
            throw new MalformedPageException("the response body is not a JSON object (" + exchange.getVariable("request") + ")");
        }
        JsonNode records = page.at(source.recordsPointer());
        if (!records.isArray()) {
            throw new MalformedPageException("the response has no records array at " + source.recordsPointer()
                    + " (check leadpipe.source." + source.name() + ".records-pointer)");
        }
        String jobId = exchange.getVariable("jobId", String.class);
        int pageNo = exchange.getVariable("page", 0, Integer.class) + 1;
        List<Map<String, Object>> rows = new ArrayList<>(records.size());
        for (JsonNode record : records) {
            JsonNode id = record.at(source.idPointer());
            if (id.isMissingNode() || id.isNull() || id.asText().isEmpty()) {
                throw new MalformedPageException("a record on page " + pageNo + " has no id at " + source.idPointer()
                        + " (check leadpipe.source." + source.name() + ".id-pointer)");
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("lead_key", id.asText());
            row.put("source", source.name());
            row.put("job_id", jobId);
            row.put("page_no", pageNo);
            row.put("payload", record.toString());
            rows.add(row);
        }
        JsonNode next = page.at(source.nextCursorPointer());
        String nextCursor = next.isMissingNode() || next.isNull() || next.asText().isEmpty() ? null : next.asText();
        JsonNode total = page.at(source.totalPointer());
        exchange.setVariable("nextCursor", nextCursor);
        exchange.setVariable("apiTotal", total.isNumber() ? total.asLong() : null);
        exchange.setVariable("pageRecords", rows.size());
        exchange.setVariable("page", pageNo);
        exchange.setVariable("more", nextCursor != null);
        return rows;
    }
}
