-- Issue 21 (spaces). Every memory and document belongs to one space. A space is owned by one account; its
-- memories live in the owner's partition (memories.user_id = the owner) and carry space_id. Each account's
-- `personal` space has the account's own id, so existing rows move into it by copying user_id, and a trigger
-- gives every new account one.
CREATE TABLE spaces (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX spaces_owner_name ON spaces(owner_id, lower(name));
INSERT INTO spaces(id, owner_id, name, created_at) SELECT id, id, 'personal', created_at FROM users;
CREATE FUNCTION users_personal_space() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO spaces(id, owner_id, name, created_at) VALUES (NEW.id, NEW.id, 'personal', NEW.created_at);
    RETURN NEW;
END $$;
CREATE TRIGGER users_personal_space AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_personal_space();

-- Accounts a space is shared with (the owner is not listed): readers read, writers also add, change and delete.
CREATE TABLE space_members (
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('reader', 'writer')),
    added_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (space_id, user_id)
);
CREATE INDEX space_members_user ON space_members(user_id);

-- Invitations by e-mail (stored lower-cased), pending until the invitee accepts or declines.
CREATE TABLE space_invitations (
    id TEXT PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'writer')),
    invited_by TEXT REFERENCES users(id) ON DELETE CASCADE,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE UNIQUE INDEX space_invitations_space_email ON space_invitations(space_id, email);
CREATE INDEX space_invitations_email ON space_invitations(email);

-- Who added, changed or deleted what in a space, and when (a space's page lists the latest).
CREATE TABLE space_activity (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    client_id TEXT,
    action TEXT NOT NULL,
    memory_id TEXT,
    text TEXT NOT NULL DEFAULT '',
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX space_activity_space ON space_activity(space_id, seq);

ALTER TABLE memories ADD COLUMN space_id TEXT;
ALTER TABLE memories ADD COLUMN author_id TEXT;  -- the account that wrote it (NULL: the owner, before spaces)
UPDATE memories SET space_id = user_id;
ALTER TABLE documents ADD COLUMN space_id TEXT;
UPDATE documents SET space_id = user_id;
-- A text is stored once per space, not once per account (current memories only, as migration 0007 made it).
DROP INDEX memories_user_key;
CREATE UNIQUE INDEX memories_space_key ON memories(user_id, space_id, key)
    WHERE deleted_at IS NULL AND document_id IS NULL AND superseded_by IS NULL;
-- The index of current memories (0008) also answers counts of some spaces from the index alone.
DROP INDEX memories_current;
CREATE INDEX memories_current ON memories(user_id, client_id, expires_at, space_id)
    WHERE deleted_at IS NULL AND document_id IS NULL AND superseded_by IS NULL;

-- What a connection may reach: a JSON list of space ids (NULL: every space its account owns, including ones
-- created later; how keys and grants made before spaces keep working) and the space it writes to by default
-- (NULL: the personal space).
ALTER TABLE api_keys ADD COLUMN spaces TEXT;
ALTER TABLE api_keys ADD COLUMN write_space TEXT;
ALTER TABLE oauth_grants ADD COLUMN spaces TEXT;
ALTER TABLE oauth_grants ADD COLUMN write_space TEXT;
