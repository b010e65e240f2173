package io.leadpipe.paging;

import org.apache.camel.Exchange;

import java.util.HashSet;
import java.util.Set;

/**
 * Stops a pull that pages in circles instead of letting it burn quota forever: the same cursor twice in
 * a row, a cursor already used in this run, the same page twice in a row where we compute positions
 * ourselves (offset, page number), and more pages than the API's own total implies.
 */
public final class LoopGuard {

    private final Pagers pagers;

    public LoopGuard(Pagers pagers) {
        this.pagers = pagers;
    }

    public void check(Exchange exchange) {
        String source = exchange.getVariable("source", String.class);
        String position = exchange.getVariable("cursor", String.class);
        String next = exchange.getVariable("nextCursor", String.class);
        int page = exchange.getVariable("page", 0, Integer.class);
        String fingerprint = fingerprint(exchange.getVariable("pageKey", String.class));
        int records = exchange.getVariable("pageRecords", 0, Integer.class);

        if (next != null && next.equals(position)) {
            throw new PagingLoopException("the API returned the same cursor twice in a row (page " + page + "): stopping instead of looping forever");
        }
        @SuppressWarnings("unchecked")
        Set<String> seen = exchange.getVariable("seenCursors", Set.class);
        if (seen == null) {
            seen = new HashSet<>();
            exchange.setVariable("seenCursors", seen);
        }
        if (position != null) seen.add(position);
        if (next != null && seen.contains(next)) {
            throw new PagingLoopException("cursor cycle: the API's next cursor after page " + page + " was already used earlier in this run");
        }
        String previous = exchange.getVariable("previousFingerprint", String.class);
        if (records > 0 && fingerprint.equals(previous) && pagers.positional(source)) {
            throw new PagingLoopException("the API returned the same page twice in a row (page " + page
                    + "): it seems to ignore the offset or page parameter (check leadpipe.source." + source + ".offset-param / page-param)");
        }
        exchange.setVariable("previousFingerprint", fingerprint);
        Long total = exchange.getVariable("apiTotal", Long.class);
        int pageSize = pagers.pageSize(source);
        if (total != null && next != null) {
            long expectedPages = Math.max(1, (total + pageSize - 1) / pageSize);
            int duplicates = exchange.getVariable("duplicatePagesThisRun", 0, Integer.class);
            if (page >= expectedPages + 1 + duplicates) {
                throw new PagingLoopException("page " + page + " still has a next page, but the API's own total of " + total
                        + " records means " + expectedPages + " pages of " + pageSize + ": stopping");
            }
        }
    }

    private static String fingerprint(String pageKey) {
        if (pageKey == null) return "";
        int colon = pageKey.lastIndexOf(':');
        return colon < 0 ? pageKey : pageKey.substring(colon + 1);
    }
}
