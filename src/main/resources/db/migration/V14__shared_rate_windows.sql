-- One API key's current quota window, shared by every instance on the database (leadpipe.ratelimit.cluster =
-- database): the limit and reset the API last announced, and how many permits the instances together took in
-- the window (taken_late: those given within the reset margin, which may reach the API after the reset, so the
-- next window starts counting from them). key_sha256 is a digest of the key's identity, never the key; name is
-- the source that named the governor (for a reader). Times are epoch milliseconds on the instances' clocks.
-- (IF NOT EXISTS: safe to re-run.)
CREATE TABLE IF NOT EXISTS rate_limit_window (
    key_sha256      VARCHAR(64)  NOT NULL PRIMARY KEY,
    name            VARCHAR(200) NOT NULL,
    window_limit    BIGINT,
    reset_at_ms     BIGINT,
    taken           BIGINT       NOT NULL DEFAULT 0,
    taken_late      BIGINT       NOT NULL DEFAULT 0,
    counted_from_ms BIGINT,
    paused_until_ms BIGINT,
    updated_at_ms   BIGINT       NOT NULL
);
