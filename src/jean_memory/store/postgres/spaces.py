"""Spaces on PostgreSQL: the spaces themselves, members and invitations, activity, and each connection's reach."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

from psycopg.errors import UniqueViolation
from psycopg.rows import DictRow

from ...errors import Conflict
from ..space_records import Activity, Invitation, Member, NewActivity, Reachable, Space, spaces_json, stored_spaces
from .db import Conn, PostgresDatabase
from .memories import record

_SPACE = "SELECT s.*, u.email AS owner_email FROM spaces s JOIN users u ON u.id = s.owner_id"
_SHARED = "SELECT s.*, u.email AS owner_email, sm.role FROM spaces s JOIN users u ON u.id = s.owner_id"
_INVITATION = ("SELECT i.*, s.name AS space_name, coalesce(u.email, '') AS invited_by_email FROM space_invitations i"
               " JOIN spaces s ON s.id = i.space_id LEFT JOIN users u ON u.id = i.invited_by")
_JOIN = ("INSERT INTO space_members(space_id, user_id, role, added_at) VALUES (%s,%s,%s,%s)"
         " ON CONFLICT (space_id, user_id) DO UPDATE SET role=excluded.role")


def _space(row: DictRow, role: str = "owner") -> Space:
    return Space(row["id"], row["owner_id"], row["name"], row["created_at"], row["owner_email"], role)


def _invitation(row: DictRow) -> Invitation:
    return Invitation(row["id"], row["space_id"], row["space_name"], row["email"], row["role"],
                      row["invited_by_email"], row["created_at"])


async def _one(conn: Conn, sql: str, params: Sequence[object]) -> DictRow | None:
    cur = await conn.execute(sql, params)
    return await cur.fetchone()


async def forget_space(conn: Conn, space_id: str) -> None:
    """Take a deleted space out of every API key's and grant's reach (its default write space: personal again)."""
    for table in ("api_keys", "oauth_grants"):
        await conn.execute(f"UPDATE {table} SET write_space=NULL WHERE write_space=%s", (space_id,))
        cur = await conn.execute(f"SELECT ctid::text AS at, spaces FROM {table} WHERE strpos(spaces, %s) > 0"
                                 " FOR UPDATE", (f'"{space_id}"',))
        for row in await cur.fetchall():
            kept = [s for s in stored_spaces(row["spaces"]) or () if s != space_id]
            await conn.execute(f"UPDATE {table} SET spaces=%s WHERE ctid=%s::tid", (spaces_json(kept), row["at"]))


class PostgresSpaceStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def create_space(self, owner_id: str, name: str) -> Space:
        space_id = uuid.uuid4().hex
        try:
            async with self.db.tx() as conn:
                await conn.execute("INSERT INTO spaces(id, owner_id, name, created_at) VALUES (%s,%s,%s,%s)",
                                   (space_id, owner_id, name, time.time()))
                row = await _one(conn, f"{_SPACE} WHERE s.id=%s", (space_id,))
        except UniqueViolation as exc:
            raise Conflict(f"you already have a space named '{name}'") from exc
        assert row is not None
        return _space(row)

    async def rename_space(self, owner_id: str, space_id: str, name: str) -> Space | None:
        try:
            async with self.db.tx() as conn:
                cur = await conn.execute("UPDATE spaces SET name=%s WHERE id=%s AND owner_id=%s",
                                         (name, space_id, owner_id))
                row = await _one(conn, f"{_SPACE} WHERE s.id=%s", (space_id,)) if cur.rowcount else None
        except UniqueViolation as exc:
            raise Conflict(f"you already have a space named '{name}'") from exc
        return _space(row) if row else None

    async def delete_space(self, owner_id: str, space_id: str, move_to: str | None) -> bool:
        async with self.db.tx() as conn:
            cur = await conn.execute("SELECT id FROM spaces WHERE owner_id=%s AND id = ANY(%s) FOR UPDATE",
                                     (owner_id, [space_id, move_to or space_id]))
            owned = {r["id"] for r in await cur.fetchall()}
            if space_id == owner_id or space_id not in owned or (move_to is not None and move_to not in owned):
                return False
            now = time.time()
            if move_to is None or move_to == space_id:  # documents go with their chunks, memories soft
                await conn.execute("DELETE FROM documents WHERE user_id=%s AND space_id=%s", (owner_id, space_id))
                await conn.execute("UPDATE memories SET deleted_at=%s WHERE user_id=%s AND space_id=%s"
                                   " AND deleted_at IS NULL", (now, owner_id, space_id))
            else:  # a current memory whose text the target holds already is deleted, every other one moves
                await conn.execute(
                    "UPDATE memories AS m SET deleted_at=%s WHERE m.user_id=%s AND m.space_id=%s"
                    " AND m.deleted_at IS NULL AND m.document_id IS NULL AND m.superseded_by IS NULL AND EXISTS"
                    " (SELECT 1 FROM memories t WHERE t.user_id=m.user_id AND t.space_id=%s AND t.key=m.key"
                    " AND t.deleted_at IS NULL AND t.document_id IS NULL AND t.superseded_by IS NULL)",
                    (now, owner_id, space_id, move_to))
                await conn.execute("UPDATE memories SET space_id=%s WHERE user_id=%s AND space_id=%s"
                                   " AND deleted_at IS NULL", (move_to, owner_id, space_id))
                await conn.execute("UPDATE documents SET space_id=%s WHERE user_id=%s AND space_id=%s",
                                   (move_to, owner_id, space_id))
            await forget_space(conn, space_id)
            await conn.execute("DELETE FROM spaces WHERE id=%s", (space_id,))  # members, invitations, activity
            return True

    async def get_space(self, space_id: str) -> Space | None:
        row = await self.db.fetchone(f"{_SPACE} WHERE s.id=%s", (space_id,))
        return _space(row) if row else None

    async def spaces_of(self, user_id: str) -> list[Space]:
        async with self.db.tx() as conn:
            cur = await conn.execute(f"{_SPACE} WHERE s.owner_id=%s ORDER BY s.id <> s.owner_id, lower(s.name),"
                                     " s.id", (user_id,))
            owned = await cur.fetchall()
            cur = await conn.execute(f"{_SHARED}"
                                     " JOIN space_members sm ON sm.space_id = s.id AND sm.user_id=%s"
                                     " ORDER BY u.email, lower(s.name), s.id", (user_id,))
            shared = await cur.fetchall()
        return [_space(r) for r in owned] + [_space(r, r["role"]) for r in shared]

    async def members(self, space_id: str) -> list[Member]:
        rows = await self.db.fetchall(
            "SELECT m.*, u.email FROM space_members m JOIN users u ON u.id = m.user_id WHERE m.space_id=%s"
            " ORDER BY u.email", (space_id,))
        return [Member(r["space_id"], r["user_id"], r["email"], r["role"], r["added_at"]) for r in rows]

    async def set_member(self, space_id: str, user_id: str, role: str) -> None:
        await self.db.execute(_JOIN, (space_id, user_id, role, time.time()))

    async def remove_member(self, space_id: str, user_id: str) -> bool:
        return await self.db.execute("DELETE FROM space_members WHERE space_id=%s AND user_id=%s",
                                     (space_id, user_id)) > 0

    async def invite(self, space_id: str, email: str, role: str, invited_by: str) -> Invitation:
        email = email.strip().lower()
        async with self.db.tx() as conn:
            await conn.execute(
                "INSERT INTO space_invitations(id, space_id, email, role, invited_by, created_at)"
                " VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (space_id, email) DO UPDATE SET role=excluded.role,"
                " invited_by=excluded.invited_by", (uuid.uuid4().hex, space_id, email, role, invited_by, time.time()))
            row = await _one(conn, f"{_INVITATION} WHERE i.space_id=%s AND i.email=%s", (space_id, email))
        assert row is not None
        return _invitation(row)

    async def invitations(self, space_id: str) -> list[Invitation]:
        rows = await self.db.fetchall(f"{_INVITATION} WHERE i.space_id=%s ORDER BY i.email", (space_id,))
        return [_invitation(r) for r in rows]

    async def invitations_for(self, email: str) -> list[Invitation]:
        rows = await self.db.fetchall(f"{_INVITATION} WHERE i.email=%s ORDER BY i.created_at DESC, i.id",
                                      (email.strip().lower(),))
        return [_invitation(r) for r in rows]

    async def accept_invitation(self, invitation_id: str, user_id: str, email: str) -> Space | None:
        async with self.db.tx() as conn:
            found = await _one(conn, "DELETE FROM space_invitations WHERE id=%s AND email=%s RETURNING space_id, role",
                               (invitation_id, email.strip().lower()))
            if found is None:
                return None
            space = await _one(conn, f"{_SPACE} WHERE s.id=%s", (found["space_id"],))
            assert space is not None
            if space["owner_id"] == user_id:  # one's own space: nothing to join
                return _space(space)
            await conn.execute(_JOIN, (found["space_id"], user_id, found["role"], time.time()))
            return _space(space, found["role"])

    async def decline_invitation(self, invitation_id: str, email: str) -> bool:
        return await self.db.execute("DELETE FROM space_invitations WHERE id=%s AND email=%s",
                                     (invitation_id, email.strip().lower())) > 0

    async def cancel_invitation(self, space_id: str, email: str) -> bool:
        return await self.db.execute("DELETE FROM space_invitations WHERE space_id=%s AND email=%s",
                                     (space_id, email.strip().lower())) > 0

    async def record(self, entries: Sequence[NewActivity]) -> None:
        if entries:
            async with self.db.tx() as conn:
                await record(conn, entries)

    async def activity(self, space_id: str, limit: int) -> list[Activity]:
        rows = await self.db.fetchall(
            "SELECT a.*, coalesce(u.email, '') AS actor_email FROM space_activity a LEFT JOIN users u"
            " ON u.id = a.actor_id WHERE a.space_id=%s ORDER BY a.seq DESC LIMIT %s", (space_id, limit))
        return [Activity(int(r["seq"]), r["space_id"], r["actor_id"], r["actor_email"], r["client_id"], r["action"],
                         r["memory_id"], r["text"], r["at"]) for r in rows]

    async def key_reach(self, key_id: str) -> Reachable | None:
        row = await self.db.fetchone(
            "SELECT spaces, write_space FROM api_keys WHERE id=%s AND revoked_at IS NULL", (key_id,))
        return Reachable(stored_spaces(row["spaces"]), row["write_space"]) if row else None

    async def set_key_reach(self, user_id: str, key_id: str, reach: Reachable) -> bool:
        return await self.db.execute(
            "UPDATE api_keys SET spaces=%s, write_space=%s WHERE id=%s AND user_id=%s AND revoked_at IS NULL",
            (spaces_json(reach.spaces), reach.write_space, key_id, user_id)) > 0

    async def grant_reach(self, user_id: str, client_id: str) -> Reachable | None:
        row = await self.db.fetchone("SELECT spaces, write_space FROM oauth_grants WHERE user_id=%s AND client_id=%s",
                                     (user_id, client_id))
        return Reachable(stored_spaces(row["spaces"]), row["write_space"]) if row else None

    async def set_grant_reach(self, user_id: str, client_id: str, reach: Reachable) -> bool:
        return await self.db.execute(
            "UPDATE oauth_grants SET spaces=%s, write_space=%s WHERE user_id=%s AND client_id=%s",
            (spaces_json(reach.spaces), reach.write_space, user_id, client_id)) > 0
