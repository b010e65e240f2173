-- One writer per job: the process running a job holds a lease on its checkpoint row — who (an owner id
-- per run, host, pid), since when, its last heartbeat and when it expires. Taken at open, renewed while
-- the job runs, released when it ends. (IF NOT EXISTS: safe to run again after a crash half-way.)
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS lease_owner VARCHAR(64);
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS lease_host VARCHAR(255);
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS lease_pid BIGINT;
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS lease_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS lease_heartbeat_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS lease_expires_at TIMESTAMP WITH TIME ZONE;
