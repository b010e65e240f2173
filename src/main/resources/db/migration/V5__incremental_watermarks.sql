-- Incremental pulls: a DONE job with a watermark parameter is pulled again for the records updated
-- since its previous pull began (less an overlap), instead of re-extracting everything.
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS pull_started_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE extraction_checkpoint ADD COLUMN IF NOT EXISTS since_watermark VARCHAR(64);
