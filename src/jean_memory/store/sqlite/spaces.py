"""Spaces on SQLite: the spaces themselves, members and invitations, activity, and each connection's reach."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Sequence

from ...errors import Conflict
from ..space_records import Activity, Invitation, Member, NewActivity, Reachable, Space, spaces_json, stored_spaces
from .db import SqliteDatabase
from .rows import bump, record

_SPACE = "SELECT s.*, u.email AS owner_email FROM spaces s JOIN users u ON u.id = s.owner_id"
_SHARED = "SELECT s.*, u.email AS owner_email, sm.role FROM spaces s JOIN users u ON u.id = s.owner_id"
_INVITATION = ("SELECT i.*, s.name AS space_name, coalesce(u.email, '') AS invited_by_email FROM space_invitations i"
               " JOIN spaces s ON s.id = i.space_id LEFT JOIN users u ON u.id = i.invited_by")


def _space(row: sqlite3.Row, role: str = "owner") -> Space:
    return Space(row["id"], row["owner_id"], row["name"], row["created_at"], row["owner_email"], role)


def _invitation(row: sqlite3.Row) -> Invitation:
    return Invitation(row["id"], row["space_id"], row["space_name"], row["email"], row["role"],
                      row["invited_by_email"], row["created_at"])


def forget_space(c: sqlite3.Connection, space_id: str) -> None:
    """Take a deleted space out of every API key's and grant's reach (its default write space: personal again)."""
    for table in ("api_keys", "oauth_grants"):
        c.execute(f"UPDATE {table} SET write_space=NULL WHERE write_space=?", (space_id,))
        for row in c.execute(f"SELECT rowid, spaces FROM {table} WHERE instr(spaces, ?) > 0",
                             (f'"{space_id}"',)).fetchall():
            kept = [s for s in stored_spaces(row["spaces"]) or () if s != space_id]
            c.execute(f"UPDATE {table} SET spaces=? WHERE rowid=?", (spaces_json(kept), row["rowid"]))


class SqliteSpaceStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def create_space(self, owner_id: str, name: str) -> Space:
        def run(c: sqlite3.Connection) -> Space:
            space_id = uuid.uuid4().hex
            try:
                c.execute("INSERT INTO spaces(id, owner_id, name, created_at) VALUES (?,?,?,?)",
                          (space_id, owner_id, name, time.time()))
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"you already have a space named '{name}'") from exc
            return _space(c.execute(f"{_SPACE} WHERE s.id=?", (space_id,)).fetchone())

        return await self.db.write(run)

    async def rename_space(self, owner_id: str, space_id: str, name: str) -> Space | None:
        def run(c: sqlite3.Connection) -> Space | None:
            try:
                cur = c.execute("UPDATE spaces SET name=? WHERE id=? AND owner_id=?", (name, space_id, owner_id))
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"you already have a space named '{name}'") from exc
            if cur.rowcount == 0:
                return None
            return _space(c.execute(f"{_SPACE} WHERE s.id=?", (space_id,)).fetchone())

        return await self.db.write(run)

    async def delete_space(self, owner_id: str, space_id: str, move_to: str | None) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            owned = {r[0] for r in c.execute("SELECT id FROM spaces WHERE owner_id=? AND id IN (?,?)",
                                             (owner_id, space_id, move_to or space_id))}
            if space_id == owner_id or space_id not in owned or (move_to is not None and move_to not in owned):
                return False
            now = time.time()
            if move_to is None or move_to == space_id:  # documents go with their chunks, memories soft
                c.execute("DELETE FROM memories WHERE document_id IN (SELECT id FROM documents WHERE user_id=?"
                          " AND space_id=?)", (owner_id, space_id))
                c.execute("DELETE FROM documents WHERE user_id=? AND space_id=?", (owner_id, space_id))
                c.execute("UPDATE memories SET deleted_at=? WHERE user_id=? AND space_id=? AND deleted_at IS NULL",
                          (now, owner_id, space_id))
            else:  # a current memory whose text the target holds already is deleted, every other one moves
                c.execute(
                    "UPDATE memories AS m SET deleted_at=? WHERE m.user_id=? AND m.space_id=? AND m.deleted_at IS NULL"
                    " AND m.document_id IS NULL AND m.superseded_by IS NULL AND EXISTS (SELECT 1 FROM memories t"
                    " WHERE t.user_id=m.user_id AND t.space_id=? AND t.key=m.key AND t.deleted_at IS NULL"
                    " AND t.document_id IS NULL AND t.superseded_by IS NULL)", (now, owner_id, space_id, move_to))
                c.execute("UPDATE memories SET space_id=? WHERE user_id=? AND space_id=? AND deleted_at IS NULL",
                          (move_to, owner_id, space_id))
                c.execute("UPDATE documents SET space_id=? WHERE user_id=? AND space_id=?",
                          (move_to, owner_id, space_id))
            forget_space(c, space_id)
            c.execute("DELETE FROM spaces WHERE id=?", (space_id,))  # members, invitations, activity cascade
            bump(c, owner_id)
            return True

        return await self.db.write(run)

    async def get_space(self, space_id: str) -> Space | None:
        row = await self.db.read(lambda c: c.execute(f"{_SPACE} WHERE s.id=?", (space_id,)).fetchone())
        return _space(row) if row else None

    async def spaces_of(self, user_id: str) -> list[Space]:
        def run(c: sqlite3.Connection) -> list[Space]:
            owned = c.execute(f"{_SPACE} WHERE s.owner_id=? ORDER BY s.id <> s.owner_id, s.name COLLATE NOCASE,"
                              " s.id", (user_id,)).fetchall()
            shared = c.execute(f"{_SHARED}"
                               " JOIN space_members sm ON sm.space_id = s.id AND sm.user_id=?"
                               " ORDER BY u.email, s.name COLLATE NOCASE, s.id", (user_id,)).fetchall()
            return [_space(r) for r in owned] + [_space(r, r["role"]) for r in shared]

        return await self.db.read(run)

    async def members(self, space_id: str) -> list[Member]:
        rows = await self.db.read(lambda c: c.execute(
            "SELECT m.*, u.email FROM space_members m JOIN users u ON u.id = m.user_id WHERE m.space_id=?"
            " ORDER BY u.email", (space_id,)).fetchall())
        return [Member(r["space_id"], r["user_id"], r["email"], r["role"], r["added_at"]) for r in rows]

    async def set_member(self, space_id: str, user_id: str, role: str) -> None:
        await self.db.write(lambda c: c.execute(
            "INSERT INTO space_members(space_id, user_id, role, added_at) VALUES (?,?,?,?)"
            " ON CONFLICT(space_id, user_id) DO UPDATE SET role=excluded.role", (space_id, user_id, role, time.time())))

    async def remove_member(self, space_id: str, user_id: str) -> bool:
        return bool(await self.db.write(lambda c: c.execute(
            "DELETE FROM space_members WHERE space_id=? AND user_id=?", (space_id, user_id)).rowcount))

    async def invite(self, space_id: str, email: str, role: str, invited_by: str) -> Invitation:
        def run(c: sqlite3.Connection) -> Invitation:
            c.execute("INSERT INTO space_invitations(id, space_id, email, role, invited_by, created_at)"
                      " VALUES (?,?,?,?,?,?) ON CONFLICT(space_id, email) DO UPDATE SET role=excluded.role,"
                      " invited_by=excluded.invited_by",
                      (uuid.uuid4().hex, space_id, email.strip().lower(), role, invited_by, time.time()))
            return _invitation(c.execute(f"{_INVITATION} WHERE i.space_id=? AND i.email=?",
                                         (space_id, email.strip().lower())).fetchone())

        return await self.db.write(run)

    async def invitations(self, space_id: str) -> list[Invitation]:
        rows = await self.db.read(lambda c: c.execute(
            f"{_INVITATION} WHERE i.space_id=? ORDER BY i.email", (space_id,)).fetchall())
        return [_invitation(r) for r in rows]

    async def invitations_for(self, email: str) -> list[Invitation]:
        rows = await self.db.read(lambda c: c.execute(
            f"{_INVITATION} WHERE i.email=? ORDER BY i.created_at DESC, i.id", (email.strip().lower(),)).fetchall())
        return [_invitation(r) for r in rows]

    async def accept_invitation(self, invitation_id: str, user_id: str, email: str) -> Space | None:
        def run(c: sqlite3.Connection) -> Space | None:
            found = c.execute("DELETE FROM space_invitations WHERE id=? AND email=? RETURNING space_id, role",
                              (invitation_id, email.strip().lower())).fetchone()
            if found is None:
                return None
            space = c.execute(f"{_SPACE} WHERE s.id=?", (found["space_id"],)).fetchone()
            if space["owner_id"] == user_id:  # one's own space: nothing to join
                return _space(space)
            c.execute("INSERT INTO space_members(space_id, user_id, role, added_at) VALUES (?,?,?,?)"
                      " ON CONFLICT(space_id, user_id) DO UPDATE SET role=excluded.role",
                      (found["space_id"], user_id, found["role"], time.time()))
            return _space(space, found["role"])

        return await self.db.write(run)

    async def decline_invitation(self, invitation_id: str, email: str) -> bool:
        return bool(await self.db.write(lambda c: c.execute(
            "DELETE FROM space_invitations WHERE id=? AND email=?", (invitation_id, email.strip().lower())).rowcount))

    async def cancel_invitation(self, space_id: str, email: str) -> bool:
        return bool(await self.db.write(lambda c: c.execute(
            "DELETE FROM space_invitations WHERE space_id=? AND email=?", (space_id, email.strip().lower())).rowcount))

    async def record(self, entries: Sequence[NewActivity]) -> None:
        if entries:
            await self.db.write(lambda c: record(c, entries))

    async def activity(self, space_id: str, limit: int) -> list[Activity]:
        rows = await self.db.read(lambda c: c.execute(
            "SELECT a.*, coalesce(u.email, '') AS actor_email FROM space_activity a LEFT JOIN users u"
            " ON u.id = a.actor_id WHERE a.space_id=? ORDER BY a.seq DESC LIMIT ?", (space_id, limit)).fetchall())
        return [Activity(r["seq"], r["space_id"], r["actor_id"], r["actor_email"], r["client_id"], r["action"],
                         r["memory_id"], r["text"], r["at"]) for r in rows]

    async def key_reach(self, key_id: str) -> Reachable | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT spaces, write_space FROM api_keys WHERE id=? AND revoked_at IS NULL", (key_id,)).fetchone())
        return Reachable(stored_spaces(row["spaces"]), row["write_space"]) if row else None

    async def set_key_reach(self, user_id: str, key_id: str, reach: Reachable) -> bool:
        return bool(await self.db.write(lambda c: c.execute(
            "UPDATE api_keys SET spaces=?, write_space=? WHERE id=? AND user_id=? AND revoked_at IS NULL",
            (spaces_json(reach.spaces), reach.write_space, key_id, user_id)).rowcount))

    async def grant_reach(self, user_id: str, client_id: str) -> Reachable | None:
        row = await self.db.read(lambda c: c.execute(
            "SELECT spaces, write_space FROM oauth_grants WHERE user_id=? AND client_id=?",
            (user_id, client_id)).fetchone())
        return Reachable(stored_spaces(row["spaces"]), row["write_space"]) if row else None

    async def set_grant_reach(self, user_id: str, client_id: str, reach: Reachable) -> bool:
        return bool(await self.db.write(lambda c: c.execute(
            "UPDATE oauth_grants SET spaces=?, write_space=? WHERE user_id=? AND client_id=?",
            (spaces_json(reach.spaces), reach.write_space, user_id, client_id)).rowcount))
