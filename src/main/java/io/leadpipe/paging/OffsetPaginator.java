package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.Map;

/**
 * offset + limit, or page number + page size: the next position is computed here. An offset advances by
 * the records that came back (an API may serve fewer than asked for); the API's page number by one. Stops
 * when the API's total (or total pages) says so, or — when it gives none — on an empty page or one shorter
 * than the API has been returning.
 */
final class OffsetPaginator implements Paginator {
    private final boolean pageNumbers;
    private final String positionParam;
    private final int firstPage;
    private final String totalPointer;
    private final String totalPagesPointer;

    OffsetPaginator(boolean pageNumbers, String positionParam, int firstPage, String totalPointer, String totalPagesPointer) {
        this.pageNumbers = pageNumbers;
        this.positionParam = positionParam;
        this.firstPage = firstPage;
        this.totalPointer = totalPointer;
        this.totalPagesPointer = totalPagesPointer;
    }

    private long start(String position) {
        return position != null ? Long.parseLong(position) : pageNumbers ? firstPage : 0;
    }

    @Override
    public Call call(String position) {
        return new Call(null, Map.of(positionParam, Long.toString(start(position))));
    }

    @Override
    public String next(String position, Page page) {
        long at = start(position);
        int n = page.records().size();
        if (n == 0) return null;
        long next = pageNumbers ? at + 1 : at + n;
        JsonNode total = page.body().at(totalPointer);
        JsonNode totalPages = pageNumbers && totalPagesPointer != null ? page.body().at(totalPagesPointer) : MissingNode.getInstance();
        if (total.canConvertToLong()) {
            // pages of the size the API really serves, not the size asked for
            long recordsBeforeNext = pageNumbers ? (next - firstPage) * page.apiPageSize() : next;
            if (recordsBeforeNext >= total.asLong()) return null;
        }
        if (totalPages.canConvertToLong() && next - firstPage >= totalPages.asLong()) return null;
        if (!total.canConvertToLong() && !totalPages.canConvertToLong() && page.endsTheList()) return null;
        return Long.toString(next);
    }

    @Override
    public boolean positional() {
        return true;
    }
}
