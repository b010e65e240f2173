package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.Map;

/**
 * offset + limit, or page number + page size: the next position is computed here. An offset advances by
 * the records that came back (an API may serve fewer than asked for); the API's page number by one. Stops
 * when the API's total (or total pages) says so, or — when it gives none — on an empty page or one shorter
 * than the API has been returning. Two optional pointers let the answer decide instead: a has-more flag
 * (Pipedrive's more_items_in_collection; false ends the list) and the next offset itself (Pipedrive's
 * next_start; absent ends the list).
 */
final class OffsetPaginator implements Paginator {
    private final boolean pageNumbers;
    private final String positionParam;
    private final int firstPage;
    private final String totalPointer;
    private final String totalPagesPointer;
    private final String hasMorePointer; // null: no flag
    private final String nextOffsetPointer; // null: computed

    OffsetPaginator(boolean pageNumbers, String positionParam, int firstPage, String totalPointer, String totalPagesPointer) {
        this(pageNumbers, positionParam, firstPage, totalPointer, totalPagesPointer, null, null);
    }

    OffsetPaginator(boolean pageNumbers, String positionParam, int firstPage, String totalPointer, String totalPagesPointer,
                    String hasMorePointer, String nextOffsetPointer) {
        this.pageNumbers = pageNumbers;
        this.positionParam = positionParam;
        this.firstPage = firstPage;
        this.totalPointer = totalPointer;
        this.totalPagesPointer = totalPagesPointer;
        this.hasMorePointer = hasMorePointer;
        this.nextOffsetPointer = nextOffsetPointer;
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
        JsonNode hasMore = hasMorePointer == null ? MissingNode.getInstance() : page.body().at(hasMorePointer);
        if (hasMore.isBoolean() && !hasMore.asBoolean()) return null;
        if (nextOffsetPointer != null) {
            String named = Paginator.text(page.body().at(nextOffsetPointer), "the next-offset pointer " + nextOffsetPointer);
            if (named == null) return null;
            long next;
            try {
                next = Long.parseLong(named.trim());
            } catch (NumberFormatException e) {
                throw new MalformedPageException("the next offset at " + nextOffsetPointer + " is not a whole number: '" + named + "'");
            }
            // an offset that does not move forward would ask for the same page again (the loop guard would stop it later)
            if (next <= at) throw new MalformedPageException("the next offset at " + nextOffsetPointer + " (" + next + ") does not move past " + at);
            return Long.toString(next);
        }
        if (hasMore.isBoolean()) return Long.toString(pageNumbers ? at + 1 : at + n);
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

    /**
     * Positions are computed, so known ahead — unless the answer names the next offset itself. Planning also
     * needs the API's total (without it, only a short page or a has-more flag ends the list): PagePlanner checks that.
     */
    @Override
    public boolean plannable() {
        return nextOffsetPointer == null;
    }

    @Override
    public String ahead(String position, int pages, int servedPageSize, long total) {
        long at = start(position) + (long) pages * (pageNumbers ? 1 : servedPageSize);
        long recordsBefore = pageNumbers ? (at - firstPage) * servedPageSize : at;
        return recordsBefore >= total ? null : Long.toString(at);
    }

    @Override
    public boolean positional() {
        return true;
    }

    @Override
    public long pageIndex(String position, int pagesStored) {
        return pageNumbers && position != null ? Long.parseLong(position) - firstPage + 1 : Paginator.super.pageIndex(position, pagesStored);
    }
}
