package io.leadpipe.paging;

/** The API's paging went round in a circle; stopping is cheaper than burning quota forever. */
public final class PagingLoopException extends RuntimeException {
    public PagingLoopException(String message) {
        super(message);
    }
}
