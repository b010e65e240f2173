package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;

/** What monitoring hears of a pull: started, a page stored or skipped as a duplicate, finished. */
public interface PullEvents {

    PullEvents NONE = new PullEvents() { };

    default void started(PullState pull) {
    }

    default void pageStored(PullState pull, FetchedPage page) {
    }

    default void duplicatePage(PullState pull) {
    }

    default void finished(PullState pull) {
    }
}
