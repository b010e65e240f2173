package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;

/** What monitoring hears of a pull: started, a page stored or skipped as a duplicate, finished. */
public interface PullEvents {

    PullEvents NONE = new PullEvents() { };

    default void started(Pull pull) {
    }

    default void pageStored(Pull pull, FetchedPage page) {
    }

    default void duplicatePage(Pull pull) {
    }

    default void finished(Pull pull) {
    }
}
