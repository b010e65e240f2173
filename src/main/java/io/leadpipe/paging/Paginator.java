package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.function.Function;

/**
 * One way of paging through a list: what to ask for at a position, and where the page after it is.
 * A position is the checkpoint's resume token (a cursor, a URL, a last id, an offset or a page number);
 * null means the first page.
 */
public interface Paginator {

    /** The request for the page at a position: a URL to call instead of the source's (next-page URLs), and parameters. */
    record Call(String url, Map<String, String> params) {}

    /**
     * What came back: the body, its records array, the response headers (case-insensitive lookup), the last
     * record's id, and the most records an earlier page of this run held (0: this is the run's first page).
     */
    record Page(JsonNode body, JsonNode records, Function<String, String> headers, String lastId, int largestBefore) {

        public Page(JsonNode body, JsonNode records, Function<String, String> headers, String lastId) {
            this(body, records, headers, lastId, 0);
        }

        /**
         * Whether this page says the list has ended, for APIs that give no total or flag: an empty page, or one
         * shorter than what the API has been returning. A short first page proves nothing — the API may clamp
         * the size asked for (ask 500, get 100) — so the next page is asked for (it comes back empty if not).
         */
        public boolean endsTheList() {
            int n = records.size();
            return n == 0 || largestBefore > 0 && n < largestBefore;
        }

        /** The API's page size as seen so far: the largest page of this run, this one included. */
        public int apiPageSize() {
            return Math.max(largestBefore, records.size());
        }
    }

    Call call(String position);

    /** The position of the next page, or null when this page was the last. */
    String next(String position, Page page);

    /** Offset and page-number paging compute the next position themselves: the same page twice means the API ignores it. */
    default boolean positional() {
        return false;
    }

    /**
     * Which page of the list (1 = the first) the request at a position asks for; {@code pagesStored} is how many
     * this pull has stored. Page-number paging knows it from the position itself.
     */
    default long pageIndex(String position, int pagesStored) {
        return pagesStored + 1L;
    }

    /**
     * Whether every page's position is known before the pages below it are fetched (offset and page-number
     * paging that stop on the API's total): only such pulls fetch pages in parallel.
     */
    default boolean plannable() {
        return false;
    }

    /**
     * The position {@code pages} pages after {@code position}, in pages of {@code servedPageSize} records,
     * or null when that page lies past the API's {@code total}. Only for {@link #plannable()} paging.
     */
    default String ahead(String position, int pages, int servedPageSize, long total) {
        throw new UnsupportedOperationException("this paging kind learns each page's position from the page before it");
    }

    /** Pointers that read a value from a body: missing, null or empty text is "absent". */
    static String text(JsonNode node) {
        return text(node, "the configured pointer");
    }

    /**
     * The text or number at {@code where}; missing, null or empty text is "absent". An object or array is
     * an error, not "absent": read as "no more pages" it would end a pull early without a word.
     */
    static String text(JsonNode node, String where) {
        if (node != null && node.isContainerNode()) {
            throw new MalformedPageException("expected a text or number at " + where + " but the API sent a JSON "
                    + (node.isObject() ? "object" : "array") + ": check the pointer, or whether the API changed its answer");
        }
        return node == null || node.isMissingNode() || node.isNull() || node.asText().isEmpty() ? null : node.asText();
    }
}
