package io.leadpipe.paging;

/**
 * The API serves no page past a fixed number per query (Apollo: 500), and this query has more: paging cannot
 * reach the rest, so the job stops with what it stored instead of asking for pages the API refuses.
 */
public final class PageLimitException extends RuntimeException {
    public PageLimitException(String message) {
        super(message);
    }
}
