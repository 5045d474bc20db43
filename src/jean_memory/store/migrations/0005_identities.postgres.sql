-- Upstream OpenID Connect identities (issuer + subject) linked to local accounts: an account is found by the
-- identity that signed in, not by the email its provider reports today. One identity per issuer and account.
CREATE TABLE user_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE UNIQUE INDEX user_identities_one_per_issuer ON user_identities (user_id, issuer);
