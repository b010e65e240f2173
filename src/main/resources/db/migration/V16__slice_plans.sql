-- slices = auto: the slices a job was cut into, kept from its first run until it is reset, so a run that
-- resumes finds every slice under the name (checkpoint row <job>.<slice>) and range it had. One line per slice,
-- name TAB filter (the range's query, encoded); how the
-- cut was made (by the API's counts, or evenly by time when it reports no total), for the run report. (IF NOT EXISTS: safe to re-run.)
CREATE TABLE IF NOT EXISTS slice_plan (
    job_id     VARCHAR(200) NOT NULL PRIMARY KEY,
    source     VARCHAR(200) NOT NULL,
    slices     VARCHAR      NOT NULL,
    how        VARCHAR(1000) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
