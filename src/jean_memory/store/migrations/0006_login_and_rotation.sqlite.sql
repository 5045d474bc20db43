-- Issue 12 (hardening). Refresh rotation as a compare-and-set: each token remembers the refresh token it was
-- minted from (parent_hash) and whether its one retry within the grace period was spent (replayed_at).
ALTER TABLE oauth_tokens ADD COLUMN parent_hash TEXT;
ALTER TABLE oauth_tokens ADD COLUMN replayed_at REAL;
CREATE INDEX oauth_tokens_parent ON oauth_tokens(parent_hash) WHERE parent_hash IS NOT NULL;

-- A consent is remembered for the exact redirect URIs (port included) the person approved it for.
CREATE TABLE oauth_grant_redirects (
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    approved_at REAL NOT NULL,
    PRIMARY KEY (user_id, client_id, redirect_uri),
    FOREIGN KEY (user_id, client_id) REFERENCES oauth_grants(user_id, client_id) ON DELETE CASCADE
);

-- Consecutive failed sign-ins per account (SHA-256 of the email, known or not), for a bounded backoff, and the
-- sources (address, IPv6 by /64) each account signed in from, which an attacker elsewhere cannot lock out.
CREATE TABLE login_failures (
    account TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at REAL NOT NULL
);
CREATE TABLE login_known_sources (
    account TEXT NOT NULL,
    source TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (account, source)
);
