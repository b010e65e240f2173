-- Parallel pages within a job (leadpipe.source.<name>.concurrency): a page stored before the pages below it
-- waits here, committed in its page's transaction, until the checkpoint (the highest page below which every
-- page is stored) moves past it; then its row goes in that page's transaction. A resumed pull skips these
-- pages. (IF NOT EXISTS: safe to run again after a crash half-way.)
CREATE TABLE IF NOT EXISTS pages_stored_ahead (
    job_id        VARCHAR(200)  NOT NULL,
    pull_id       VARCHAR(64)   NOT NULL,
    page_no       INTEGER       NOT NULL,
    next_position VARCHAR(4000),
    api_total     BIGINT,
    stored_at     TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL,
    PRIMARY KEY (job_id, pull_id, page_no)
);
