"""Site login sessions on SQLite (table ``site_sessions``, migration 0003)."""

from __future__ import annotations

import sqlite3
import time

from ..sessions import SiteSession
from .db import SqliteDatabase


def _session(row: sqlite3.Row) -> SiteSession:
    return SiteSession(row["id_hash"], row["user_id"], row["created_at"], row["expires_at"])


class SqliteSiteSessionStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def create_session(self, id_hash: str, user_id: str, expires_at: float) -> SiteSession:
        session = SiteSession(id_hash, user_id, time.time(), expires_at)
        await self.db.write(lambda c: c.execute(
            "INSERT INTO site_sessions(id_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)",
            (session.id_hash, session.user_id, session.created_at, session.expires_at)))
        return session

    async def get_session(self, id_hash: str, now: float) -> SiteSession | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT * FROM site_sessions WHERE id_hash=? AND expires_at>?", (id_hash, now)).fetchone())
        return _session(row) if row else None

    async def delete_session(self, id_hash: str) -> None:
        await self.db.write(lambda c: c.execute("DELETE FROM site_sessions WHERE id_hash=?", (id_hash,)))

    async def delete_user_sessions(self, user_id: str) -> int:
        def run(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM site_sessions WHERE user_id=?", (user_id,)).rowcount

        return await self.db.write(run)

    async def sweep_expired(self, now: float) -> int:
        def run(c: sqlite3.Connection) -> int:
            n = c.execute("DELETE FROM site_sessions WHERE expires_at<=?", (now,)).rowcount
            return n + c.execute("DELETE FROM oidc_login_states WHERE expires_at<=?", (now,)).rowcount

        return await self.db.write(run)

    async def put_login_state(self, key: str, value: str, expires_at: float) -> None:
        await self.db.write(lambda c: c.execute(
            "INSERT INTO oidc_login_states(key, value, expires_at) VALUES (?,?,?) ON CONFLICT(key) DO UPDATE SET "
            "value=excluded.value, expires_at=excluded.expires_at", (key, value, expires_at)))

    async def get_login_state(self, key: str, now: float) -> str | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT value FROM oidc_login_states WHERE key=? AND expires_at>?", (key, now)).fetchone())
        return str(row["value"]) if row else None

    async def delete_login_state(self, key: str) -> None:
        await self.db.write(lambda c: c.execute("DELETE FROM oidc_login_states WHERE key=?", (key,)))
