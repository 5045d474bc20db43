"""Site login sessions on PostgreSQL (table ``site_sessions``, migration 0003)."""

from __future__ import annotations

import time

from psycopg.rows import DictRow

from ..sessions import SiteSession
from .db import PostgresDatabase


def _session(row: DictRow) -> SiteSession:
    return SiteSession(row["id_hash"], row["user_id"], row["created_at"], row["expires_at"])


class PostgresSiteSessionStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def create_session(self, id_hash: str, user_id: str, expires_at: float) -> SiteSession:
        session = SiteSession(id_hash, user_id, time.time(), expires_at)
        await self.db.execute(
            "INSERT INTO site_sessions(id_hash, user_id, created_at, expires_at) VALUES (%s,%s,%s,%s)",
            (session.id_hash, session.user_id, session.created_at, session.expires_at))
        return session

    async def get_session(self, id_hash: str, now: float) -> SiteSession | None:
        row = await self.db.fetchone(
            "SELECT * FROM site_sessions WHERE id_hash=%s AND expires_at>%s", (id_hash, now))
        return _session(row) if row else None

    async def delete_session(self, id_hash: str) -> None:
        await self.db.execute("DELETE FROM site_sessions WHERE id_hash=%s", (id_hash,))

    async def delete_user_sessions(self, user_id: str) -> int:
        return await self.db.execute("DELETE FROM site_sessions WHERE user_id=%s", (user_id,))

    async def sweep_expired(self, now: float) -> int:
        async with self.db.tx() as c:
            n = (await c.execute("DELETE FROM site_sessions WHERE expires_at<=%s", (now,))).rowcount
            return n + (await c.execute("DELETE FROM oidc_login_states WHERE expires_at<=%s", (now,))).rowcount

    async def put_login_state(self, key: str, value: str, expires_at: float) -> None:
        await self.db.execute(
            "INSERT INTO oidc_login_states(key, value, expires_at) VALUES (%s,%s,%s) ON CONFLICT(key) DO UPDATE SET"
            " value=excluded.value, expires_at=excluded.expires_at", (key, value, expires_at))

    async def get_login_state(self, key: str, now: float) -> str | None:
        row = await self.db.fetchone("SELECT value FROM oidc_login_states WHERE key=%s AND expires_at>%s", (key, now))
        return str(row["value"]) if row else None

    async def delete_login_state(self, key: str) -> None:
        await self.db.execute("DELETE FROM oidc_login_states WHERE key=%s", (key,))
