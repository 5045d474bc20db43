"""Users and personal API keys on SQLite."""

from __future__ import annotations

import sqlite3
import time
import uuid

from ...errors import Conflict
from ..records import ApiKey, User
from ..space_records import spaces_json, stored_spaces
from .db import SqliteDatabase


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["email"], row["password_hash"], row["created_at"], row["display_name"])


def _key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(
        row["id"], row["user_id"], row["name"], row["prefix"], row["created_at"], row["last_used_at"],
        row["revoked_at"], stored_spaces(row["spaces"]), row["write_space"],
    )



class SqliteUserStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def create_user(self, email: str, password_hash: str | None, display_name: str = "") -> User:
        user = User(uuid.uuid4().hex, email.strip().lower(), password_hash, time.time(), display_name)

        def run(c: sqlite3.Connection) -> User:
            try:
                c.execute(
                    "INSERT INTO users(id, email, password_hash, display_name, created_at) VALUES (?,?,?,?,?)",
                    (user.id, user.email, user.password_hash, user.display_name, user.created_at),
                )
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"an account for {user.email} already exists") from exc
            return user

        return await self.db.write(run)

    async def user_for_identity(self, issuer: str, subject: str) -> User | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT u.* FROM user_identities i JOIN users u ON u.id = i.user_id WHERE i.issuer=? AND i.subject=?",
            (issuer, subject)).fetchone())
        return _user(row) if row else None

    async def link_identity(self, user_id: str, issuer: str, subject: str) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.execute("INSERT OR IGNORE INTO user_identities(issuer, subject, user_id, created_at) VALUES (?,?,?,?)",
                      (issuer, subject, user_id, time.time()))
            row = c.execute("SELECT user_id FROM user_identities WHERE issuer=? AND subject=?",
                            (issuer, subject)).fetchone()
            if row is None or row[0] != user_id:
                raise Conflict("this sign-in identity cannot be linked to this account")

        await self.db.write(run)

    async def get_user(self, user_id: str) -> User | None:
        row = await self.db.read(lambda c: c.execute("SELECT * FROM users WHERE id=?", (user_id,)).fetchone())
        return _user(row) if row else None

    async def get_user_by_email(self, email: str) -> User | None:
        email = email.strip().lower()
        row = await self.db.read(lambda c: c.execute("SELECT * FROM users WHERE email=?", (email,)).fetchone())
        return _user(row) if row else None

    async def set_password(self, user_id: str, password_hash: str) -> None:
        await self.db.write(
            lambda c: c.execute("UPDATE users SET password_hash=? WHERE id=?", (password_hash, user_id))
        )

    async def list_users(self, limit: int, offset: int) -> list[User]:
        rows = await self.db.read(lambda c: c.execute(
            "SELECT * FROM users ORDER BY created_at, id LIMIT ? OFFSET ?", (limit, offset)).fetchall())
        return [_user(r) for r in rows]

    async def delete_user(self, user_id: str) -> None:
        await self.db.write(lambda c: c.execute("DELETE FROM users WHERE id=?", (user_id,)))


class SqliteApiKeyStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def create_key(self, user_id: str, name: str, key_hash: str, prefix: str,
                         spaces: tuple[str, ...] | None = None, write_space: str | None = None) -> ApiKey:
        key = ApiKey(uuid.uuid4().hex, user_id, name, prefix, time.time(), None, None,
                     None if spaces is None else tuple(spaces), write_space)
        await self.db.write(
            lambda c: c.execute(
                "INSERT INTO api_keys(id, user_id, name, key_hash, prefix, created_at, spaces, write_space)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (key.id, user_id, name, key_hash, prefix, key.created_at, spaces_json(spaces), write_space),
            )
        )
        return key

    async def find_key(self, key_hash: str) -> ApiKey | None:
        row = await self.db.read(
            lambda c: c.execute(
                "SELECT * FROM api_keys WHERE key_hash=? AND revoked_at IS NULL", (key_hash,)
            ).fetchone()
        )
        if row is None:
            return None
        now = time.time()
        if row["last_used_at"] is None or now - row["last_used_at"] > 60:
            await self.db.write(lambda c: c.execute("UPDATE api_keys SET last_used_at=? WHERE id=?", (now, row["id"])))
        return _key(row)

    async def list_keys(self, user_id: str) -> list[ApiKey]:
        rows = await self.db.read(
            lambda c: c.execute(
                "SELECT * FROM api_keys WHERE user_id=? ORDER BY created_at DESC", (user_id,)
            ).fetchall()
        )
        return [_key(r) for r in rows]

    async def revoke_key(self, user_id: str, key_id: str) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE api_keys SET revoked_at=? WHERE id=? AND user_id=? AND revoked_at IS NULL",
                (time.time(), key_id, user_id),
            )
            return cur.rowcount > 0

        return await self.db.write(run)


class SqliteRateLimitStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def hit(self, key: str, limit: int, window: int) -> int | None:
        def run(c: sqlite3.Connection) -> int | None:
            now = time.time()
            row = c.execute("SELECT window_start, count FROM rate_limits WHERE key=?", (key,)).fetchone()
            if row is None or now - row["window_start"] >= window:
                c.execute(
                    "INSERT INTO rate_limits(key, window_start, count) VALUES (?,?,1) "
                    "ON CONFLICT(key) DO UPDATE SET window_start=excluded.window_start, count=1",
                    (key, now),
                )
                return None
            if row["count"] >= limit:
                return max(1, int(row["window_start"] + window - now + 0.999))
            c.execute("UPDATE rate_limits SET count=count+1 WHERE key=?", (key,))
            return None

        return await self.db.write(run)

    async def sweep(self, before: float) -> int:
        def run(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM rate_limits WHERE window_start < ?", (before,)).rowcount

        return await self.db.write(run)
