"""OAuth persistence on PostgreSQL (tables ``oauth_*``, migration 0002).

Read-then-write steps (consuming a code, revoking a refresh token) lock their row with ``SELECT ... FOR UPDATE``
in one transaction, and rotating a refresh token is a compare-and-set (conditional ``UPDATE``), so replicas racing
on the same code or refresh token are serialised: exactly one wins, the other sees it used (SQLite gets the same
from its single writer).
PostgreSQL text cannot hold NUL: lookups by such a key answer "not found" without asking the server (a
``DataError`` would otherwise surface as a 500), and writes refuse it as SQLite does (``require_text``).
"""

from __future__ import annotations

import json
import time

from psycopg.rows import DictRow

from ..oauth import (
    AuthCode,
    CodeOutcome,
    ConnectedApp,
    OAuthClient,
    PendingAuthorization,
    RotateOutcome,
    TokenRecord,
    findable,
    require_text,
)
from .db import Conn, PostgresDatabase

_TOUCH_EVERY = 60.0
# Refresh rotation (``TokenStore.rotate_refresh``): the first use of a live refresh token ...
_FIRST_USE = ("UPDATE oauth_tokens SET rotated_at=%s WHERE token_hash=%s AND kind='refresh' AND rotated_at IS NULL"
              " AND revoked_at IS NULL AND expires_at>%s")
# ... its one retry within the grace period, while the pair minted first is still unused ...
_REPLAY = ("UPDATE oauth_tokens SET replayed_at=%s WHERE token_hash=%s AND kind='refresh' AND revoked_at IS NULL"
           " AND expires_at>%s AND rotated_at>=%s AND replayed_at IS NULL AND NOT EXISTS (SELECT 1 FROM oauth_tokens"
           " ch WHERE ch.parent_hash=oauth_tokens.token_hash AND ch.rotated_at IS NOT NULL)")
# ... which then replaces that first pair.
_SUPERSEDE = "UPDATE oauth_tokens SET revoked_at=%s WHERE parent_hash=%s AND revoked_at IS NULL"


def _client(r: DictRow) -> OAuthClient:
    return OAuthClient(
        r["client_id"], r["client_name"], tuple(json.loads(r["redirect_uris"])), r["auth_method"],
        tuple(json.loads(r["grant_types"])), r["scope"], json.loads(r["metadata"]), r["created_at"],
        r["secret_hash"], r["registration_token_hash"], bool(r["is_document"]), r["document_expires_at"],
        r["last_used_at"],
    )


def _token(r: DictRow) -> TokenRecord:
    return TokenRecord(r["token_hash"], r["kind"], r["family_id"], r["client_id"], r["user_id"], r["scope"],
                       r["resource"], r["created_at"], r["expires_at"], r["rotated_at"], r["revoked_at"])


async def _insert_tokens(c: Conn, tokens: list[TokenRecord], now: float, parent: str | None = None) -> None:
    for t in tokens:
        await c.execute(
            "INSERT INTO oauth_tokens(token_hash, kind, family_id, client_id, user_id, scope, resource, created_at,"
            " expires_at, parent_hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (t.token_hash, t.kind, t.family_id, t.client_id, t.user_id, t.scope, t.resource, t.created_at,
             t.expires_at, parent))
        await c.execute("UPDATE oauth_clients SET last_used_at=%s WHERE client_id=%s", (now, t.client_id))
        await c.execute("UPDATE oauth_grants SET last_used_at=%s WHERE user_id=%s AND client_id=%s",
                        (now, t.user_id, t.client_id))


async def _revoke_family(c: Conn, family_id: str, now: float) -> int:
    cur = await c.execute("UPDATE oauth_tokens SET revoked_at=%s WHERE family_id=%s AND revoked_at IS NULL",
                          (now, family_id))
    return cur.rowcount


class PostgresOAuthStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    # -- clients -----------------------------------------------------------------------------------------
    async def save_client(self, client: OAuthClient) -> None:
        k = client
        require_text(k)
        await self.db.execute(
            "INSERT INTO oauth_clients(client_id, client_name, redirect_uris, auth_method, grant_types, scope,"
            " metadata, secret_hash, registration_token_hash, is_document, document_expires_at, created_at,"
            " last_used_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT(client_id) DO UPDATE SET"
            " client_name=excluded.client_name, redirect_uris=excluded.redirect_uris,"
            " auth_method=excluded.auth_method, grant_types=excluded.grant_types, scope=excluded.scope,"
            " metadata=excluded.metadata, secret_hash=excluded.secret_hash,"
            " registration_token_hash=excluded.registration_token_hash, is_document=excluded.is_document,"
            " document_expires_at=excluded.document_expires_at",
            (k.client_id, k.client_name, json.dumps(list(k.redirect_uris)), k.auth_method,
             json.dumps(list(k.grant_types)), k.scope, json.dumps(dict(k.metadata)), k.secret_hash,
             k.registration_token_hash, k.is_document, k.document_expires_at, k.created_at, k.last_used_at))

    async def get_client(self, client_id: str) -> OAuthClient | None:
        if not findable(client_id):
            return None
        row = await self.db.fetchone("SELECT * FROM oauth_clients WHERE client_id=%s", (client_id,))
        return _client(row) if row else None

    async def delete_client(self, client_id: str) -> bool:
        if not findable(client_id):
            return False
        return await self.db.execute("DELETE FROM oauth_clients WHERE client_id=%s", (client_id,)) > 0

    # -- authorization -----------------------------------------------------------------------------------
    async def create_pending(self, p: PendingAuthorization) -> None:
        require_text(p)
        await self.db.execute(
            "INSERT INTO oauth_pending(id_hash, client_id, redirect_uri, state, code_challenge, resource, scope,"
            " prompt, expires_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (p.id_hash, p.client_id, p.redirect_uri, p.state, p.code_challenge, p.resource, p.scope, p.prompt,
             p.expires_at))

    async def get_pending(self, id_hash: str, now: float) -> PendingAuthorization | None:
        if not findable(id_hash):
            return None
        r = await self.db.fetchone("SELECT * FROM oauth_pending WHERE id_hash=%s AND expires_at>%s", (id_hash, now))
        if r is None:
            return None
        return PendingAuthorization(r["id_hash"], r["client_id"], r["redirect_uri"], r["state"],
                                    r["code_challenge"], r["resource"], r["scope"], r["prompt"], r["expires_at"])

    async def delete_pending(self, id_hash: str) -> bool:
        if not findable(id_hash):
            return False
        return await self.db.execute("DELETE FROM oauth_pending WHERE id_hash=%s", (id_hash,)) > 0

    async def create_code(self, k: AuthCode) -> None:
        require_text(k)
        await self.db.execute(
            "INSERT INTO oauth_codes(code_hash, client_id, user_id, redirect_uri, code_challenge, resource, scope,"
            " family_id, expires_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (k.code_hash, k.client_id, k.user_id, k.redirect_uri, k.code_challenge, k.resource, k.scope,
             k.family_id, k.expires_at))

    async def consume_code(self, code_hash: str, now: float) -> tuple[CodeOutcome, AuthCode | None]:
        if not findable(code_hash):
            return "unknown", None
        async with self.db.tx() as c:
            cur = await c.execute("SELECT * FROM oauth_codes WHERE code_hash=%s FOR UPDATE", (code_hash,))
            r = await cur.fetchone()
            if r is None:
                return "unknown", None
            code = AuthCode(r["code_hash"], r["client_id"], r["user_id"], r["redirect_uri"], r["code_challenge"],
                            r["resource"], r["scope"], r["family_id"], r["expires_at"], r["used_at"])
            if code.used_at is not None:
                await _revoke_family(c, code.family_id, now)
                return "reused", code
            await c.execute("UPDATE oauth_codes SET used_at=%s WHERE code_hash=%s", (now, code_hash))
            return ("ok" if code.expires_at > now else "unknown"), code

    # -- tokens ------------------------------------------------------------------------------------------
    async def issue_tokens(self, tokens: list[TokenRecord], now: float) -> None:
        require_text(*tokens)
        async with self.db.tx() as c:
            await _insert_tokens(c, tokens, now)

    async def get_token(self, token_hash: str) -> TokenRecord | None:
        if not findable(token_hash):
            return None
        r = await self.db.fetchone("SELECT * FROM oauth_tokens WHERE token_hash=%s", (token_hash,))
        return _token(r) if r else None

    async def rotate_refresh(self, old_hash: str, new: list[TokenRecord], now: float, grace: float) -> RotateOutcome:
        require_text(*new)
        if not findable(old_hash):
            return "unknown"
        async with self.db.tx() as c:
            # Each step is one conditional UPDATE (compare-and-set): a racing transaction waits for the row
            # and re-checks the condition, so of N concurrent callers one rotates and at most one replays.
            if (await c.execute(_FIRST_USE, (now, old_hash, now))).rowcount == 1:
                await _insert_tokens(c, new, now, old_hash)
                return "ok"
            if (await c.execute(_REPLAY, (now, old_hash, now, now - grace))).rowcount == 1:
                await c.execute(_SUPERSEDE, (now, old_hash))
                # The first pair's refresh token was rotated while we waited: not a retry but two holders.
                cur = await c.execute("SELECT family_id FROM oauth_tokens WHERE parent_hash=%s AND rotated_at"
                                      " IS NOT NULL LIMIT 1", (old_hash,))
                raced = await cur.fetchone()
                if raced is None:
                    await _insert_tokens(c, new, now, old_hash)
                    return "replayed"
                await _revoke_family(c, raced["family_id"], now)
                return "reused"
            cur = await c.execute("SELECT family_id, revoked_at, expires_at FROM oauth_tokens WHERE token_hash=%s"
                                  " AND kind='refresh'", (old_hash,))
            r = await cur.fetchone()
            if r is None or (r["revoked_at"] is None and r["expires_at"] <= now):
                return "unknown"
            await _revoke_family(c, r["family_id"], now)  # a replay, or a superseded (revoked) child: two holders
            return "unknown" if r["revoked_at"] is not None else "reused"

    async def revoke_token(self, token_hash: str, now: float) -> None:
        if not findable(token_hash):
            return
        async with self.db.tx() as c:
            cur = await c.execute("SELECT kind, family_id FROM oauth_tokens WHERE token_hash=%s FOR UPDATE",
                                  (token_hash,))
            r = await cur.fetchone()
            if r is None:
                return
            if r["kind"] == "refresh":
                await _revoke_family(c, r["family_id"], now)
            else:
                await c.execute("UPDATE oauth_tokens SET revoked_at=%s WHERE token_hash=%s AND revoked_at IS NULL",
                                (now, token_hash))

    async def revoke_family(self, family_id: str, now: float) -> int:
        if not findable(family_id):
            return 0
        async with self.db.tx() as c:
            return await _revoke_family(c, family_id, now)

    # -- grants ------------------------------------------------------------------------------------------
    async def save_grant(self, user_id: str, client_id: str, scope: str, now: float,
                         redirect_uri: str | None = None) -> None:
        require_text(user_id, client_id, scope, redirect_uri)
        async with self.db.tx() as c:
            await c.execute(
                "INSERT INTO oauth_grants(user_id, client_id, scope, granted_at) VALUES (%s,%s,%s,%s)"
                " ON CONFLICT(user_id, client_id) DO UPDATE SET scope=excluded.scope, granted_at=excluded.granted_at",
                (user_id, client_id, scope, now))
            if redirect_uri is not None:
                await c.execute(
                    "INSERT INTO oauth_grant_redirects(user_id, client_id, redirect_uri, approved_at)"
                    " VALUES (%s,%s,%s,%s) ON CONFLICT(user_id, client_id, redirect_uri) DO UPDATE SET"
                    " approved_at=excluded.approved_at", (user_id, client_id, redirect_uri, now))

    async def get_grant_scope(self, user_id: str, client_id: str, redirect_uri: str | None = None) -> str | None:
        if not findable(user_id, client_id, redirect_uri or ""):
            return None
        sql, params = "SELECT scope FROM oauth_grants g WHERE user_id=%s AND client_id=%s", [user_id, client_id]
        if redirect_uri is not None:
            sql += (" AND EXISTS (SELECT 1 FROM oauth_grant_redirects r WHERE r.user_id=g.user_id AND"
                    " r.client_id=g.client_id AND r.redirect_uri=%s)")
            params.append(redirect_uri)
        r = await self.db.fetchone(sql, params)
        return str(r["scope"]) if r else None

    async def touch_grant(self, user_id: str, client_id: str, now: float) -> None:
        if not findable(user_id, client_id):
            return
        await self.db.execute(
            "UPDATE oauth_grants SET last_used_at=%s WHERE user_id=%s AND client_id=%s"
            " AND (last_used_at IS NULL OR last_used_at<%s)", (now, user_id, client_id, now - _TOUCH_EVERY))

    async def list_connected_apps(self, user_id: str, now: float | None = None) -> list[ConnectedApp]:
        if not findable(user_id):
            return []
        rows = await self.db.fetchall(
            "SELECT g.client_id, c.client_name, g.scope, g.granted_at, g.last_used_at, c.redirect_uris, EXISTS"
            " (SELECT 1 FROM oauth_tokens t WHERE t.user_id=g.user_id AND t.client_id=g.client_id"
            " AND t.revoked_at IS NULL AND t.expires_at>%s) AS active"
            " FROM oauth_grants g JOIN oauth_clients c ON c.client_id=g.client_id WHERE g.user_id=%s"
            " ORDER BY coalesce(g.last_used_at, g.granted_at) DESC", (time.time() if now is None else now, user_id))
        return [ConnectedApp(r["client_id"], r["client_name"], r["scope"], r["granted_at"], r["last_used_at"],
                             tuple(json.loads(r["redirect_uris"])), bool(r["active"])) for r in rows]

    async def revoke_client_for_user(self, user_id: str, client_id: str, now: float) -> int:
        if not findable(user_id, client_id):
            return 0
        async with self.db.tx() as c:
            await c.execute("DELETE FROM oauth_grants WHERE user_id=%s AND client_id=%s", (user_id, client_id))
            await c.execute("DELETE FROM oauth_codes WHERE user_id=%s AND client_id=%s", (user_id, client_id))
            cur = await c.execute("UPDATE oauth_tokens SET revoked_at=%s WHERE user_id=%s AND client_id=%s"
                                  " AND revoked_at IS NULL", (now, user_id, client_id))
            return cur.rowcount

    # -- housekeeping ------------------------------------------------------------------------------------
    async def sweep(self, now: float, unused_before: float) -> int:
        async with self.db.tx() as c:
            n = 0
            for sql, params in (
                ("DELETE FROM oauth_pending WHERE expires_at<=%s", (now,)),
                ("DELETE FROM oauth_codes WHERE expires_at<=%s", (now,)),
                ("DELETE FROM oauth_tokens WHERE expires_at<=%s", (now,)),
                ("DELETE FROM oauth_clients WHERE last_used_at IS NULL AND created_at<%s AND NOT EXISTS"
                 " (SELECT 1 FROM oauth_grants g WHERE g.client_id=oauth_clients.client_id)", (unused_before,)),
            ):
                n += (await c.execute(sql, params)).rowcount
            return n
