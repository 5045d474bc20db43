CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT,
    display_name TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    mem_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_used_at REAL,
    revoked_at REAL
);
CREATE INDEX api_keys_user ON api_keys(user_id);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    document_type TEXT NOT NULL DEFAULT 'text',
    source_url TEXT,
    client_id TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX documents_user ON documents(user_id, created_at);

CREATE TABLE memories (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    document_id TEXT REFERENCES documents(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    key TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    client_id TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    embedding BLOB,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    deleted_at REAL
);
CREATE INDEX memories_user_seq ON memories(user_id, seq);
CREATE INDEX memories_document ON memories(document_id);
CREATE UNIQUE INDEX memories_user_key ON memories(user_id, key) WHERE deleted_at IS NULL AND document_id IS NULL;

-- External-content FTS5 index over live rows; user_id is indexed too so that a per-user query
-- intersects postings instead of scanning every tenant's matches.
CREATE VIRTUAL TABLE memories_fts USING fts5(
    text, user_id, content='memories', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER memories_ai AFTER INSERT ON memories WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO memories_fts(rowid, text, user_id) VALUES (new.seq, new.text, new.user_id);
END;
CREATE TRIGGER memories_ad AFTER DELETE ON memories WHEN old.deleted_at IS NULL BEGIN
    INSERT INTO memories_fts(memories_fts, rowid, text, user_id) VALUES ('delete', old.seq, old.text, old.user_id);
END;
CREATE TRIGGER memories_au AFTER UPDATE OF text, deleted_at ON memories BEGIN
    INSERT INTO memories_fts(memories_fts, rowid, text, user_id)
        SELECT 'delete', old.seq, old.text, old.user_id WHERE old.deleted_at IS NULL;
    INSERT INTO memories_fts(rowid, text, user_id)
        SELECT new.seq, new.text, new.user_id WHERE new.deleted_at IS NULL;
END;

CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start REAL NOT NULL,
    count INTEGER NOT NULL
);
