-- Safe to run again: H2 commits each DDL statement on its own, so a crash half-way through a
-- migration leaves some of it applied and no history row; IF NOT EXISTS lets the re-run finish it.
-- Written in the SQL that H2 2.x and PostgreSQL both accept.

-- One row per job: where it is, what it was asked for, and how it ended. The job's truth on restart.
CREATE TABLE IF NOT EXISTS extraction_checkpoint (
    job_id          VARCHAR(200)  NOT NULL PRIMARY KEY,
    source          VARCHAR(200)  NOT NULL,
    filters         VARCHAR(4000) NOT NULL,
    filter_hash     VARCHAR(64)   NOT NULL,
    next_cursor     VARCHAR(4000),
    page_no         INTEGER       NOT NULL,
    lead_count      BIGINT        NOT NULL,
    status          VARCHAR(16)   NOT NULL,
    error           VARCHAR(4000),
    api_total_first BIGINT,
    api_total_last  BIGINT,
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at     TIMESTAMP WITH TIME ZONE
);

-- Every lead once, keyed by the API's id; a page fetched twice upserts the same rows.
CREATE TABLE IF NOT EXISTS leads (
    lead_key   VARCHAR(200) NOT NULL PRIMARY KEY,
    source     VARCHAR(200) NOT NULL,
    job_id     VARCHAR(200) NOT NULL,
    page_no    INTEGER      NOT NULL,
    payload    VARCHAR      NOT NULL,
    fetched_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX IF NOT EXISTS leads_job ON leads (job_id);
