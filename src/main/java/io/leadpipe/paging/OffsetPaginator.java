package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * offset + limit, or page number + page size: the next position is computed here. Stops when the API's
 * total (or total pages) says so, or — when it gives none — on a short or empty page.
 */
final class OffsetPaginator implements Paginator {
    private final boolean pageNumbers;
    private final String positionParam;
    private final int pageSize;
    private final int firstPage;
    private final String totalPointer;
    private final String totalPagesPointer;

    OffsetPaginator(boolean pageNumbers, String positionParam, int pageSize, int firstPage, String totalPointer, String totalPagesPointer) {
        this.pageNumbers = pageNumbers;
        this.positionParam = positionParam;
        this.pageSize = pageSize;
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
        if (n == 0 || n < pageSize) return null;
        long next = pageNumbers ? at + 1 : at + pageSize;
        JsonNode total = page.body().at(totalPointer);
        if (total.canConvertToLong()) {
            long recordsBeforeNext = pageNumbers ? (next - firstPage) * pageSize : next;
            if (recordsBeforeNext >= total.asLong()) return null;
        }
        if (pageNumbers && totalPagesPointer != null) {
            JsonNode totalPages = page.body().at(totalPagesPointer);
            if (totalPages.canConvertToLong() && next - firstPage >= totalPages.asLong()) return null;
        }
        return Long.toString(next);
    }

    @Override
    public boolean positional() {
        return true;
    }
}
