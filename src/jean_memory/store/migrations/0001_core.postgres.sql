-- Core schema on PostgreSQL: pgvector for dense search, a generated tsvector for lexical search.
-- The role running migrations must be allowed to CREATE EXTENSION (or an administrator creates both first).
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    password_hash TEXT,
    display_name TEXT NOT NULL DEFAULT '',
    created_at DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    last_used_at DOUBLE PRECISION,
    revoked_at DOUBLE PRECISION
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
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX documents_user ON documents(user_id, created_at);

CREATE TABLE memories (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    document_id TEXT REFERENCES documents(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    key TEXT NOT NULL,
    tags TEXT[] NOT NULL DEFAULT '{}',
    client_id TEXT,
    metadata JSONB NOT NULL DEFAULT '{}',
    embedding vector(384),
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    deleted_at DOUBLE PRECISION,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
);
CREATE INDEX memories_user_seq ON memories(user_id, seq) WHERE deleted_at IS NULL;
CREATE INDEX memories_document ON memories(document_id);
CREATE UNIQUE INDEX memories_user_key ON memories(user_id, key) WHERE deleted_at IS NULL AND document_id IS NULL;
-- One GIN over (user_id, tsv) (btree_gin): a user's query intersects postings instead of filtering every
-- tenant's matches.
CREATE INDEX memories_tsv ON memories USING gin (user_id, tsv) WHERE deleted_at IS NULL;
-- HNSW for users too large for an exact scan; queried with hnsw.iterative_scan so the user filter keeps recall.
CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops) WHERE deleted_at IS NULL;

CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start DOUBLE PRECISION NOT NULL,
    count INTEGER NOT NULL
);
