"""Users, personal API keys and rate-limit counters on PostgreSQL."""

from __future__ import annotations

import time
import uuid

import psycopg
from psycopg.rows import DictRow

from ...errors import Conflict
from ..records import ApiKey, User
from ..space_records import spaces_json, stored_spaces
from .db import PostgresDatabase

# The database's clock, not the replica's: every replica counts in the same windows.
NOW = "extract(epoch FROM clock_timestamp())::double precision"


def _user(row: DictRow) -> User:
    return User(row["id"], row["email"], row["password_hash"], row["created_at"], row["display_name"])


def _key(row: DictRow) -> ApiKey:
    return ApiKey(
        row["id"], row["user_id"], row["name"], row["prefix"], row["created_at"], row["last_used_at"],
        row["revoked_at"], stored_spaces(row["spaces"]), row["write_space"],
    )


class PostgresUserStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def create_user(self, email: str, password_hash: str | None, display_name: str = "") -> User:
        user = User(uuid.uuid4().hex, email.strip().lower(), password_hash, time.time(), display_name)
        try:
            await self.db.execute(
                "INSERT INTO users(id, email, password_hash, display_name, created_at) VALUES (%s,%s,%s,%s,%s)",
                (user.id, user.email, user.password_hash, user.display_name, user.created_at),
            )
        except psycopg.errors.UniqueViolation as exc:
            raise Conflict(f"an account for {user.email} already exists") from exc
        return user

    async def user_for_identity(self, issuer: str, subject: str) -> User | None:
        row = await self.db.fetchone(
            "SELECT u.* FROM user_identities i JOIN users u ON u.id = i.user_id WHERE i.issuer=%s AND i.subject=%s",
            (issuer, subject))
        return _user(row) if row else None

    async def link_identity(self, user_id: str, issuer: str, subject: str) -> None:
        async with self.db.tx() as conn:
            await conn.execute("INSERT INTO user_identities(issuer, subject, user_id, created_at) VALUES (%s,%s,%s,%s)"
                               " ON CONFLICT DO NOTHING", (issuer, subject, user_id, time.time()))
            cur = await conn.execute("SELECT user_id FROM user_identities WHERE issuer=%s AND subject=%s",
                                     (issuer, subject))
            row = await cur.fetchone()
        if row is None or row["user_id"] != user_id:
            raise Conflict("this sign-in identity cannot be linked to this account")

    async def get_user(self, user_id: str) -> User | None:
        row = await self.db.fetchone("SELECT * FROM users WHERE id=%s", (user_id,))
        return _user(row) if row else None

    async def get_user_by_email(self, email: str) -> User | None:
        row = await self.db.fetchone("SELECT * FROM users WHERE lower(email)=%s", (email.strip().lower(),))
        return _user(row) if row else None

    async def set_password(self, user_id: str, password_hash: str) -> None:
        await self.db.execute("UPDATE users SET password_hash=%s WHERE id=%s", (password_hash, user_id))

    async def list_users(self, limit: int, offset: int) -> list[User]:
        rows = await self.db.fetchall(
            "SELECT * FROM users ORDER BY created_at, id LIMIT %s OFFSET %s", (limit, offset))
        return [_user(r) for r in rows]

    async def delete_user(self, user_id: str) -> None:
        await self.db.execute("DELETE FROM users WHERE id=%s", (user_id,))


class PostgresApiKeyStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def create_key(self, user_id: str, name: str, key_hash: str, prefix: str,
                         spaces: tuple[str, ...] | None = None, write_space: str | None = None) -> ApiKey:
        key = ApiKey(uuid.uuid4().hex, user_id, name, prefix, time.time(), None, None,
                     None if spaces is None else tuple(spaces), write_space)
        await self.db.execute(
            "INSERT INTO api_keys(id, user_id, name, key_hash, prefix, created_at, spaces, write_space)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
            (key.id, user_id, name, key_hash, prefix, key.created_at, spaces_json(spaces), write_space),
        )
        return key

    async def find_key(self, key_hash: str) -> ApiKey | None:
        row = await self.db.fetchone("SELECT * FROM api_keys WHERE key_hash=%s AND revoked_at IS NULL", (key_hash,))
        if row is None:
            return None
        now = time.time()
        if row["last_used_at"] is None or now - row["last_used_at"] > 60:
            # Written at most once a minute per key, so hot keys do not serialise requests on one row lock.
            await self.db.execute("UPDATE api_keys SET last_used_at=%s WHERE id=%s", (now, row["id"]))
        return _key(row)

    async def list_keys(self, user_id: str) -> list[ApiKey]:
        rows = await self.db.fetchall("SELECT * FROM api_keys WHERE user_id=%s ORDER BY created_at DESC", (user_id,))
        return [_key(r) for r in rows]

    async def revoke_key(self, user_id: str, key_id: str) -> bool:
        touched = await self.db.execute(
            "UPDATE api_keys SET revoked_at=%s WHERE id=%s AND user_id=%s AND revoked_at IS NULL",
            (time.time(), key_id, user_id),
        )
        return touched > 0


class PostgresRateLimitStore:
    """Fixed windows, counted by one atomic upsert: concurrent hits from any replica are all counted."""

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def hit(self, key: str, limit: int, window: int) -> int | None:
        row = await self.db.fetchone(
            f"INSERT INTO rate_limits AS r (key, window_start, count) VALUES (%(key)s, {NOW}, 1)"
            " ON CONFLICT (key) DO UPDATE SET"
            " window_start = CASE WHEN excluded.window_start - r.window_start >= %(window)s"
            "   THEN excluded.window_start ELSE r.window_start END,"
            " count = CASE WHEN excluded.window_start - r.window_start >= %(window)s"
            "   THEN 1 ELSE r.count + 1 END"
            f" RETURNING count, window_start + %(window)s - {NOW} AS remaining",
            {"key": key, "window": window},
        )
        assert row is not None
        if int(row["count"]) <= limit:
            return None
        return max(1, int(float(row["remaining"]) + 0.999))

    async def sweep(self, before: float) -> int:
        return await self.db.execute("DELETE FROM rate_limits WHERE window_start < %s", (before,))
