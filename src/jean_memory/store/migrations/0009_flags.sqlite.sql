-- Issue 19 (memory a person can trust). flagged_by: a newer memory that may make this one outdated (a doubtful
-- change: this one stays current and searchable, ranked after the newer one, until the assistant or the person
-- confirms or dismisses; a dismissed pair goes to memory_unlinks and is never flagged again). occurred_at: when
-- the memory's fact was said or happened, when it was saved after the fact (a backfill); replacement, flags and
-- relative dates go by it. correction: a version kept by an edit (a corrected text, not a change of fact).
ALTER TABLE memories ADD COLUMN flagged_by TEXT;
ALTER TABLE memories ADD COLUMN occurred_at REAL;
ALTER TABLE memories ADD COLUMN correction INTEGER NOT NULL DEFAULT 0;
CREATE INDEX memories_flagged ON memories(user_id, flagged_by) WHERE flagged_by IS NOT NULL;
