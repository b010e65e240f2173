package io.leadpipe.simulator;

import com.fasterxml.jackson.databind.JsonNode;


/**
 * A parsed leads-page request, whatever the paging kind: the page size, the serving position it starts
 * at, the token that names the page (for counting re-fetches) and the filters — or why it is bad.
 */
record PageRequest(int limit, int position, String token, boolean firstPage, LeadFilter filter, String error) {

    /** Reads the paging fields from query parameters (GET) or a JSON body (POST). */
    static PageRequest parse(QueryString q, JsonNode body, PagingKind kind, SimulatorConfig config, LeadDataset data) {
        java.util.function.Function<String, String> field = name -> {
            if (body != null && body.has(name) && !body.get(name).isNull()) return body.get(name).asText();
            return q.first(name);
        };
        String sizeParam = kind == PagingKind.PAGE ? "per_page" : "limit";
        int limit;
        try {
            limit = field.apply(sizeParam) == null ? config.defaultPageSize : Integer.parseInt(field.apply(sizeParam));
        } catch (NumberFormatException e) {
            return bad(sizeParam + " must be a whole number");
        }
        if (limit < 1 || limit > config.maxPageSize) return bad(sizeParam + " must be between 1 and " + config.maxPageSize);
        if (config.pageSizeClamp > 0) limit = Math.min(limit, config.pageSizeClamp); // silently, as vendors do
        LeadFilter filter;
        try {
            filter = new LeadFilter(blank(field.apply("industry")), blank(field.apply("country")), instant(field.apply("updated_since")),
                    instant(field.apply("updated_before")), epochSeconds(field.apply("created[gte]")), epochSeconds(field.apply("created[lt]")));
        } catch (java.time.format.DateTimeParseException e) {
            return bad("updated_since and updated_before must be ISO-8601 instants");
        } catch (NumberFormatException e) {
            return bad("created[gte] and created[lt] must be epoch seconds");
        }
        int[] matching = data.matching(filter);
        try {
            return switch (kind) {
                case CURSOR, CURSOR_HEADER -> afterToken(blank(field.apply("cursor")), limit, filter, matching, data);
                case NEXT_URL, NEXT_URL_RELATIVE, LINK_HEADER -> afterToken(blank(field.apply("after")), limit, filter, matching, data);
                case KEYSET -> {
                    String id = blank(field.apply("starting_after"));
                    if (id == null) yield new PageRequest(limit, 0, "", true, filter, null);
                    int index = LeadDataset.indexOf(id);
                    if (index < 0) yield bad("starting_after is not a lead id");
                    int pos = data.positionAfter(matching, index);
                    yield pos < 0 ? bad("starting_after names a lead that no longer exists") : new PageRequest(limit, pos, id, false, filter, null);
                }
                case OFFSET -> {
                    String o = field.apply("offset");
                    int offset = o == null ? 0 : Integer.parseInt(o);
                    if (offset < 0) yield bad("offset must be >= 0");
                    yield new PageRequest(limit, offset, "o:" + offset, offset == 0, filter, null);
                }
                case PAGE -> {
                    String p = field.apply("page");
                    int page = p == null ? 1 : Integer.parseInt(p);
                    if (page < 1) yield bad("page must be >= 1");
                    yield new PageRequest(limit, (page - 1) * limit, "p:" + page, page == 1, filter, null);
                }
            };
        } catch (NumberFormatException e) {
            return bad("offset and page must be whole numbers");
        }
    }

    private static PageRequest afterToken(String token, int limit, LeadFilter filter, int[] matching, LeadDataset data) {
        if (token == null) return new PageRequest(limit, 0, "", true, filter, null);
        int after;
        try {
            after = LeadsApiSimulator.decodeCursor(token);
        } catch (IllegalArgumentException e) {
            return bad("invalid cursor");
        }
        int pos = data.positionAfter(matching, after);
        if (pos < 0) return bad("the cursor points at a lead that no longer exists");
        return new PageRequest(limit, pos, token, false, filter, null);
    }

    static PageRequest bad(String why) {
        return new PageRequest(0, 0, null, false, null, why);
    }

    private static java.time.Instant instant(String s) {
        return blank(s) == null ? null : java.time.Instant.parse(s.trim());
    }

    private static Long epochSeconds(String s) {
        return blank(s) == null ? null : Long.parseLong(s.trim());
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    String key() {
        return filter.key() + "|" + token;
    }
}
