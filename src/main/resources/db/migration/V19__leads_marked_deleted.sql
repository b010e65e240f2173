-- The leads marked deleted at the source, by source: the deletion reconciliation unmarks the ones a complete pull
-- listed again, and without this index that UPDATE read every lead row of the source after every complete pull
-- (8% of a 200,000-lead pull's samples in a profile; 6–18% by switching it off in `bench/run overhead`), though almost none are marked. Its condition is a
-- range on deleted_at_source (see DeletionReconciliation): H2 uses an index for a range, not for IS NOT NULL.
-- (IF NOT EXISTS: safe to re-run.)
CREATE INDEX IF NOT EXISTS leads_deleted ON leads (source, deleted_at_source);
