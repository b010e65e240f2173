package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.PlannedPage;
import org.apache.camel.Body;
import org.apache.camel.Variable;

/**
 * The extract route's handle on {@code variable.pull}: each step hands the pull the page in the body, so
 * routes/extract.yaml reads {@code bean: { ref: pullLoop, method: accept }}. The decisions are PullState's.
 */
public final class PullLoop {

    /** The loop guard, before anything is stored. */
    public void inspect(@Variable("pull") PullState pull, @Variable("plannedPage") PlannedPage planned, @Body FetchedPage page) {
        if (planned == null) pull.inspect(page);
        else pull.inspect(page, planned.position());
    }

    public void accept(@Variable("pull") PullState pull, @Body FetchedPage page) {
        pull.accept(page);
    }

    public void skipDuplicate(@Variable("pull") PullState pull, @Body FetchedPage page) {
        pull.skipDuplicate(page);
    }

    /** The job's failure is recorded and reported: pages that failed after it may let their exchanges end. */
    public void failureReported(@Variable("pull") PullState pull) {
        pull.failureReported();
    }
}
