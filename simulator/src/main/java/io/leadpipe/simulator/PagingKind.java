package io.leadpipe.simulator;

import java.util.Locale;

/** How the simulated API pages; each is a common style of real lead APIs. */
public enum PagingKind {
    /** ?cursor=…; next cursor in the body at /meta/next_cursor. */
    CURSOR,
    /** ?cursor=…; next cursor in the X-Next-Cursor response header. */
    CURSOR_HEADER,
    /** the body's /links/next is the absolute URL of the next page. */
    NEXT_URL,
    /** the body's /links/next is the next page's URL relative to the host (/v1/leads?…). */
    NEXT_URL_RELATIVE,
    /** Link: <…>; rel="next". */
    LINK_HEADER,
    /** ?starting_after=<last id>; /has_more says whether to go on. */
    KEYSET,
    /** ?offset=&limit=; /meta/total. */
    OFFSET,
    /** ?page=&per_page= (1-based); /meta/total_pages and /meta/total. */
    PAGE;

    public static PagingKind of(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** Offset and page-number APIs address positions; live inserts and deletes shift what they return. */
    boolean positional() {
        return this == OFFSET || this == PAGE;
    }
}
