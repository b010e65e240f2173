package io.leadpipe.paging;

/** The API answered 2xx but the body is not a page we can read (truncated, not JSON, fields missing). */
public final class MalformedPageException extends RuntimeException {
    public MalformedPageException(String message) {
        super(message);
    }
}
