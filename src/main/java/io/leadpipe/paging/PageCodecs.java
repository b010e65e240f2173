package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The paging of every source, picked by the pull's source ({@code variable.pull}; shared routes serve all jobs). */
public final class PageCodecs {

    private final Map<String, PageCodec> bySource = new ConcurrentHashMap<>();

    public void register(String source, PageCodec paging) {
        bySource.put(source, paging);
    }

    private PageCodec of(PullPosition pull) {
        PageCodec p = bySource.get(pull.source());
        if (p == null) throw new IllegalStateException("no source named '" + pull.source() + "' in leadpipe.sources");
        return p;
    }

    /** The page in flight ({@code variable.plannedPage}) in a parallel pull, else the pull at its checkpoint. */
    private static PullPosition pull(Exchange exchange) {
        PlannedPage planned = exchange.getVariable("plannedPage", PlannedPage.class);
        if (planned != null) return planned;
        PullPosition pull = exchange.getVariable("pull", PullPosition.class);
        if (pull == null) throw new IllegalStateException("no pull on the exchange (variable 'pull')");
        return pull;
    }

    public boolean positional(String source) {
        PageCodec p = bySource.get(source);
        return p != null && p.positional();
    }

    public int pageSize(String source) {
        PageCodec p = bySource.get(source);
        return p == null ? 1 : p.pageSize();
    }

    /** Pages of one job of this source in flight at once (1: one at a time). */
    public int concurrency(String source) {
        PageCodec p = bySource.get(source);
        return p == null ? 1 : p.concurrency();
    }

    /** The most requests of one job this source allows in flight, whatever its paging (slices = auto sizes by it). */
    public int mostInFlight(String source) {
        PageCodec p = bySource.get(source);
        return p == null ? 1 : p.mostInFlight();
    }

    /** Whether the pages in flight of this source's jobs follow its quota and answer time (concurrency = auto). */
    public boolean autoConcurrency(String source) {
        PageCodec p = bySource.get(source);
        return p != null && p.autoConcurrency();
    }

    /** The next pages of a parallel pull: see {@link PageCodec#plan}. */
    public java.util.List<PlannedPage> plan(PullPosition pull, long total, java.util.Set<Integer> stored, int max) {
        return of(pull).plan(pull, total, stored, max);
    }

    /** A fresh loop guard for one pull run of this source. */
    public LoopGuard loopGuard(String source) {
        return new LoopGuard(source, positional(source), pageSize(source));
    }

    public void prepareRequest(Exchange exchange) throws Exception {
        PullPosition pull = pull(exchange);
        of(pull).prepareRequest(pull, exchange);
    }

    /** A 304 to a delta request (If-Modified-Since): an empty last page, as the message body. */
    public FetchedPage notModified(Exchange exchange) {
        PullPosition pull = pull(exchange);
        return of(pull).notModified(pull, exchange);
    }

    /** The answer (JSON) → the page, as the message body. */
    public FetchedPage readPage(JsonNode page, Exchange exchange) {
        PullPosition pull = pull(exchange);
        return of(pull).readPage(page, pull, exchange);
    }
}
