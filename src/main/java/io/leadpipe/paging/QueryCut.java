package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.JsonPointerSyntax;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A query larger than the API serves (max-results: HubSpot search stops at 10,000 records and answers 400 past
 * them) cut into windows: before the page that would reach past the cap, the query starts again from its first
 * page with one more filter — after the last record's value of the field it is sorted by ({@code cut.pointer},
 * HubSpot's id ascending) — so every record is read once and none is skipped. The pull's position then names
 * the window (the value it starts after, its pages read, the cursor inside it): a resumed pull goes on in it.
 *
 * @param pointer     the record's sort field (JSON pointer on the record as sent), whose last value a window starts after
 * @param bodyPointer POST: where the window's filter goes in the JSON body (/filterGroups/0/filters/- appends)
 * @param param       GET: the query parameter carrying it
 * @param template    the filter sent, {last} = the last record's value
 */
public record QueryCut(String pointer, String bodyPointer, String param, String template) {

    public static final String LAST = "{last}";
    private static final String PREFIX = "cut;";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A position inside a window of a cut query: the value the window starts after, how many of its pages
     * are read, and the API's cursor inside it (null: the window's first page).
     */
    public record Window(String after, int pages, String cursor) {

        /** The pull's position (the checkpoint's resume token) for this place in this window. */
        public String position() {
            return PREFIX + pages + ";" + URLEncoder.encode(after, StandardCharsets.UTF_8) + ";" + (cursor == null ? "" : cursor);
        }

        /** The window's first page: its start, where a cut restarts the query. */
        public boolean start() {
            return pages == 0 && cursor == null;
        }

        /** In words, for status: which window and where in it (the raw position only says it to leadpipe). */
        public String describe() {
            return "inside a cut window — the query sent again for the records after " + after + " (the sort field's last value before the cut), "
                    + (start() ? "at its first page" : pages + (pages == 1 ? " page" : " pages") + " of it read, the API's cursor in it " + (cursor == null ? "(none)" : cursor));
        }
    }

    /** A checkpoint's position in words when it is inside a cut window, else null. */
    public static String describePosition(String position) {
        Window w = window(position);
        return w == null ? null : w.describe();
    }

    /** In words, for probe: what a pull does at the API's max-results, and with which filter. */
    public String describe(long maxResults) {
        return "a query past max-results (" + maxResults + " records) is cut: sent again from its first page with "
                + (bodyPointer != null ? template + " added at " + bodyPointer + " in the body" : param + "=" + template)
                + ", {last} being the last record's " + pointer + " (the field the query is sorted by)";
    }

    /** The window a position is in, or null for a position of the query as first sent (not cut yet). */
    public static Window window(String position) {
        if (position == null || !position.startsWith(PREFIX)) return null;
        String[] parts = position.substring(PREFIX.length()).split(";", 3);
        if (parts.length < 3) return null;
        return new Window(URLDecoder.decode(parts[1], StandardCharsets.UTF_8), Integer.parseInt(parts[0]), parts[2].isEmpty() ? null : parts[2]);
    }

    /** The source's cut.* keys, or null when cut.pointer is not set (a query past max-results fails, with what it stored). */
    static QueryCut read(ApiKeys k, String method, String paging, long maxResults) {
        String pointer = k.optional("cut.pointer");
        if (pointer == null) return null;
        String problem = JsonPointerSyntax.problem(pointer);
        if (problem != null) throw k.invalid("cut.pointer", pointer, problem);
        if (maxResults <= 0) throw k.invalid("cut.pointer", pointer, "cuts a query at the API's cap, but " + k.key("max-results") + " is not set");
        // a window's position wraps the API's own cursor; offset and page positions are counted from the query's start
        if (!paging.equals("cursor") && !paging.equals("cursor-header")) {
            throw k.invalid("cut.pointer", pointer, "cuts a query paged by a cursor (paging = cursor or cursor-header), not " + paging);
        }
        String template = k.text("cut.template");
        if (!template.contains(LAST)) throw k.invalid("cut.template", template, "must contain {last}, where the last record's value goes");
        String bodyPointer = k.optional("cut.body-pointer");
        String param = k.optional("cut.param");
        if (method.equals("POST")) {
            if (bodyPointer == null) throw k.missing("cut.body-pointer", "is read by POST: where the window's filter goes in the body (e.g. /filterGroups/0/filters/-)");
            if (param != null) throw k.invalid("cut.param", param, "is for GET; a POST's window filter goes in the body (cut.body-pointer)");
            String bad = JsonPointerSyntax.problem(bodyPointer);
            if (bad != null) throw k.invalid("cut.body-pointer", bodyPointer, bad);
            if (json(template)) {
                try {
                    JSON.readTree(fill(template, "0"));
                } catch (Exception e) {
                    throw k.invalid("cut.template", template, "starts like JSON but is not valid JSON once {last} is filled in");
                }
            }
        } else {
            if (param == null) throw k.missing("cut.param", "is read by GET: the query parameter carrying the window's filter");
            if (bodyPointer != null) throw k.invalid("cut.body-pointer", bodyPointer, "is for POST; a GET's window filter is a parameter (cut.param)");
        }
        return new QueryCut(pointer, bodyPointer, param, template);
    }

    /** The last record's value of the sort field, or null when it has none. */
    public String lastValue(JsonNode records) {
        if (records == null || records.isEmpty()) return null;
        return Paginator.text(records.get(records.size() - 1).at(pointer));
    }

    /** The body of a window's request: the filter set at the body pointer, on a copy. */
    public ObjectNode body(ObjectNode base, String after) {
        ObjectNode body = base.deepCopy();
        JsonNode value;
        if (json(template)) {
            try {
                value = JSON.readTree(fill(template, after));
            } catch (Exception e) {
                throw new IllegalStateException("cut.template is not JSON once {last} is filled in", e);
            }
        } else {
            value = TextNode.valueOf(template.replace(LAST, after));
        }
        io.leadpipe.delta.DeltaRequest.set(body, bodyPointer, value);
        return body;
    }

    /** The query parameters of a window's request: the filter as the cut parameter. */
    public void params(Map<String, String> params, String after) {
        params.put(param, template.replace(LAST, after));
    }

    /** A JSON template gets the value JSON-escaped (it sits inside quotes there). */
    private static String fill(String template, String value) {
        String quoted = TextNode.valueOf(value).toString();
        return template.replace(LAST, quoted.substring(1, quoted.length() - 1));
    }

    private static boolean json(String template) {
        String t = template.strip();
        return t.startsWith("{") && !t.startsWith(LAST) || t.startsWith("[");
    }
}
