package io.leadpipe.job;

import io.leadpipe.paging.PlannedPage;
import io.leadpipe.paging.PullPosition;

import java.util.List;
import java.util.Set;

/**
 * Parallel pages (leadpipe.source.<name>.concurrency > 1 on offset or page paging with the API's total): the
 * window of pages the extract loop's next pass fetches at once, each at its own position, skipping pages
 * already stored ahead. Empty when the pass fetches one page: concurrency 1, no total known yet, no page of
 * this run read yet (the size the API really serves), or the loop is ending. It reads the pull, never changes it.
 */
public final class PagePlanner {

    /** How the source's paging plans pages after the pull's position (PageCodecs). */
    public interface Positions {
        List<PlannedPage> plan(PullPosition pull, long total, Set<Integer> stored, int max);
    }

    /** Pages planned per pass of the loop, per page in flight: a pass waits for its slowest page once, so passes are long. */
    static final int WINDOW_PER_SLOT = 64;

    private final Positions positions;

    public PagePlanner(Positions positions) {
        this.positions = positions;
    }

    /** The next window of pages for the pull (empty: the next pass fetches one page, at the checkpoint). */
    public List<PlannedPage> window(Pull pull) {
        Long total = pull.apiTotal();
        if (pull.concurrency() <= 1 || total == null || pull.largestPage() == 0 || !pull.hasNext()) return List.of();
        return positions.plan(pull, total, pull.pagesStoredAhead(), pull.concurrency() * WINDOW_PER_SLOT);
    }
}
