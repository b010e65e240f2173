package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One source's paging, on the exchange: builds the request for the pull's position ({@code variable.pull}),
 * and reads an answer into a {@link FetchedPage}. Nothing here is a header but the HTTP control headers.
 */
public final class PageCodec {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.extract");
    private final PagingSpec source;
    private final SourceUrl sourceUrl;
    /** A clamped page size is said once per source, not on every page of every job. */
    private final AtomicBoolean clampLogged = new AtomicBoolean();

    /** The fixed part of a POST body (empty unless leadpipe.source.<name>.body says more); never changed. */
    private final ObjectNode baseBody;
    /** The most pages the API serves per query (leadpipe.source.<name>.max-pages; 0 = no such limit). */
    private final int maxPages;
    /** The most records the API serves per query, whatever the page size (leadpipe.source.<name>.max-results; 0 = no such limit). */
    private final long maxResults;

    /** The source's delta dialect (leadpipe.source.<name>.delta.*); null or undeclared = the job's own parameter. */
    private io.leadpipe.delta.DeltaSpec delta;

    /** How this source is asked for what changed (a delta job's requests carry its watermark as the spec says). */
    public PageCodec withDelta(io.leadpipe.delta.DeltaSpec delta) {
        this.delta = delta;
        return this;
    }

    public io.leadpipe.delta.DeltaSpec delta() {
        return delta;
    }

    public PageCodec(PagingSpec source) {
        this.source = source;
        this.sourceUrl = new SourceUrl(source.url());
        this.baseBody = source.body();
        this.maxPages = source.maxPages();
        this.maxResults = source.maxResults();
        if (!source.autoConcurrency() && source.concurrency() > 1 && !source.paginator().plannable()) {
            // still used as the number of child lists at once when the source is a parent → child job's childSource
            LOG.warn("source {}: leadpipe.source.{}.concurrency = {} does not fetch one job's pages in parallel — {} paging learns each page's"
                    + " position from the page before it (only offset and page paging, with the total in the answer, do); it still sets how many"
                    + " child lists a parent → child job pulls at once from this source", source.name(), source.name(), source.concurrency(), source.paging());
        }
    }

    /** Pages of one job in flight at once: the source's concurrency where positions are known ahead, else 1 (auto: the most). */
    public int concurrency() {
        return source.pagesInFlight();
    }

    /** The most pages of a job in flight the source allows (its concurrency, or with auto its max-concurrency), whatever its paging. */
    public int mostInFlight() {
        return source.concurrency();
    }

    /** concurrency = auto: the pages in flight follow the quota's rate and the API's answer time, up to {@link #concurrency()}. */
    public boolean autoConcurrency() {
        return source.autoConcurrency() && source.paginator().plannable();
    }

    /**
     * Up to {@code max} pages after the pull's position (the checkpoint's), skipping those {@code stored}
     * already, as far as the API's {@code total} reaches — in pages of the size the API serves.
     */
    public java.util.List<PlannedPage> plan(PullPosition pull, long total, java.util.Set<Integer> stored, int max) {
        // the size the API really serves: fewer than asked when it clamps, more when it ignores the size parameter
        int served = Math.max(1, pull.largestPage() > 0 ? pull.largestPage() : source.pageSize());
        java.util.List<PlannedPage> pages = new java.util.ArrayList<>();
        for (int k = 0; pages.size() < max; k++) {
            String at = source.paginator().ahead(pull.position(), k, served, total);
            if (at == null) break;
            int number = pull.pageNo() + 1 + k;
            // past the API's own cap per query (max-pages, max-results): not planned; the page at the checkpoint
            // then says so alone, as one page at a time does, with every page below it stored
            long index = source.paginator().pageIndex(at, number - 1);
            if (maxPages > 0 && index > maxPages || maxResults > 0 && index * served > maxResults) break;
            if (!stored.contains(number)) pages.add(new PlannedPage(pull, number, at, served));
        }
        return pages;
    }

    public int pageSize() {
        return source.pageSize();
    }

    public boolean positional() {
        return source.paginator().positional();
    }

    /**
     * Sets method, query or JSON body (and, for a next-page link, the URL) for the page at the pull's position.
     * The {@code sourceUrl} variable is the endpoint without a query — the HTTP endpoint (and the key's client)
     * is made of it — and the query goes in the CamelHttpQuery header: the source URL's own parameters, then
     * leadpipe's (page size, filters, watermark, position), a parameter of the same name sent once, leadpipe's.
     * A parameter whose name is set empty (page-size-param) is not sent.
     */
    public void prepareRequest(PullPosition pull, Exchange exchange) throws Exception {
        // a query cut at max-results: the position names a window (the value it starts after) and the cursor inside it
        QueryCut.Window window = QueryCut.window(pull.position());
        if (window != null && source.cut() == null) {
            throw new PageLimitException("the checkpoint is inside a query cut at the API's max-results, but leadpipe.source." + source.name()
                    + ".cut.pointer is no longer set: set the cut.* keys back, or `leadpipe reset " + pull.jobId() + "` to pull it again");
        }
        String position = window == null ? pull.position() : window.cursor();
        if (position != null && (maxPages > 0 || maxResults > 0)) {
            long index = window == null ? source.paginator().pageIndex(position, pull.pageNo()) : window.pages() + 1L;
            if (maxPages > 0 && index > maxPages) {
                throw new PageLimitException("the API serves at most " + maxPages + " pages per query (leadpipe.source." + source.name()
                        + ".max-pages) and this one has more: the rest cannot be reached by paging. Every lead up to page " + maxPages
                        + " is stored; cut the job into slices or narrower filters, each under " + maxPages + " pages");
            }
            // HubSpot's search: a page reaching past the 10,000th record is refused (400), whatever the page size
            long size = pull.largestPage() > 0 ? pull.largestPage() : source.pageSize();
            if (maxResults > 0 && index * size > maxResults) {
                throw new PageLimitException("the API serves at most " + maxResults + " records per query (leadpipe.source." + source.name()
                        + ".max-results) and this one has more: the rest cannot be reached by paging. Every lead up to page " + (index - 1)
                        + " is stored; cut the job into narrower filters (e.g. date ranges), each under " + maxResults + " records, or let the pull cut"
                        + " the query after its last record read (leadpipe.source." + source.name() + ".cut.*, sorted by a unique field)");
            }
        }
        Paginator.Call call = source.paginator().call(position);
        exchange.setVariable("sourceUrl", sourceUrl.endpoint());
        io.leadpipe.delta.DeltaRequest deltaRequest = deltaRequest(pull);
        // a watermark in a header goes with every page, also those a next-page link names
        if (deltaRequest != null) deltaRequest.headers().forEach(exchange.getMessage()::setHeader);
        if (call.url() != null) {
            // a next-page link names the whole request (its host checked by the paginator): followed as is, by GET
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            exchange.getMessage().setHeader(Exchange.HTTP_URI, call.url());
            exchange.getMessage().setBody(null);
            exchange.setVariable("request", "GET " + call.url());
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (!source.pageSizeParam().isEmpty()) params.put(source.pageSizeParam(), Integer.toString(source.pageSize()));
        String filters = pull.filters();
        if (filters != null && !filters.isEmpty()) {
            for (String pair : filters.split("&")) {
                int eq = pair.indexOf('=');
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String watermark = pull.watermark();
        String incremental = pull.watermarkParam();
        SourceUrl url = sourceUrl;
        ObjectNode base = baseBody;
        if (deltaRequest != null) {
            // the source's delta dialect: a parameter, a body field, or {since} in the URL's own query
            deltaRequest = new io.leadpipe.delta.DeltaRequest(source.url(), params, java.util.Map.of(), baseBody).since(delta, since(pull));
            params = new LinkedHashMap<>(deltaRequest.params());
            if (deltaRequest.body() != null) base = deltaRequest.body();
            if (!deltaRequest.url().equals(source.url())) url = new SourceUrl(deltaRequest.url());
        } else if (watermark != null && incremental != null && !incremental.isBlank()) {
            params.put(incremental, watermark);
        }
        // a window of a cut query: the query again, after the last record the window before it read
        if (window != null && source.method().equals("POST")) base = source.cut().body(base, window.after());
        else if (window != null) source.cut().params(params, window.after());
        params.putAll(call.params());
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, source.method());
        // a child list's endpoint (/companies/{id}/contacts) names the URL of the call; the HTTP endpoint stays the source's, one per source
        String endpoint = pull.endpoint(sourceUrl.endpoint());
        if (!endpoint.equals(sourceUrl.endpoint())) exchange.getMessage().setHeader(Exchange.HTTP_URI, endpoint);
        String query;
        if (source.method().equals("POST")) {
            // leadpipe's fields go in the JSON body, over the source's fixed body; the URL keeps its own query,
            // less what the body now says
            ObjectNode body = base.deepCopy();
            // a cursor is text even when it looks like a number (HubSpot search's "after": "100"); page
            // numbers, offsets, sizes and numeric filters are numbers
            boolean cursor = !source.paginator().positional();
            params.forEach((k, v) -> {
                if (v.matches("-?\\d{1,18}") && !(cursor && call.params().containsKey(k))) body.put(k, Long.parseLong(v));
                else body.put(k, v);
            });
            query = url.ownQuery(params.keySet());
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setBody(JSON.writeValueAsString(body));
            exchange.setVariable("request", "POST " + endpoint + (query.isEmpty() ? "" : "?" + query) + " " + body);
        } else {
            query = url.query(params);
            exchange.getMessage().setBody(null);
            exchange.setVariable("request", "GET " + endpoint + (query.isEmpty() ? "" : "?" + query));
        }
        if (!query.isEmpty()) exchange.getMessage().setHeader(Exchange.HTTP_QUERY, query);
    }

    /**
     * The request of a source that declares its delta dialect, before the watermark is applied (headers are
     * the only part read from it); null when the source declares none. The {since} placeholder of a URL is
     * filled for every job (a full pull asks from the start of time); a watermark only for a delta pull.
     */
    private io.leadpipe.delta.DeltaRequest deltaRequest(PullPosition pull) {
        if (delta == null || !delta.declared()) return null;
        return io.leadpipe.delta.DeltaRequest.get(source.url()).since(delta, since(pull));
    }

    /** The watermark of a delta pull (an incremental job past its first pull), or null for a full pull. */
    private static java.time.Instant since(PullPosition pull) {
        if (pull.watermarkParam() == null || pull.watermark() == null) return null;
        return io.leadpipe.delta.UpdatedAt.parse(pull.watermark());
    }

    /**
     * Reads one page into ids, records, next position, the API's total and a fingerprint of its ids. A body
     * without the configured records array is malformed, not an empty page.
     */
    public FetchedPage readPage(JsonNode body, PullPosition pull, Exchange exchange) {
        JsonNode records = records(body);
        // the page's data watermark and deletions, read from the raw records (stored with the page: store-page)
        if (delta != null && delta.declared()) exchange.setVariable("pageChanges", io.leadpipe.delta.PageChanges.read(delta, records, source.idPointer()));
        int pageNo = pull.pageNo() + 1;
        List<String> ids = new ArrayList<>(records.size());
        List<String> payloads = new ArrayList<>(records.size());
        MessageDigest digest = sha256();
        String lastId = null;
        for (JsonNode record : records) {
            String id = Paginator.text(record.at(source.idPointer()));
            if (id == null) {
                throw new MalformedPageException("a record on page " + pageNo + " has no id at " + source.idPointer()
                        + " (check leadpipe.source." + source.name() + ".id-pointer)");
            }
            digest.update(id.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            lastId = id;
            ids.add(id);
            payloads.add(fields(record, pageNo).toString());
        }
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getMessage().getHeaders().forEach((k, v) -> { if (v != null) headers.put(k, v.toString()); });
        Paginator.Page page = new Paginator.Page(body, records, headers::get, lastId, pull.largestPage());
        noticeClamp(page);
        QueryCut.Window window = QueryCut.window(pull.position());
        String next = source.paginator().next(window == null ? pull.position() : window.cursor(), page);
        if (source.cut() != null && next != null) next = cutAtCap(pull, window, records, next, pageNo);
        // a delta's proof: the API's count of the delta query, where it reports one (a cut window's count is of what is left)
        JsonNode total = window != null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                : body.at(delta != null && delta.countPointer() != null && since(pull) != null ? delta.countPointer() : source.totalPointer());
        // said at the pull's first page, when the whole query's size is known
        if (maxPages > 0 && total.canConvertToLong() && pull.position() == null) {
            long reachable = (long) maxPages * Math.max(page.apiPageSize(), 1);
            if (total.asLong() > reachable) {
                LOG.warn("job={} matches {} records, but the API serves at most {} pages ({} records) per query (leadpipe.source.{}.max-pages):"
                        + " the pull will stop there; cut the job into slices or narrower filters", pull.jobId(), total.asLong(), maxPages, reachable, source.name());
            }
        }
        if (maxResults > 0 && total.canConvertToLong() && pull.position() == null && total.asLong() > maxResults && source.cut() != null) {
            LOG.info("job={} matches {} records, more than the API serves per query ({}, leadpipe.source.{}.max-results): the query is cut"
                    + " before each page that would reach past it, and starts again after the last record's {}", pull.jobId(), total.asLong(), maxResults,
                    source.name(), source.cut().pointer());
        } else if (maxResults > 0 && total.canConvertToLong() && pull.position() == null && total.asLong() > maxResults) {
            LOG.warn("job={} matches {} records, but the API serves at most {} records per query (leadpipe.source.{}.max-results):"
                    + " the pull will stop there; cut the job into narrower filters (e.g. date ranges)", pull.jobId(), total.asLong(), maxResults, source.name());
        }
        String pageKey = pull.pullId() + ":" + HexFormat.of().formatHex(digest.digest()).substring(0, 40);
        return new FetchedPage(pageNo, ids, payloads, next, total.canConvertToLong() ? total.asLong() : null, source.pageSize(), pageKey);
    }

    /**
     * The next position of a query cut at max-results: when the page after this one would reach past the cap,
     * a new window that starts after this page's last record; else the same window, one page further.
     */
    private String cutAtCap(PullPosition pull, QueryCut.Window window, JsonNode records, String next, int pageNo) {
        long index = window == null ? source.paginator().pageIndex(pull.position(), pull.pageNo()) : window.pages() + 1L;
        long size = Math.max(1, Math.max(pull.largestPage(), records.size()));
        if ((index + 1) * size <= maxResults) return window == null ? next : new QueryCut.Window(window.after(), (int) index, next).position();
        String last = source.cut().lastValue(records);
        if (last == null) {
            throw new MalformedPageException("the last record on page " + pageNo + " has no value at " + source.cut().pointer()
                    + " to cut the query after (check leadpipe.source." + source.name() + ".cut.pointer)");
        }
        if (window != null && last.equals(window.after())) {
            throw new PageLimitException("more than " + maxResults + " records (leadpipe.source." + source.name() + ".max-results) share "
                    + source.cut().pointer() + " = " + last + ": a cut after it cannot move on. Every lead up to page " + pageNo
                    + " is stored; cut by a field whose values are unique (HubSpot: /id, sorted by hs_object_id)");
        }
        return new QueryCut.Window(last, 0, null).position();
    }

    /**
     * 304 Not Modified to a delta request that carried its watermark in a header (Zoho's If-Modified-Since):
     * nothing changed since — an empty last page. Any other 304 is an answer leadpipe did not ask for.
     */
    public FetchedPage notModified(PullPosition pull, Exchange exchange) {
        if (delta == null || delta.where() != io.leadpipe.delta.DeltaSpec.Where.HEADER || since(pull) == null) {
            throw new MalformedPageException("the API answered 304 Not Modified to a request that asked for no change since a time");
        }
        exchange.setVariable("pageChanges", io.leadpipe.delta.PageChanges.NONE);
        String pageKey = pull.pullId() + ":" + HexFormat.of().formatHex(sha256().digest()).substring(0, 40);
        return new FetchedPage(pull.pageNo() + 1, List.of(), List.of(), null, null, source.pageSize(), pageKey);
    }

    /**
     * The records array: at the records pointer, or the body itself when the pointer is empty (GitHub's list
     * endpoints answer with a bare array). A body without it is malformed, not an empty page.
     */
    private JsonNode records(JsonNode body) {
        String pointer = source.recordsPointer();
        String setting = "leadpipe.source." + source.name() + ".records-pointer";
        if (body == null || !body.isContainerNode()) throw new MalformedPageException("the response body is not a JSON object or array");
        if (pointer.isEmpty()) {
            if (!body.isArray()) {
                throw new MalformedPageException("the response body is a JSON object, not the records array (" + setting
                        + " is empty: the body itself); point " + setting + " at the array inside it");
            }
            return body;
        }
        if (body.isArray()) {
            throw new MalformedPageException("the response body is a JSON array, not an object with records at " + pointer
                    + ": if the array holds the records, set " + setting + " empty (the body itself)");
        }
        JsonNode records = body.at(pointer);
        if (!records.isArray()) {
            throw new MalformedPageException("the response has no records array at " + pointer + " (check " + setting + ")");
        }
        return records;
    }

    /** What is stored of a record: its fields object (fields-pointer, e.g. HubSpot's /properties), or the whole record. */
    private JsonNode fields(JsonNode record, int pageNo) {
        if (source.fieldsPointer().isEmpty()) return record;
        JsonNode fields = record.at(source.fieldsPointer());
        if (!fields.isObject()) {
            throw new MalformedPageException("a record on page " + pageNo + " has no fields object at " + source.fieldsPointer()
                    + " (check leadpipe.source." + source.name() + ".fields-pointer)");
        }
        return fields;
    }

    /**
     * An earlier page of this run was shorter than asked for, and yet another page came: the API serves fewer
     * per page than asked (a clamp), and paging goes by what it serves.
     */
    private void noticeClamp(Paginator.Page page) {
        int served = page.apiPageSize();
        if (page.largestBefore() > 0 && page.largestBefore() < source.pageSize() && !page.records().isEmpty()
                && served < source.pageSize() && clampLogged.compareAndSet(false, true)) {
            LOG.warn("source {}: the API returns at most {} per page; asked {} — paging by what it returns (set leadpipe.source.{}.page-size = {} to match)",
                    source.name(), served, source.pageSize(), source.name(), served);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
