package io.leadpipe.store;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.PullPosition;

import java.sql.SQLException;

/**
 * The database rolled back a page's whole transaction to break a deadlock with another writer of the same
 * leads (another job storing an overlapping list at the same moment). Nothing of the page is kept and the
 * pull's position has not moved, so the calling route's error handling stores the page again in a new
 * transaction (routes/errors.yaml, pageConflictRetries).
 */
public final class PageConflictException extends IllegalStateException {

    PageConflictException(PullPosition pull, FetchedPage page, SQLException cause) {
        super("the database rolled back page " + page.pageNo() + " of job " + pull.jobId()
                + " to break a deadlock with another job storing the same leads at the same moment", cause);
    }
}
