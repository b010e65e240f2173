package io.leadpipe.job;

import io.leadpipe.paging.PageCodecs;
import io.leadpipe.paging.PlannedPage;
import org.apache.camel.Body;
import org.apache.camel.Variable;

/**
 * The extract route's gate before each page of a parallel window (bean {@code pagesInFlight}): a page starts
 * unless a cap, a failure or a stop came first — and, where the source's concurrency is auto, only once fewer
 * pages are in flight than its quota needs: the quota's rate × the API's measured answer time × 1.5, at most
 * the source's pool (max-concurrency). Not the time a page takes to store: one page of a job is stored at a
 * time, so that time grows with the pages in flight and would call for ever more of them.
 */
public final class PagesInFlight {

    /** Requests of a source to keep in flight, at most {@code max}: its quota's rate × its answer time × headroom (ApiQuota). */
    public interface Needed {
        int of(String source, int max);
    }

    private final PageCodecs paging;
    private final Needed needed;

    public PagesInFlight(PageCodecs paging, Needed needed) {
        this.paging = paging;
        this.needed = needed;
    }

    /** False when a cap, a failure or a stop came first: the page is not fetched. */
    public boolean startPage(@Variable("pull") Pull pull, @Body PlannedPage page) throws InterruptedException {
        if (!paging.autoConcurrency(pull.source())) return pull.startPage();
        return pull.startPageWhenWanted(page.number(), () -> needed.of(pull.source(), pull.concurrency()));
    }
}
