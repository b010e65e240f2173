-- Values that come from an API are stored whole, never cut to a column's length: two lead ids that share
-- their first 200 characters are two leads, a long cursor resumes the pull, a long error or CRM answer is
-- kept as it was. VARCHAR without a length: H2 holds up to 1,000,000 characters, PostgreSQL any length
-- (widening a VARCHAR is a catalogue change there, no rewrite). leadpipe.leads.max-id-length bounds the
-- id explicitly (a primary key has to fit a database index). Changing a column to the type it already has
-- is a no-op, so the migration can run again after a crash half-way (H2 commits each statement).
ALTER TABLE leads ALTER COLUMN lead_key SET DATA TYPE VARCHAR;
ALTER TABLE leads ALTER COLUMN last_error SET DATA TYPE VARCHAR;
ALTER TABLE leads ALTER COLUMN crm_id SET DATA TYPE VARCHAR;
ALTER TABLE extraction_checkpoint ALTER COLUMN next_cursor SET DATA TYPE VARCHAR;
ALTER TABLE extraction_checkpoint ALTER COLUMN error SET DATA TYPE VARCHAR;
ALTER TABLE extraction_checkpoint ALTER COLUMN drift SET DATA TYPE VARCHAR;
ALTER TABLE dead_letter ALTER COLUMN lead_key SET DATA TYPE VARCHAR;
ALTER TABLE dead_letter ALTER COLUMN reason SET DATA TYPE VARCHAR;
ALTER TABLE enrichment_cache ALTER COLUMN lookup_key SET DATA TYPE VARCHAR;
