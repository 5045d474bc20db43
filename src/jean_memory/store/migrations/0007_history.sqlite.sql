-- Issue 13 (memory that keeps current truth). A memory another one replaced keeps its row, linked to the newer
-- memory (superseded_by) with the time it stopped being true (valid_until); replaced_value is what it stated
-- ("Berlin"), when the judgment knew. expires_at: when a temporary memory stops coming back (then purged after
-- the retention period). dates: relative dates in the text resolved at save time (JSON list).
ALTER TABLE memories ADD COLUMN superseded_by TEXT;
ALTER TABLE memories ADD COLUMN valid_until REAL;
ALTER TABLE memories ADD COLUMN expires_at REAL;
ALTER TABLE memories ADD COLUMN dates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE memories ADD COLUMN replaced_value TEXT;
-- Only current memories hold their words: a replaced version may say what a later one says again.
DROP INDEX memories_user_key;
CREATE UNIQUE INDEX memories_user_key ON memories(user_id, key)
    WHERE deleted_at IS NULL AND document_id IS NULL AND superseded_by IS NULL;
CREATE INDEX memories_superseded ON memories(superseded_by) WHERE superseded_by IS NOT NULL;
CREATE INDEX memories_changes ON memories(user_id, valid_until) WHERE superseded_by IS NOT NULL;
CREATE INDEX memories_expires ON memories(expires_at) WHERE expires_at IS NOT NULL;

-- Pairs the user un-replaced (undo on the dashboard): never replaced again.
CREATE TABLE memory_unlinks (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    old_id TEXT NOT NULL,
    new_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (user_id, old_id, new_id)
);
