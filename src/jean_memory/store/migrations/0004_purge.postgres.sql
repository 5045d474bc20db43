CREATE INDEX memories_deleted ON memories(deleted_at) WHERE deleted_at IS NOT NULL;
