package io.leadpipe.delta;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.source.ReadySourcesTest;
import io.leadpipe.testing.SourceRecords;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.testing.VendorFake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vendor fakes for recurring syncs: each serves a {@link SourceRecords} whose records change, appear and
 * disappear between pulls, and answers the vendor's "changed since" query exactly as its documentation says
 * (/work/notes/delta-vendors.md has the pages read and the quotes). A request in another dialect gets what the
 * vendor would give it — nothing for a bare timestamp where a range is wanted, an error for a wrong format —
 * so a wrong dialect fails the test instead of passing quietly. No quota windows here (ReadySourcesTest covers
 * those); every fake checks the vendor's auth header form.
 */
final class DeltaFakes {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = TestWorkspace.API_KEY;
    private static final DateTimeFormatter SECONDS_Z = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS_Z = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    /** Salesforce writes dateTime fields with an offset without a colon: 2026-12-05T14:33:34.000+0000. */
    private static final DateTimeFormatter SALESFORCE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'+0000'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ZOHO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'+00:00'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private DeltaFakes() {
    }

    private static VendorFake fake(String authHeader, String authValue, VendorFake.Serve serve) throws IOException {
        return new VendorFake(List.of(), authHeader, authValue, (h, now) -> { }, (ex, spent, now) -> FakeApi.send(ex, 429, "application/json", "{}"), serve);
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        FakeApi.send(ex, status, "application/json", JSON.writeValueAsString(body));
    }

    private static int intParam(HttpExchange ex, String name, int def) {
        String v = VendorFake.param(ex, name);
        return v == null || v.isEmpty() ? def : Integer.parseInt(v);
    }

    private static String base(HttpExchange ex) {
        return "http://" + ex.getRequestHeaders().getFirst("Host");
    }

    // ---- GitHub: GET /repos/{owner}/{repo}/issues?state=all&since=&per_page=&page=, Link rel="next".
    // docs.github.com/en/rest/issues/issues "List repository issues": since — "Only show results that were last
    // updated after the given time. This is a timestamp in ISO 8601 format: YYYY-MM-DDTHH:MM:SSZ." per_page at
    // most 100. Timestamps in answers are whole seconds (updated_at). Deleted issues are not listed: no deletions.

    static VendorFake github(SourceRecords data) throws IOException {
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            String since = VendorFake.param(ex, "since");
            Instant after;
            try {
                after = since == null ? null : OffsetDateTime.parse(since).toInstant();
            } catch (DateTimeParseException e) {
                json(ex, 422, JSON.createObjectNode().put("message", "Validation Failed").put("documentation_url", "https://docs.github.com/rest"));
                return;
            }
            List<SourceRecords.Rec> rows = data.live().stream()
                    .filter(r -> after == null || r.updated.truncatedTo(ChronoUnit.SECONDS).isAfter(after)).toList();
            int perPage = Math.min(100, intParam(ex, "per_page", 30));
            int page = intParam(ex, "page", 1);
            int from = (page - 1) * perPage;
            ArrayNode out = JSON.createArrayNode();
            for (SourceRecords.Rec r : rows.subList(Math.min(from, rows.size()), Math.min(rows.size(), from + perPage))) {
                out.addObject().put("id", Integer.parseInt(r.id)).put("number", r.seq + 1).put("title", r.name()).put("state", "open")
                        .put("created_at", SECONDS_Z.format(r.created)).put("updated_at", SECONDS_Z.format(r.updated));
            }
            if (from + perPage < rows.size()) {
                String self = base(ex) + ex.getRequestURI().getPath() + "?state=all&per_page=" + perPage
                        + (since == null ? "" : "&since=" + java.net.URLEncoder.encode(since, StandardCharsets.UTF_8)) + "&page=";
                ex.getResponseHeaders().set("link", "<" + self + (page + 1) + ">; rel=\"next\"");
            }
            FakeApi.send(ex, 200, "application/json; charset=utf-8", out.toString());
        });
    }

    // ---- HubSpot lists: GET /crm/v3/objects/contacts?limit=&after=&archived=. No "modified since" filter on lists
    // (developers.hubspot.com CRM v3 objects: limit, after, properties, archived); archived=true lists only the
    // archived (deleted) records, each with "archived": true. Unknown parameters are ignored.

    static VendorFake hubspotList(SourceRecords data) throws IOException {
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            boolean archived = "true".equals(VendorFake.param(ex, "archived"));
            List<SourceRecords.Rec> rows = data.all().stream().filter(r -> r.deleted == archived).toList();
            int limit = Math.min(100, intParam(ex, "limit", 10));
            String after = VendorFake.param(ex, "after");
            int from = after == null ? 0 : Integer.parseInt(new String(Base64.getDecoder().decode(after), StandardCharsets.UTF_8));
            ObjectNode out = JSON.createObjectNode();
            ArrayNode results = out.putArray("results");
            for (SourceRecords.Rec r : rows.subList(Math.min(from, rows.size()), Math.min(rows.size(), from + limit))) hubspotRecord(results.addObject(), r);
            if (from + limit < rows.size()) {
                out.putObject("paging").putObject("next").put("after", Base64.getEncoder().encodeToString(Integer.toString(from + limit).getBytes(StandardCharsets.UTF_8)));
            }
            json(ex, 200, out);
        });
    }

    private static void hubspotRecord(ObjectNode o, SourceRecords.Rec r) {
        o.put("id", r.id);
        o.putObject("properties").put("hs_object_id", r.id).put("email", "c" + r.seq + "@example.com").put("firstname", r.name())
                .put("lastmodifieddate", MILLIS_Z.format(r.updated));
        o.put("createdAt", MILLIS_Z.format(r.created)).put("updatedAt", MILLIS_Z.format(r.updated)).put("archived", r.deleted);
        if (r.deleted) o.put("archivedAt", MILLIS_Z.format(r.updated));
    }

    // ---- HubSpot search: POST /crm/v3/objects/contacts/search {"filterGroups":[{"filters":[{"propertyName":
    // "lastmodifieddate","operator":"GTE","value":"<epoch ms>"}]}],"sorts":…,"limit":,"after":}. Groups are ORed,
    // filters in a group ANDed; date values are epoch milliseconds (a number in seconds reads as a date in 1970, so
    // everything matches). "total" counts every match; at most 10,000 results per query (a page past them: 400);
    // archived records are never returned by search. (HubSpot CRM search guide; community answers on lastmodifieddate.)
    // The cap: developers.hubspot.com/docs/api/crm/search, Limitations — "The search endpoints are limited to 10,000
    // total results for any given query. Attempting to page beyond 10,000 will result in a 400 error" (also quoted by
    // docs.aws.amazon.com/glue/latest/dg/hubspot-connector-limitations). Sorts: {"propertyName":…,"direction":
    // "ASCENDING"|"DESCENDING"} (the guide's "Sorting search results"); without one the order is the fake's list order.

    /** HubSpot's cap on the results of one search query. */
    static final int HUBSPOT_SEARCH_CAP = 10_000;

    static VendorFake hubspotSearch(SourceRecords data) throws IOException {
        return hubspotSearch(data, HUBSPOT_SEARCH_CAP, new java.util.concurrent.ConcurrentHashMap<>());
    }

    /**
     * The same with another cap, so a test can cut a query without serving 10,000 records; {@code served} counts
     * how often each id was sent.
     */
    static VendorFake hubspotSearch(SourceRecords data, int cap, java.util.Map<String, Integer> served) throws IOException {
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            JsonNode req = JSON.readTree(body.isEmpty() ? "{}" : body);
            Predicate<SourceRecords.Rec> match = r -> true;
            JsonNode groups = req.path("filterGroups");
            if (groups.isArray() && !groups.isEmpty()) {
                match = r -> {
                    for (JsonNode g : groups) {
                        boolean all = true;
                        for (JsonNode f : g.path("filters")) all &= hubspotFilter(f, r);
                        if (all) return true;
                    }
                    return false;
                };
            }
            List<SourceRecords.Rec> rows = new java.util.ArrayList<>(data.live().stream().filter(match).toList());
            JsonNode sort = req.path("sorts").path(0);
            if (!sort.isMissingNode()) {
                java.util.Comparator<SourceRecords.Rec> by = switch (sort.path("propertyName").asText()) {
                    case "hs_object_id" -> java.util.Comparator.comparingLong((SourceRecords.Rec r) -> Long.parseLong(r.id));
                    case "lastmodifieddate" -> java.util.Comparator.comparing((SourceRecords.Rec r) -> r.updated);
                    default -> null;
                };
                if (by != null) rows.sort("DESCENDING".equals(sort.path("direction").asText()) ? by.reversed() : by);
            }
            int limit = Math.min(200, req.path("limit").asInt(10));
            int from = req.hasNonNull("after") ? Integer.parseInt(req.get("after").asText()) : 0;
            if (from + limit > cap) {
                json(ex, 400, JSON.createObjectNode().put("status", "error").put("message", "Search results are limited to " + cap).put("category", "VALIDATION_ERROR"));
                return;
            }
            ObjectNode out = JSON.createObjectNode().put("total", rows.size());
            ArrayNode results = out.putArray("results");
            for (SourceRecords.Rec r : rows.subList(Math.min(from, rows.size()), Math.min(rows.size(), from + limit))) {
                hubspotRecord(results.addObject(), r);
                served.merge(r.id, 1, Integer::sum);
            }
            if (from + limit < rows.size()) out.putObject("paging").putObject("next").put("after", Integer.toString(from + limit));
            json(ex, 200, out);
        });
    }

    private static boolean hubspotFilter(JsonNode f, SourceRecords.Rec r) {
        String property = f.path("propertyName").asText();
        String v = f.path("value").asText();
        long ms;
        long at;
        if (property.equals("hs_object_id")) {
            ms = Long.parseLong(v);
            at = Long.parseLong(r.id);
        } else if (property.equals("lastmodifieddate")) {
            ms = v.matches("\\d+") ? Long.parseLong(v) : OffsetDateTime.parse(v).toInstant().toEpochMilli();
            at = r.updated.toEpochMilli();
        } else {
            return false;
        }
        return switch (f.path("operator").asText()) {
            case "GTE" -> at >= ms;
            case "GT" -> at > ms;
            case "LTE" -> at <= ms;
            case "LT" -> at < ms;
            case "EQ" -> at == ms;
            default -> false;
        };
    }

    // ---- Stripe: GET /v1/customers?limit=&starting_after=&created[gte]=. docs.stripe.com/api/customers/list:
    // "created: Only return customers that were created during the given date interval" — created[gt|gte|lt|lte]
    // as Unix timestamps (seconds), or created=<exact>. Newest first. Creation only: an edited customer is not
    // found by created (changes need the Events API); deleted customers are not listed.

    static VendorFake stripe(SourceRecords data) throws IOException {
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            Predicate<SourceRecords.Rec> match = r -> true;
            for (String op : new String[]{"gte", "gt", "lte", "lt"}) {
                String v = VendorFake.param(ex, "created[" + op + "]");
                if (v == null) continue;
                if (!v.matches("\\d{1,12}")) {
                    json(ex, 400, JSON.createObjectNode().set("error", JSON.createObjectNode().put("type", "invalid_request_error")
                            .put("param", "created[" + op + "]").put("message", "Invalid integer: " + v)));
                    return;
                }
                long s = Long.parseLong(v);
                Predicate<SourceRecords.Rec> p = switch (op) {
                    case "gte" -> r -> r.created.getEpochSecond() >= s;
                    case "gt" -> r -> r.created.getEpochSecond() > s;
                    case "lte" -> r -> r.created.getEpochSecond() <= s;
                    default -> r -> r.created.getEpochSecond() < s;
                };
                match = match.and(p);
            }
            List<SourceRecords.Rec> rows = data.newestFirst().stream().filter(match).toList();
            int limit = Math.min(100, intParam(ex, "limit", 10));
            String after = VendorFake.param(ex, "starting_after");
            int from = 0;
            if (after != null) for (int i = 0; i < rows.size(); i++) if (rows.get(i).id.equals(after)) from = i + 1;
            int to = Math.min(rows.size(), from + limit);
            ObjectNode out = JSON.createObjectNode().put("object", "list").put("url", "/v1/customers").put("has_more", to < rows.size());
            ArrayNode d = out.putArray("data");
            for (SourceRecords.Rec r : rows.subList(from, to)) {
                d.addObject().put("id", r.id).put("object", "customer").put("created", r.created.getEpochSecond()).put("email", "s" + r.seq + "@example.com").put("name", r.name());
            }
            json(ex, 200, out);
        });
    }

    // ---- Salesforce: GET /services/data/v60.0/query?q=SOQL (live records) or /queryAll?q=SOQL (also deleted ones,
    // IsDeleted = true, until the recycle bin is emptied). developer.salesforce.com REST guide "QueryAll",
    // "Execute a SOQL Query that Includes Deleted Items"; SOQL dateTime literals are unquoted
    // (WHERE SystemModstamp > 2026-12-05T00:00:00Z). totalSize = every match; the next batch is nextRecordsUrl.

    private static final Pattern SOQL = Pattern.compile("SELECT (\\S+) FROM Contact(?: WHERE SystemModstamp (>=|>) (\\S+))?(?: ORDER BY SystemModstamp)?");
    private static final Pattern SOQL_DATETIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?(Z|[+-]\\d{2}:\\d{2})");

    static VendorFake salesforce(SourceRecords data) throws IOException {
        java.util.Map<String, List<SourceRecords.Rec>> locators = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<String, Boolean> locatorAll = new java.util.concurrent.ConcurrentHashMap<>();
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            String path = ex.getRequestURI().getPath();
            String root = "/services/data/v60.0/";
            List<SourceRecords.Rec> rows;
            int from;
            boolean all;
            if (path.equals(root + "query") || path.equals(root + "queryAll")) {
                all = path.endsWith("queryAll");
                String q = VendorFake.param(ex, "q");
                Matcher m = q == null ? null : SOQL.matcher(q.strip());
                if (m == null || !m.matches() || m.group(3) != null && !SOQL_DATETIME.matcher(m.group(3)).matches()) {
                    json(ex, 400, JSON.createArrayNode().add(JSON.createObjectNode().put("message", "unexpected token in " + q).put("errorCode", "MALFORMED_QUERY")));
                    return;
                }
                Instant bound = m.group(3) == null ? null : OffsetDateTime.parse(m.group(3)).toInstant();
                boolean inclusive = ">=".equals(m.group(2));
                rows = data.all().stream().filter(r -> all || !r.deleted)
                        .filter(r -> bound == null || (inclusive ? !r.updated.isBefore(bound) : r.updated.isAfter(bound))).toList();
                String locator = "01gRO" + locators.size();
                locators.put(locator, rows);
                locatorAll.put(locator, all);
                from = 0;
                path = root + "query/" + locator + "-0";
            } else if (path.startsWith(root + "query/01gRO")) {
                String loc = path.substring(path.lastIndexOf('/') + 1, path.lastIndexOf('-'));
                rows = locators.get(loc);
                all = locatorAll.get(loc);
                from = Integer.parseInt(path.substring(path.lastIndexOf('-') + 1));
            } else {
                json(ex, 404, JSON.createArrayNode().add(JSON.createObjectNode().put("message", "The requested resource does not exist").put("errorCode", "NOT_FOUND")));
                return;
            }
            int batch = 200;
            int to = Math.min(rows.size(), from + batch);
            ObjectNode out = JSON.createObjectNode().put("totalSize", rows.size()).put("done", to >= rows.size());
            if (to < rows.size()) out.put("nextRecordsUrl", path.substring(0, path.lastIndexOf('-') + 1) + to);
            ArrayNode recs = out.putArray("records");
            for (SourceRecords.Rec r : rows.subList(from, to)) {
                ObjectNode o = recs.addObject();
                o.putObject("attributes").put("type", "Contact").put("url", root + "sobjects/Contact/" + r.id);
                o.put("Id", r.id).put("Name", r.name()).put("SystemModstamp", SALESFORCE.format(r.updated));
                if (all) o.put("IsDeleted", r.deleted);
            }
            FakeApi.send(ex, 200, "application/json;charset=UTF-8", out.toString());
        });
    }

    // ---- Pipedrive v2: GET /api/v2/persons?updated_since=&limit=&cursor=. developers.pipedrive.com "Get all
    // persons" (v2): updated_since — "If set, only persons with an update_time later than or equal to this time are
    // returned. In RFC3339 format, e.g. 2025-01-01T10:20:00Z." Deleted persons are not listed (the list has no deleted
    // filter: filter_id, ids, owner_id, org_id, deal_id, updated_since/until, sort_by, include_fields, custom_fields).
    // Their deletions show in the changes feed, GET /v1/recents (developers.pipedrive.com/docs/api/v1/Recents, "Get
    // recents": "Returns data about all recent changes occurred after the given timestamp"; since_timestamp required,
    // "The timestamp in UTC. Format: YYYY-MM-DD HH:MM:SS"; items=person; start (default 0) and limit): each change one
    // item {"item":"person","id":…,"data":{…the person…}}, a deleted person's data with "active_flag": false (the v1
    // person's "Whether the person is active or not"; DELETE /api/v2/persons/{id} "Marks a person as deleted. After 30
    // days, the person will be permanently deleted"), additional_data {since_timestamp, last_timestamp_on_page,
    // pagination {start, limit, more_items_in_collection, next_start}}. The feed reaches back 30 days only (changelog
    // "Permanent deletion logic for 6 core entities", developers.pipedrive.com/changelog; Fivetran's Pipedrive
    // connector docs: "The Recents endpoint returns data only from the last 30 days").

    private static final DateTimeFormatter PIPEDRIVE_V1 = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

    static VendorFake pipedriveV2(SourceRecords data) throws IOException {
        return fake("x-api-token", KEY, (ex, body) -> {
            // a company domain serves v1 under /api as v2 (developers.pipedrive.com/changelog: "use
            // https://companydomain.pipedrive.com/api/v1/"); any other path is a 404 here, as there
            if (ex.getRequestURI().getPath().equals("/api/v1/recents")) {
                pipedriveRecents(ex, data);
                return;
            }
            if (!ex.getRequestURI().getPath().equals("/api/v2/persons")) {
                json(ex, 404, JSON.createObjectNode().put("success", false).put("error", "Unknown method ."));
                return;
            }
            String since = VendorFake.param(ex, "updated_since");
            Instant from0;
            try {
                from0 = since == null ? null : OffsetDateTime.parse(since).toInstant();
            } catch (DateTimeParseException e) {
                json(ex, 400, JSON.createObjectNode().put("success", false).put("error", "updated_since must be in RFC3339 format"));
                return;
            }
            List<SourceRecords.Rec> rows = data.live().stream()
                    .filter(r -> from0 == null || !r.updated.truncatedTo(ChronoUnit.SECONDS).isBefore(from0)).toList();
            int limit = Math.min(500, intParam(ex, "limit", 100));
            String cursor = VendorFake.param(ex, "cursor");
            int from = cursor == null ? 0 : Integer.parseInt(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
            int to = Math.min(rows.size(), from + limit);
            ObjectNode out = JSON.createObjectNode().put("success", true);
            ArrayNode d = out.putArray("data");
            for (SourceRecords.Rec r : rows.subList(Math.min(from, rows.size()), to)) {
                d.addObject().put("id", Integer.parseInt(r.id)).put("name", r.name()).put("add_time", SECONDS_Z.format(r.created))
                        .put("update_time", SECONDS_Z.format(r.updated));
            }
            ObjectNode more = out.putObject("additional_data");
            if (to < rows.size()) more.put("next_cursor", Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8)));
            else more.putNull("next_cursor");
            json(ex, 200, out);
        });
    }

    private static void pipedriveRecents(HttpExchange ex, SourceRecords data) throws IOException {
        String since = VendorFake.param(ex, "since_timestamp");
        Instant after;
        try {
            after = PIPEDRIVE_V1.parse(since, Instant::from);
        } catch (NullPointerException | DateTimeParseException e) {
            json(ex, 400, JSON.createObjectNode().put("success", false).put("error", "since_timestamp is required, Format: YYYY-MM-DD HH:MM:SS")
                    .put("error_info", "Please check developers.pipedrive.com"));
            return;
        }
        Instant reach = Instant.now().minus(java.time.Duration.ofDays(30)); // the feed keeps 30 days
        String items = VendorFake.param(ex, "items");
        List<SourceRecords.Rec> rows = items != null && !items.contains("person") ? List.of() : data.all().stream()
                .filter(r -> r.updated.truncatedTo(ChronoUnit.SECONDS).isAfter(after) && r.updated.isAfter(reach))
                .sorted(java.util.Comparator.comparing((SourceRecords.Rec r) -> r.updated)).toList();
        int start = intParam(ex, "start", 0);
        int limit = Math.min(500, intParam(ex, "limit", 100));
        int to = Math.min(rows.size(), start + limit);
        ObjectNode out = JSON.createObjectNode().put("success", true);
        ArrayNode d = out.putArray("data");
        for (SourceRecords.Rec r : rows.subList(Math.min(start, rows.size()), to)) {
            ObjectNode item = d.addObject().put("item", "person").put("id", Integer.parseInt(r.id));
            item.putObject("data").put("id", Integer.parseInt(r.id)).put("name", r.name()).put("active_flag", !r.deleted)
                    .put("add_time", PIPEDRIVE_V1.format(r.created)).put("update_time", PIPEDRIVE_V1.format(r.updated));
        }
        ObjectNode more = out.putObject("additional_data").put("since_timestamp", since);
        if (to > start) more.put("last_timestamp_on_page", PIPEDRIVE_V1.format(rows.get(to - 1).updated));
        ObjectNode pagination = more.putObject("pagination").put("start", start).put("limit", limit).put("more_items_in_collection", to < rows.size());
        if (to < rows.size()) pagination.put("next_start", to);
        json(ex, 200, out);
    }

    // ---- Apollo: POST /api/v1/mixed_people/api_search {page, per_page}. The People API Search page documents no
    // "updated since" filter: every sync is a full pull; records disappear from results without a trace.

    static VendorFake apollo(SourceRecords data) throws IOException {
        return apollo(data, new java.util.concurrent.atomic.AtomicInteger());
    }

    /** {@code failFromPage} > 0: pages from that one on are refused (400), a pull that fails part-way. */
    static VendorFake apollo(SourceRecords data, java.util.concurrent.atomic.AtomicInteger failFromPage) throws IOException {
        return fake("x-api-key", KEY, (ex, body) -> {
            JsonNode req = JSON.readTree(body.isEmpty() ? "{}" : body);
            int page = req.path("page").asInt(1);
            if (failFromPage.get() > 0 && page >= failFromPage.get()) {
                json(ex, 400, JSON.createObjectNode().put("error", "injected failure on page " + page));
                return;
            }
            int perPage = Math.min(100, req.path("per_page").asInt(25));
            List<SourceRecords.Rec> rows = data.live();
            int from = (page - 1) * perPage;
            ObjectNode out = JSON.createObjectNode().put("total_entries", rows.size());
            ArrayNode people = out.putArray("people");
            for (SourceRecords.Rec r : rows.subList(Math.min(from, rows.size()), Math.min(rows.size(), from + perPage))) {
                people.addObject().put("id", r.id).put("first_name", r.name());
            }
            out.putObject("pagination").put("page", page).put("per_page", perPage).put("total_entries", rows.size())
                    .put("total_pages", (rows.size() + perPage - 1) / perPage);
            json(ex, 200, out);
        });
    }

    // ---- Outreach (JSON:API 1.0): GET /api/v2/prospects?filter[updatedAt]=<from>..inf&page[size]=&count=.
    // developers.outreach.io/api/making-requests: requests must carry Content-Type application/vnd.api+json (415
    // otherwise); "Filter and Sort": a filter value is an exact match, a range is written with two dots
    // (2017-01-01..inf, neginf..2017-01-01), bounds inclusive; paging follows links.next (page[size], at most 1000;
    // page[after] in the link); meta.count is the number of matching records. Deleted prospects are not listed.

    static VendorFake outreach(SourceRecords data) throws IOException {
        return outreach(data, 0);
    }

    /** Outreach whose meta.count says {@code countMore} records more than it serves (records it counts but cannot show). */
    static VendorFake outreach(SourceRecords data, int countMore) throws IOException {
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            if (!"application/vnd.api+json".equals(ex.getRequestHeaders().getFirst("Content-Type"))) {
                json(ex, 415, JSON.createObjectNode().set("errors", JSON.createArrayNode().add(JSON.createObjectNode()
                        .put("id", "unsupportedMediaType").put("title", "Unsupported Media Type"))));
                return;
            }
            String filter = VendorFake.param(ex, "filter[updatedAt]");
            Predicate<SourceRecords.Rec> match = r -> true;
            if (filter != null) {
                int dots = filter.indexOf("..");
                if (dots < 0) {
                    // an exact match: a bare timestamp finds only records updated at exactly that instant
                    match = r -> MILLIS_Z.format(r.updated).equals(filter) || SECONDS_Z.format(r.updated).equals(filter);
                } else {
                    Instant lo = outreachBound(filter.substring(0, dots), Instant.MIN);
                    Instant hi = outreachBound(filter.substring(dots + 2), Instant.MAX);
                    match = r -> !r.updated.isBefore(lo) && !r.updated.isAfter(hi);
                }
            }
            List<SourceRecords.Rec> rows = data.live().stream().filter(match).toList();
            int size = Math.min(1000, intParam(ex, "page[size]", 50));
            String after = VendorFake.param(ex, "page[after]");
            int from = 0;
            if (after != null) for (int i = 0; i < rows.size(); i++) if (rows.get(i).id.equals(after)) from = i + 1;
            int to = Math.min(rows.size(), from + size);
            ObjectNode out = JSON.createObjectNode();
            ArrayNode d = out.putArray("data");
            for (SourceRecords.Rec r : rows.subList(from, to)) {
                ObjectNode o = d.addObject().put("type", "prospect").put("id", Integer.parseInt(r.id));
                o.putObject("attributes").put("firstName", r.name()).put("createdAt", MILLIS_Z.format(r.created)).put("updatedAt", MILLIS_Z.format(r.updated));
            }
            if (to < rows.size()) {
                String next = base(ex) + ex.getRequestURI().getPath() + "?page%5Bsize%5D=" + size
                        + (filter == null ? "" : "&filter%5BupdatedAt%5D=" + java.net.URLEncoder.encode(filter, StandardCharsets.UTF_8))
                        + "&page%5Bafter%5D=" + rows.get(to - 1).id;
                out.putObject("links").put("next", next);
            }
            if (!"false".equals(VendorFake.param(ex, "count"))) out.putObject("meta").put("count", rows.size() + (filter == null ? 0 : countMore));
            FakeApi.send(ex, 200, "application/vnd.api+json", out.toString());
        });
    }

    private static Instant outreachBound(String v, Instant open) {
        if (v.equals("inf") || v.equals("neginf")) return open;
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            return v.matches("\\d{4}-\\d{2}-\\d{2}") ? java.time.LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : open;
        }
    }

    // ---- Zoho CRM: GET /crm/v7/Leads?fields=…&per_page=200&page=|page_token=, header If-Modified-Since.
    // zoho.com/crm/developer/docs/api/v3+/get-records.html: "If-Modified-Since: 2019-07-25T15:26:49+05:30" — records
    // modified after that time (ISO 8601 with an offset); fields is mandatory; per_page at most 200; page numbers
    // reach the first 2,000 records, beyond them (up to 100,000) page_token from info.next_page_token (not with
    // page). Kaizen #60 (help.zoho.com). Nothing modified since: 304 Not Modified, no body. Auth: Authorization:
    // Zoho-oauthtoken <token>. Deleted records are listed by a separate endpoint (/Leads/deleted), not here.

    static VendorFake zoho(SourceRecords data) throws IOException {
        return fake("Authorization", "Zoho-oauthtoken " + KEY, (ex, body) -> {
            if (VendorFake.param(ex, "fields") == null) {
                json(ex, 400, JSON.createObjectNode().put("code", "REQUIRED_PARAM_MISSING").put("status", "error").put("message", "One of the expected parameter is missing"));
                return;
            }
            String since = ex.getRequestHeaders().getFirst("If-Modified-Since");
            Instant after;
            try {
                after = since == null ? null : OffsetDateTime.parse(since).toInstant();
            } catch (DateTimeParseException e) {
                json(ex, 400, JSON.createObjectNode().put("code", "INVALID_DATA").put("status", "error").put("message", "invalid If-Modified-Since"));
                return;
            }
            List<SourceRecords.Rec> rows = data.live().stream().filter(r -> after == null || r.updated.truncatedTo(ChronoUnit.SECONDS).isAfter(after)).toList();
            if (after != null && rows.isEmpty()) {
                ex.sendResponseHeaders(304, -1);
                return;
            }
            int perPage = Math.min(200, intParam(ex, "per_page", 200));
            String token = VendorFake.param(ex, "page_token");
            String pageText = VendorFake.param(ex, "page");
            if (token != null && pageText != null) {
                json(ex, 400, JSON.createObjectNode().put("code", "INVALID_REQUEST").put("status", "error").put("message", "page and page_token cannot be used together"));
                return;
            }
            int from;
            int page;
            if (token != null) {
                from = Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
                page = from / perPage + 1;
            } else {
                page = pageText == null ? 1 : Integer.parseInt(pageText);
                from = (page - 1) * perPage;
                if (from + perPage > 2000) {
                    json(ex, 400, JSON.createObjectNode().put("code", "DISCRETE_PAGINATION_LIMIT_EXCEEDED").put("status", "error")
                            .put("message", "you cannot get more than 2000 records without page_token"));
                    return;
                }
            }
            int to = Math.min(rows.size(), from + perPage);
            ObjectNode out = JSON.createObjectNode();
            ArrayNode d = out.putArray("data");
            for (SourceRecords.Rec r : rows.subList(Math.min(from, rows.size()), to)) {
                d.addObject().put("id", r.id).put("Last_Name", r.name()).put("Email", "z" + r.seq + "@example.com")
                        .put("Created_Time", ZOHO.format(r.created)).put("Modified_Time", ZOHO.format(r.updated));
            }
            ObjectNode info = out.putObject("info").put("per_page", perPage).put("count", to - Math.min(from, rows.size())).put("page", page)
                    .put("sort_by", "id").put("sort_order", "desc").put("more_records", to < rows.size());
            if (to < rows.size()) info.put("next_page_token", Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8)));
            else info.putNull("next_page_token");
            json(ex, 200, out);
        });
    }

    // ---- Dataverse Web API (learn.microsoft.com/power-apps/developer/data-platform/webapi/query/filter-rows, page-results):
    // GET /api/data/v9.2/contacts?$select=…&$filter=modifiedon ge <DateTimeOffset>, rows under "value" with contactid and
    // modifiedon (whole seconds, Z). The profile puts the watermark where the URL's $filter has {since}. Deleted rows are
    // not listed by a query.

    private static final Pattern ODATA_GE = Pattern.compile("modifiedon ge (\\S+)");

    static VendorFake dataverse(SourceRecords data) throws IOException {
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            String filter = VendorFake.param(ex, "$filter");
            Matcher m = filter == null ? null : ODATA_GE.matcher(filter);
            if (m == null || !m.matches()) {
                json(ex, 400, JSON.createObjectNode().set("error", JSON.createObjectNode().put("code", "0x80060888").put("message", "Syntax error in $filter " + filter)));
                return;
            }
            Instant since = OffsetDateTime.parse(m.group(1)).toInstant();
            ObjectNode out = JSON.createObjectNode();
            ArrayNode rows = out.putArray("value");
            for (SourceRecords.Rec r : data.live()) {
                if (r.updated.truncatedTo(ChronoUnit.SECONDS).isBefore(since)) continue;
                rows.addObject().put("contactid", r.id).put("fullname", r.name()).put("modifiedon", SECONDS_Z.format(r.updated));
            }
            json(ex, 200, out);
        });
    }

    // ---- Salesloft (developers.salesloft.com/docs/api/people-index): GET /v2/people?updated_at[gte]=<ISO 8601>, records
    // under "data" with updated_at to the microsecond and an offset; the next page named at metadata.paging.next_page.

    private static final DateTimeFormatter MICROS_OFFSET = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx", Locale.ROOT).withZone(ZoneOffset.ofHours(-5));

    static VendorFake salesloft(SourceRecords data) throws IOException {
        return fake("Authorization", "Bearer " + KEY, (ex, body) -> {
            String gte = VendorFake.param(ex, "updated_at[gte]");
            Instant since = gte == null ? null : OffsetDateTime.parse(gte).toInstant();
            ObjectNode out = JSON.createObjectNode();
            out.putObject("metadata").putObject("paging").put("current_page", 1).putNull("next_page");
            ArrayNode rows = out.putArray("data");
            for (SourceRecords.Rec r : data.live()) {
                if (since != null && r.updated.isBefore(since)) continue;
                rows.addObject().put("id", Integer.parseInt(r.id)).put("first_name", r.name()).put("updated_at", MICROS_OFFSET.format(r.updated));
            }
            json(ex, 200, out);
        });
    }

    // ---- Copper (developer.copper.com/people/list-people-search.html): POST /developer_api/v1/people/search with
    // minimum_modified_date (Unix seconds, the earliest modification date) in the body; a bare array of people with
    // date_modified in Unix seconds.

    static VendorFake copper(SourceRecords data) throws IOException {
        return fake("X-PW-AccessToken", KEY, (ex, body) -> {
            JsonNode q = JSON.readTree(body.isBlank() ? "{}" : body);
            JsonNode min = q.path("minimum_modified_date");
            if (!min.isMissingNode() && !min.canConvertToLong()) {
                json(ex, 422, JSON.createObjectNode().put("success", false).put("status", 422).put("message", "minimum_modified_date must be a Unix timestamp"));
                return;
            }
            ArrayNode rows = JSON.createArrayNode();
            for (SourceRecords.Rec r : data.live()) {
                if (!min.isMissingNode() && r.updated.getEpochSecond() < min.asLong()) continue;
                rows.addObject().put("id", Integer.parseInt(r.id)).put("name", r.name()).put("date_modified", r.updated.getEpochSecond());
            }
            json(ex, 200, rows);
        });
    }

    // ---- Klaviyo (developers.klaviyo.com/en/reference/get_profiles; changelog update 2023-05-30): GET /api/profiles?
    // filter=greater-than(updated,<datetime>) — strictly greater; JSON:API records with attributes.updated (+00:00).

    private static final Pattern KLAVIYO_FILTER = Pattern.compile("greater-than\\(updated,([^)]+)\\)");

    static VendorFake klaviyo(SourceRecords data) throws IOException {
        return fake("Authorization", "Klaviyo-API-Key " + KEY, (ex, body) -> {
            String filter = VendorFake.param(ex, "filter");
            Matcher m = filter == null ? null : KLAVIYO_FILTER.matcher(filter);
            if (filter != null && !m.matches()) {
                json(ex, 400, JSON.createObjectNode().set("errors", JSON.createArrayNode().add(JSON.createObjectNode().put("status", 400)
                        .put("code", "invalid").put("detail", "Invalid filter provided: " + filter))));
                return;
            }
            Instant since = m == null ? null : OffsetDateTime.parse(m.group(1)).toInstant();
            ObjectNode out = JSON.createObjectNode();
            ArrayNode rows = out.putArray("data");
            for (SourceRecords.Rec r : data.live()) {
                if (since != null && !r.updated.truncatedTo(ChronoUnit.SECONDS).isAfter(since)) continue;
                ObjectNode o = rows.addObject().put("type", "profile").put("id", r.id);
                o.putObject("attributes").put("first_name", r.name()).put("updated", ZOHO.format(r.updated));
            }
            out.putObject("links").put("self", base(ex) + "/api/profiles");
            json(ex, 200, out);
        });
    }

    // ---- Freshsales (developers.freshworks.com/crm/api/): a saved view's contacts, GET …/contacts/view/{id}; a view takes
    // no "updated since" parameter: every sync is the whole view again.

    static VendorFake freshsales(SourceRecords data) throws IOException {
        return fake("Authorization", "Token token=" + KEY, (ex, body) -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode rows = out.putArray("contacts");
            for (SourceRecords.Rec r : data.live()) rows.addObject().put("id", Long.parseLong(r.id)).put("first_name", r.name()).put("updated_at", SECONDS_Z.format(r.updated));
            out.putObject("meta").put("total_pages", 1).put("total", rows.size());
            json(ex, 200, out);
        });
    }

    /** The fake of a vendor (its profile's name) serving these records. */
    static VendorFake of(String vendor, SourceRecords data) throws IOException {
        return switch (vendor) {
            case "github" -> github(data);
            case "hubspot" -> hubspotList(data);
            case "hubspot-search" -> hubspotSearch(data);
            case "stripe" -> stripe(data);
            case "salesforce" -> salesforce(data);
            case "pipedrive-v2" -> pipedriveV2(data);
            case "apollo" -> apollo(data);
            case "outreach" -> outreach(data);
            case "zoho" -> zoho(data);
            case "dataverse" -> dataverse(data);
            case "salesloft" -> salesloft(data);
            case "copper" -> copper(data);
            case "klaviyo" -> klaviyo(data);
            case "freshsales" -> freshsales(data);
            default -> throw new IllegalArgumentException(vendor);
        };
    }

    /** The path of each vendor's list under the fake's base, as a profile's user would write the URL. */
    static String url(VendorFake fake, String vendor) {
        return fake.base() + switch (vendor) {
            case "github" -> "/repos/acme/app/issues?state=all";
            case "hubspot" -> "/crm/v3/objects/contacts?properties=email,firstname,lastmodifieddate";
            case "hubspot-search" -> "/crm/v3/objects/contacts/search";
            case "stripe" -> "/v1/customers";
            case "salesforce" -> "/services/data/v60.0/queryAll?q=SELECT+Id,Name,SystemModstamp,IsDeleted+FROM+Contact+WHERE+SystemModstamp+%3E+{since}+ORDER+BY+SystemModstamp";
            case "pipedrive-v2" -> "/api/v2/persons";
            case "apollo" -> "/api/v1/mixed_people/api_search";
            case "outreach" -> "/api/v2/prospects";
            case "zoho" -> "/crm/v7/Leads?fields=Last_Name,Email,Modified_Time";
            case "dataverse" -> "/api/data/v9.2/contacts?$select=fullname,modifiedon&$filter=modifiedon%20ge%20{since}";
            case "salesloft" -> "/v2/people?sort_by=updated_at&sort_direction=ASC";
            case "copper" -> "/developer_api/v1/people/search";
            case "klaviyo" -> "/api/profiles";
            case "freshsales" -> "/crm/sales/api/contacts/view/31000123456";
            default -> throw new IllegalArgumentException(vendor);
        };
    }

    /** Ids as each fake's records carry them. */
    static java.util.function.IntFunction<String> ids(String vendor) {
        return switch (vendor) {
            case "stripe" -> i -> String.format("cus_%014d", i + 1);
            case "salesforce" -> i -> String.format("003RO%013d", i);
            case "hubspot", "hubspot-search" -> i -> Integer.toString(5000 + i);
            case "apollo" -> i -> String.format("5f%022x", i);
            case "zoho" -> i -> Long.toString(4_150_868_000_000_000_000L + i);
            default -> i -> Integer.toString(i + 1);
        };
    }
}
