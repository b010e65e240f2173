package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.PlannedPage;
import org.apache.camel.Body;
import org.apache.camel.Variable;

/**
 * The extract route's handle on {@code variable.pull}: each step names the pull's command it runs and hands
 * it the page in the body, so routes/extract.yaml reads {@code bean: { ref: pullLoop, method: pageStored }}.
 * Monitoring hears of each page here (PullEvents), not from inside the pull.
 */
public final class PullLoop {

    private final PullEvents events;

    public PullLoop(PullEvents events) {
        this.events = events;
    }

    /** The loop guard, before anything is stored. */
    public void inspect(@Variable("pull") Pull pull, @Variable("plannedPage") PlannedPage planned, @Body FetchedPage page) {
        if (planned == null) pull.inspect(page);
        else pull.inspect(page, planned.position());
    }

    /** The page's key in the idempotent repository: the pull's id and the page's fingerprint. */
    public String pageKey(@Body FetchedPage page) {
        return page.pageKey();
    }

    public void pageStored(@Variable("pull") Pull pull, @Body FetchedPage page) {
        pull.pageStored(page);
        events.pageStored(pull, page);
    }

    public void duplicatePage(@Variable("pull") Pull pull, @Body FetchedPage page) {
        pull.duplicatePage(page);
        events.duplicatePage(pull);
    }

    /** Whether this is the job's first failure (recorded and reported once); a later one waits for that report. */
    public boolean claimFailure(@Variable("pull") Pull pull) throws InterruptedException {
        return pull == null || pull.claimFailure();
    }

    /** The job's failure is recorded and reported: pages that failed after it may let their exchanges end. */
    public void failureReported(@Variable("pull") Pull pull) {
        if (pull != null) pull.failureReported(); // a failure before the pull was declared: nobody waits for it
    }
}
