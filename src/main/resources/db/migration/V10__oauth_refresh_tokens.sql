-- OAuth2 refresh tokens, one row per source (or sink API): the current one, sealed (AES-GCM under a key
-- derived from the client secret), so a rotated token survives a restart and every instance of a cluster
-- continues with it. seed_sha256 is the digest of the refresh token given in the settings: a different
-- one given later (the user authorised again) replaces the stored token. (IF NOT EXISTS: safe to re-run.)
CREATE TABLE IF NOT EXISTS oauth_refresh_token (
    api          VARCHAR(200)  NOT NULL PRIMARY KEY,
    token_sealed VARCHAR(4000) NOT NULL,
    seed_sha256  VARCHAR(64)   NOT NULL,
    rotations    BIGINT        NOT NULL DEFAULT 0,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
