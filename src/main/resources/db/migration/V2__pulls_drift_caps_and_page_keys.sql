-- A pull is one pass over a job's list: reset and verify start a new one. Page fingerprints and
-- "seen twice" counts are per pull.
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS pull_id VARCHAR(64);
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS mode VARCHAR(16) DEFAULT 'PULL' NOT NULL;
-- every request made for the job, retries included (a credit budget is checked against it)
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS requests BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS duplicate_pages INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS seen_twice BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS drift VARCHAR(2000);

ALTER TABLE leads ADD COLUMN IF NOT EXISTS pull_id VARCHAR(64);
CREATE INDEX IF NOT EXISTS leads_pull ON leads (pull_id);

-- Camel's JDBC idempotent repository (pages already processed), managed here so it exists on PostgreSQL too.
CREATE TABLE IF NOT EXISTS CAMEL_MESSAGEPROCESSED (
    processorName VARCHAR(255) NOT NULL,
    messageId     VARCHAR(100) NOT NULL,
    createdAt     TIMESTAMP,
    PRIMARY KEY (processorName, messageId)
);
