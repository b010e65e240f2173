-- Recurring syncs: per incremental job, the largest updated-at among the records it stored (by the API's own
-- clock — the next delta's watermark), a digest of the settings its delta was pulled under (a change is refused,
-- pointing to reset), the watermark this pull used and where it came from, and this pull's tally: records
-- changed, new, re-read unchanged (the overlap), flagged deleted at the source, without a readable updated-at.
-- Instants are ISO-8601 text. A lead deleted at the source is kept, marked. (IF NOT EXISTS: safe to re-run.)
CREATE TABLE IF NOT EXISTS delta_watermark (
    job_id             VARCHAR(200) NOT NULL PRIMARY KEY,
    source             VARCHAR(200) NOT NULL,
    pull_id            VARCHAR(64)  NOT NULL,
    fingerprint        VARCHAR(64)  NOT NULL,
    largest_updated_at VARCHAR(40),
    watermark_used     VARCHAR(40),
    watermark_origin   VARCHAR(16),
    watermark_basis    VARCHAR(40),
    changed_count      BIGINT       NOT NULL DEFAULT 0,
    new_count          BIGINT       NOT NULL DEFAULT 0,
    unchanged_count    BIGINT       NOT NULL DEFAULT 0,
    deleted_count      BIGINT       NOT NULL DEFAULT 0,
    unreadable_count   BIGINT       NOT NULL DEFAULT 0
);

ALTER TABLE leads ADD COLUMN IF NOT EXISTS deleted_at_source TIMESTAMP WITH TIME ZONE;
