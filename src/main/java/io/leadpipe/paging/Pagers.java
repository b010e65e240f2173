package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The paging of every source, picked by the exchange's {@code source} variable (shared routes serve all jobs). */
public final class Pagers {

    private final Map<String, SourcePaging> bySource = new ConcurrentHashMap<>();

    public void register(String source, SourcePaging paging) {
        bySource.put(source, paging);
    }

    private SourcePaging of(Exchange exchange) {
        String source = exchange.getVariable("source", String.class);
        SourcePaging p = bySource.get(source);
        if (p == null) throw new IllegalStateException("no source named '" + source + "' in leadpipe.sources");
        return p;
    }

    public boolean positional(String source) {
        SourcePaging p = bySource.get(source);
        return p != null && p.positional();
    }

    public int pageSize(String source) {
        SourcePaging p = bySource.get(source);
        return p == null ? 1 : p.pageSize();
    }

    public void prepareRequest(Exchange exchange) throws Exception {
        of(exchange).prepareRequest(exchange);
    }

    public List<List<Object>> readPage(JsonNode page, Exchange exchange) {
        return of(exchange).readPage(page, exchange);
    }
}
