"""OAuth persistence on SQLite (tables ``oauth_*``, migration 0002). Multi-row changes run in one transaction."""

from __future__ import annotations

import json
import sqlite3
import time

from ..oauth import (
    AuthCode,
    CodeOutcome,
    ConnectedApp,
    OAuthClient,
    PendingAuthorization,
    RotateOutcome,
    TokenRecord,
    require_text,
)
from .db import SqliteDatabase

_TOUCH_EVERY = 60.0
# Refresh rotation (see ``TokenStore.rotate_refresh``): the first use of a live refresh token ...
_FIRST_USE = ("UPDATE oauth_tokens SET rotated_at=? WHERE token_hash=? AND kind='refresh' AND rotated_at IS NULL "
              "AND revoked_at IS NULL AND expires_at>?")
# ... its one retry within the grace period, while the pair minted first is still unused ...
_REPLAY = ("UPDATE oauth_tokens SET replayed_at=? WHERE token_hash=? AND kind='refresh' AND revoked_at IS NULL "
           "AND expires_at>? AND rotated_at>=? AND replayed_at IS NULL AND NOT EXISTS (SELECT 1 FROM oauth_tokens ch "
           "WHERE ch.parent_hash=oauth_tokens.token_hash AND ch.rotated_at IS NOT NULL)")
# ... which then replaces that first pair.
_SUPERSEDE = "UPDATE oauth_tokens SET revoked_at=? WHERE parent_hash=? AND revoked_at IS NULL"


def _client(r: sqlite3.Row) -> OAuthClient:
    return OAuthClient(
        r["client_id"], r["client_name"], tuple(json.loads(r["redirect_uris"])), r["auth_method"],
        tuple(json.loads(r["grant_types"])), r["scope"], json.loads(r["metadata"]), r["created_at"],
        r["secret_hash"], r["registration_token_hash"], bool(r["is_document"]), r["document_expires_at"],
        r["last_used_at"],
    )


def _token(r: sqlite3.Row) -> TokenRecord:
    return TokenRecord(r["token_hash"], r["kind"], r["family_id"], r["client_id"], r["user_id"], r["scope"],
                       r["resource"], r["created_at"], r["expires_at"], r["rotated_at"], r["revoked_at"])


def _insert_tokens(c: sqlite3.Connection, tokens: list[TokenRecord], now: float, parent: str | None = None) -> None:
    for t in tokens:
        c.execute("INSERT INTO oauth_tokens(token_hash, kind, family_id, client_id, user_id, scope, resource, "
                  "created_at, expires_at, parent_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                  (t.token_hash, t.kind, t.family_id, t.client_id, t.user_id, t.scope, t.resource, t.created_at,
                   t.expires_at, parent))
        c.execute("UPDATE oauth_clients SET last_used_at=? WHERE client_id=?", (now, t.client_id))
        c.execute("UPDATE oauth_grants SET last_used_at=? WHERE user_id=? AND client_id=?",
                  (now, t.user_id, t.client_id))


def _revoke_family(c: sqlite3.Connection, family_id: str, now: float) -> int:
    return c.execute("UPDATE oauth_tokens SET revoked_at=? WHERE family_id=? AND revoked_at IS NULL",
                     (now, family_id)).rowcount


class SqliteOAuthStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    # -- clients -----------------------------------------------------------------------------------------
    async def save_client(self, client: OAuthClient) -> None:
        k = client
        require_text(k)
        await self.db.write(lambda c: c.execute(
            "INSERT INTO oauth_clients(client_id, client_name, redirect_uris, auth_method, grant_types, scope, "
            "metadata, secret_hash, registration_token_hash, is_document, document_expires_at, created_at, "
            "last_used_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(client_id) DO UPDATE SET "
            "client_name=excluded.client_name, redirect_uris=excluded.redirect_uris, "
            "auth_method=excluded.auth_method, grant_types=excluded.grant_types, scope=excluded.scope, "
            "metadata=excluded.metadata, secret_hash=excluded.secret_hash, "
            "registration_token_hash=excluded.registration_token_hash, is_document=excluded.is_document, "
            "document_expires_at=excluded.document_expires_at",
            (k.client_id, k.client_name, json.dumps(list(k.redirect_uris)), k.auth_method,
             json.dumps(list(k.grant_types)), k.scope, json.dumps(dict(k.metadata)), k.secret_hash,
             k.registration_token_hash, int(k.is_document), k.document_expires_at, k.created_at,
             k.last_used_at)))

    async def get_client(self, client_id: str) -> OAuthClient | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT * FROM oauth_clients WHERE client_id=?", (client_id,)).fetchone())
        return _client(row) if row else None

    async def delete_client(self, client_id: str) -> bool:
        return await self.db.write(lambda c: c.execute(
            "DELETE FROM oauth_clients WHERE client_id=?", (client_id,)).rowcount > 0)

    # -- authorization -----------------------------------------------------------------------------------
    async def create_pending(self, p: PendingAuthorization) -> None:
        require_text(p)
        await self.db.write(lambda c: c.execute(
            "INSERT INTO oauth_pending(id_hash, client_id, redirect_uri, state, code_challenge, resource, scope, "
            "prompt, expires_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (p.id_hash, p.client_id, p.redirect_uri, p.state, p.code_challenge, p.resource, p.scope, p.prompt,
             p.expires_at)))

    async def get_pending(self, id_hash: str, now: float) -> PendingAuthorization | None:
        r = await self.db.read(lambda c: c.execute(
            "SELECT * FROM oauth_pending WHERE id_hash=? AND expires_at>?", (id_hash, now)).fetchone())
        if r is None:
            return None
        return PendingAuthorization(r["id_hash"], r["client_id"], r["redirect_uri"], r["state"],
                                    r["code_challenge"], r["resource"], r["scope"], r["prompt"], r["expires_at"])

    async def delete_pending(self, id_hash: str) -> bool:
        return await self.db.write(lambda c: c.execute(
            "DELETE FROM oauth_pending WHERE id_hash=?", (id_hash,)).rowcount > 0)

    async def create_code(self, k: AuthCode) -> None:
        require_text(k)
        await self.db.write(lambda c: c.execute(
            "INSERT INTO oauth_codes(code_hash, client_id, user_id, redirect_uri, code_challenge, resource, scope, "
            "family_id, expires_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (k.code_hash, k.client_id, k.user_id, k.redirect_uri, k.code_challenge, k.resource, k.scope,
             k.family_id, k.expires_at)))

    async def consume_code(self, code_hash: str, now: float) -> tuple[CodeOutcome, AuthCode | None]:
        def run(c: sqlite3.Connection) -> tuple[CodeOutcome, AuthCode | None]:
            r = c.execute("SELECT * FROM oauth_codes WHERE code_hash=?", (code_hash,)).fetchone()
            if r is None:
                return "unknown", None
            code = AuthCode(r["code_hash"], r["client_id"], r["user_id"], r["redirect_uri"], r["code_challenge"],
                            r["resource"], r["scope"], r["family_id"], r["expires_at"], r["used_at"])
            if code.used_at is not None:
                _revoke_family(c, code.family_id, now)
                return "reused", code
            c.execute("UPDATE oauth_codes SET used_at=? WHERE code_hash=?", (now, code_hash))
            return ("ok" if code.expires_at > now else "unknown"), code

        return await self.db.write(run)

    # -- tokens ------------------------------------------------------------------------------------------
    async def issue_tokens(self, tokens: list[TokenRecord], now: float) -> None:
        require_text(*tokens)
        await self.db.write(lambda c: _insert_tokens(c, tokens, now))

    async def get_token(self, token_hash: str) -> TokenRecord | None:
        r = await self.db.read(lambda c: c.execute(
            "SELECT * FROM oauth_tokens WHERE token_hash=?", (token_hash,)).fetchone())
        return _token(r) if r else None

    async def rotate_refresh(self, old_hash: str, new: list[TokenRecord], now: float, grace: float) -> RotateOutcome:
        require_text(*new)

        def run(c: sqlite3.Connection) -> RotateOutcome:
            # Compare-and-set, as on PostgreSQL (the single writer makes each step atomic here anyway).
            if c.execute(_FIRST_USE, (now, old_hash, now)).rowcount == 1:
                _insert_tokens(c, new, now, old_hash)
                return "ok"
            if c.execute(_REPLAY, (now, old_hash, now, now - grace)).rowcount == 1:
                c.execute(_SUPERSEDE, (now, old_hash))
                _insert_tokens(c, new, now, old_hash)
                return "replayed"
            r = c.execute("SELECT family_id, revoked_at, expires_at FROM oauth_tokens WHERE token_hash=? "
                          "AND kind='refresh'", (old_hash,)).fetchone()
            if r is None or (r["revoked_at"] is None and r["expires_at"] <= now):
                return "unknown"
            _revoke_family(c, r["family_id"], now)  # a replay, or a superseded (revoked) child: a second holder
            return "unknown" if r["revoked_at"] is not None else "reused"

        return await self.db.write(run)

    async def revoke_token(self, token_hash: str, now: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            r = c.execute("SELECT kind, family_id FROM oauth_tokens WHERE token_hash=?", (token_hash,)).fetchone()
            if r is None:
                return
            if r["kind"] == "refresh":
                _revoke_family(c, r["family_id"], now)
            else:
                c.execute("UPDATE oauth_tokens SET revoked_at=? WHERE token_hash=? AND revoked_at IS NULL",
                          (now, token_hash))

        await self.db.write(run)

    async def revoke_family(self, family_id: str, now: float) -> int:
        return await self.db.write(lambda c: _revoke_family(c, family_id, now))

    # -- grants ------------------------------------------------------------------------------------------
    async def save_grant(self, user_id: str, client_id: str, scope: str, now: float,
                         redirect_uri: str | None = None) -> None:
        require_text(user_id, client_id, scope, redirect_uri)

        def run(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO oauth_grants(user_id, client_id, scope, granted_at) VALUES (?,?,?,?) "
                      "ON CONFLICT(user_id, client_id) DO UPDATE SET scope=excluded.scope, "
                      "granted_at=excluded.granted_at", (user_id, client_id, scope, now))
            if redirect_uri is not None:
                c.execute("INSERT INTO oauth_grant_redirects(user_id, client_id, redirect_uri, approved_at) "
                          "VALUES (?,?,?,?) ON CONFLICT(user_id, client_id, redirect_uri) DO UPDATE SET "
                          "approved_at=excluded.approved_at", (user_id, client_id, redirect_uri, now))

        await self.db.write(run)

    async def get_grant_scope(self, user_id: str, client_id: str, redirect_uri: str | None = None) -> str | None:
        sql, params = "SELECT scope FROM oauth_grants g WHERE user_id=? AND client_id=?", [user_id, client_id]
        if redirect_uri is not None:
            sql += (" AND EXISTS (SELECT 1 FROM oauth_grant_redirects r WHERE r.user_id=g.user_id AND "
                    "r.client_id=g.client_id AND r.redirect_uri=?)")
            params.append(redirect_uri)
        r = await self.db.read(lambda c: c.execute(sql, params).fetchone())
        return str(r["scope"]) if r else None

    async def touch_grant(self, user_id: str, client_id: str, now: float) -> None:
        await self.db.write(lambda c: c.execute(
            "UPDATE oauth_grants SET last_used_at=? WHERE user_id=? AND client_id=? "
            "AND (last_used_at IS NULL OR last_used_at<?)", (now, user_id, client_id, now - _TOUCH_EVERY)))

    async def list_connected_apps(self, user_id: str, now: float | None = None) -> list[ConnectedApp]:
        at = time.time() if now is None else now
        rows = await self.db.read(lambda c: c.execute(
            "SELECT g.client_id, c.client_name, g.scope, g.granted_at, g.last_used_at, c.redirect_uris, EXISTS "
            "(SELECT 1 FROM oauth_tokens t WHERE t.user_id=g.user_id AND t.client_id=g.client_id "
            "AND t.revoked_at IS NULL AND t.expires_at>?) AS active "
            "FROM oauth_grants g JOIN oauth_clients c ON c.client_id=g.client_id WHERE g.user_id=? "
            "ORDER BY coalesce(g.last_used_at, g.granted_at) DESC", (at, user_id)).fetchall())
        return [ConnectedApp(r["client_id"], r["client_name"], r["scope"], r["granted_at"], r["last_used_at"],
                             tuple(json.loads(r["redirect_uris"])), bool(r["active"])) for r in rows]

    async def revoke_client_for_user(self, user_id: str, client_id: str, now: float) -> int:
        def run(c: sqlite3.Connection) -> int:
            c.execute("DELETE FROM oauth_grants WHERE user_id=? AND client_id=?", (user_id, client_id))
            c.execute("DELETE FROM oauth_codes WHERE user_id=? AND client_id=?", (user_id, client_id))
            return c.execute("UPDATE oauth_tokens SET revoked_at=? WHERE user_id=? AND client_id=? "
                             "AND revoked_at IS NULL", (now, user_id, client_id)).rowcount

        return await self.db.write(run)

    # -- housekeeping ------------------------------------------------------------------------------------
    async def sweep(self, now: float, unused_before: float) -> int:
        def run(c: sqlite3.Connection) -> int:
            n = c.execute("DELETE FROM oauth_pending WHERE expires_at<=?", (now,)).rowcount
            n += c.execute("DELETE FROM oauth_codes WHERE expires_at<=?", (now,)).rowcount
            n += c.execute("DELETE FROM oauth_tokens WHERE expires_at<=?", (now,)).rowcount
            n += c.execute("DELETE FROM oauth_clients WHERE last_used_at IS NULL AND created_at<? AND NOT EXISTS "
                           "(SELECT 1 FROM oauth_grants g WHERE g.client_id=oauth_clients.client_id)",
                           (unused_before,)).rowcount
            return n

        return await self.db.write(run)
