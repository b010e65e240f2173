package io.leadpipe.job;

import java.util.Set;
import java.util.TreeMap;

/**
 * Parallel pages stored past the checkpoint (each also a row of pages_stored_ahead), waiting for the pages
 * below them: the checkpoint is the highest page below which every page is stored.
 */
final class PagesAhead {

    /** Where the page after a stored page is, and the API's total it reported. */
    record Ahead(String next, Long apiTotal) {}

    private final TreeMap<Integer, Ahead> pages = new TreeMap<>();

    void hold(int pageNo, String next, Long apiTotal) {
        pages.put(pageNo, new Ahead(next, apiTotal));
    }

    /** The page right after the checkpoint, if it was stored ahead: it joins up now. */
    Ahead joinUp(int checkpointPage) {
        return pages.remove(checkpointPage + 1);
    }

    Set<Integer> numbers() {
        return Set.copyOf(pages.keySet());
    }

    int size() {
        return pages.size();
    }

    void clear() {
        pages.clear();
    }
}
