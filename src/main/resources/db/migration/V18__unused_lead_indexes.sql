-- Indexes no query needs, each one more entry written per lead stored (the pull id's, per lead per pull):
-- leads (job_id) from V1 and leads (pull_id) from V2 have served no query since V8 moved which jobs saw a lead
-- into lead_jobs; lead_jobs (job_id, pull_id) from V8: every query of lead_jobs names the job, which its
-- primary key (job_id, source, lead_key) starts with, and a pull's count at the end of a run reads the job's
-- rows once. The columns stay. (IF EXISTS: safe to re-run.)
DROP INDEX IF EXISTS leads_job;
DROP INDEX IF EXISTS leads_pull;
DROP INDEX IF EXISTS lead_jobs_pull;
