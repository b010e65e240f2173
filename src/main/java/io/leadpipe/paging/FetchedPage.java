package io.leadpipe.paging;

import java.util.List;

/**
 * One page as read from the API: its records (id and JSON, in order), where the next page is, the API's
 * total if it reported one, and the page's fingerprint (a hash of its ids, per pull) that the idempotent
 * repository remembers.
 *
 * @param pageNo        this page's number in the pull (1 = first)
 * @param requestedSize records per page asked for
 */
public record FetchedPage(int pageNo, List<String> ids, List<String> payloads, String next, Long apiTotal,
                          int requestedSize, String pageKey) {

    public int records() {
        return ids.size();
    }

    public boolean last() {
        return next == null;
    }

    /** The fingerprint of the ids alone (the page key without its pull id). */
    public String fingerprint() {
        int colon = pageKey.lastIndexOf(':');
        return colon < 0 ? pageKey : pageKey.substring(colon + 1);
    }
}
