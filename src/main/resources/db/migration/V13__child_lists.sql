-- Parent → child pulls: one row per parent a parent page brought, with its child list's own position.
-- The parent page's rows are written in the transaction of the parent checkpoint; a child page's leads
-- and its row's new position (next cursor, page, leads, DONE on the last page) commit together, so a kill
-- in the middle of a parent's children resumes at that child page. seq is the parent's place in the
-- parent list (1 = first). Rows of an earlier pull of the job (reset, incremental) are cleared when a new
-- pull of it starts its children. (IF NOT EXISTS: safe to re-run after a crash half-way.)
CREATE TABLE IF NOT EXISTS child_lists (
    job_id      VARCHAR(200) NOT NULL,
    pull_id     VARCHAR(64)  NOT NULL,
    seq         BIGINT       NOT NULL,
    parent_id   VARCHAR      NOT NULL,
    parent_page INTEGER      NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    next_cursor VARCHAR,
    page_no     INTEGER      NOT NULL DEFAULT 0,
    lead_count  BIGINT       NOT NULL DEFAULT 0,
    api_total   BIGINT,
    updated_at  TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (job_id, pull_id, seq)
);
-- a parent the parent list brings twice (drift, an overlapping page) is one child list
CREATE UNIQUE INDEX IF NOT EXISTS child_lists_parent ON child_lists (job_id, pull_id, parent_id);
CREATE INDEX IF NOT EXISTS child_lists_status ON child_lists (job_id, pull_id, status, seq);
