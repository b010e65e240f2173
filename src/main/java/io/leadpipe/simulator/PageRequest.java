package io.leadpipe.simulator;

/** A parsed leads-page request: page size, the position after which it starts, the filters; or why it is bad. */
record PageRequest(int limit, int after, String cursor, LeadFilter filter, String error) {

    static PageRequest parse(String rawQuery, SimulatorConfig config) {
        QueryString q = QueryString.parse(rawQuery);
        int limit;
        try {
            limit = q.first("limit") == null ? config.defaultPageSize : Integer.parseInt(q.first("limit"));
        } catch (NumberFormatException e) {
            return bad("limit must be a whole number");
        }
        if (limit < 1 || limit > config.maxPageSize) return bad("limit must be between 1 and " + config.maxPageSize);
        String cursor = q.first("cursor");
        if (cursor != null && cursor.isEmpty()) cursor = null;
        int after;
        try {
            after = cursor == null ? -1 : LeadsApiSimulator.decodeCursor(cursor);
        } catch (IllegalArgumentException e) {
            return bad("invalid cursor");
        }
        return new PageRequest(limit, after, cursor, LeadFilter.of(q), null);
    }

    private static PageRequest bad(String why) {
        return new PageRequest(0, 0, null, null, why);
    }
}
