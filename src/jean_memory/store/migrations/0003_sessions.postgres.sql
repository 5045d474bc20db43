-- Site login sessions: the cookie value is never stored, only its SHA-256.
CREATE TABLE site_sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX site_sessions_user ON site_sessions(user_id);
CREATE INDEX site_sessions_expires ON site_sessions(expires_at);

-- Upstream OpenID Connect sign-in in progress: state -> PKCE verifier, nonce, redirect URI (a few minutes).
CREATE TABLE oidc_login_states (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
