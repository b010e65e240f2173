package io.leadpipe.paging;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * ?starting_after=<last id>; a has_more flag says whether to go on (without one: until an empty page or one
 * shorter than the API has been returning).
 */
final class KeysetPaginator implements Paginator {
    private final String afterParam;
    private final String hasMorePointer;

    KeysetPaginator(String afterParam, String hasMorePointer) {
        this.afterParam = afterParam;
        this.hasMorePointer = hasMorePointer;
    }

    @Override
    public Call call(String position) {
        return new Call(null, position == null ? Map.of() : Map.of(afterParam, position));
    }

    @Override
    public String next(String position, Page page) {
        if (page.records().isEmpty() || page.lastId() == null) return null;
        JsonNode hasMore = page.body().at(hasMorePointer);
        boolean more = hasMore.isBoolean() ? hasMore.asBoolean() : !page.endsTheList();
        return more ? page.lastId() : null;
    }
}
