package io.leadpipe.paging;

import java.util.Map;

/** ?cursor=… with the next cursor in the body (any depth, a JSON pointer) or in a response header. */
final class CursorPaginator implements Paginator {
    private final String cursorParam;
    private final String bodyPointer;
    private final String header;

    CursorPaginator(String cursorParam, String bodyPointer, String header) {
        this.cursorParam = cursorParam;
        this.bodyPointer = bodyPointer;
        this.header = header;
    }

    @Override
    public Call call(String position) {
        return new Call(null, position == null ? Map.of() : Map.of(cursorParam, position));
    }

    @Override
    public String next(String position, Page page) {
        if (header != null) {
            String v = page.headers().apply(header);
            return v == null || v.isBlank() ? null : v.trim();
        }
        return Paginator.text(page.body().at(bodyPointer), "the next-cursor pointer " + bodyPointer);
    }
}
