"""Failed sign-ins and known sign-in sources on SQLite (tables ``login_failures``, ``login_known_sources``)."""

from __future__ import annotations

import sqlite3

from .db import SqliteDatabase


class SqliteLoginThrottleStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db

    async def failures(self, account: str, since: float) -> tuple[int, float] | None:
        r = await self.db.read(lambda c: c.execute(
            "SELECT failures, last_failure_at FROM login_failures WHERE account=? AND last_failure_at>=?",
            (account, since)).fetchone())
        return (int(r["failures"]), float(r["last_failure_at"])) if r else None

    async def record_failure(self, account: str, now: float, since: float) -> int:
        def run(c: sqlite3.Connection) -> int:
            r = c.execute(
                "INSERT INTO login_failures(account, failures, last_failure_at) VALUES (?,1,?) "
                "ON CONFLICT(account) DO UPDATE SET failures=CASE WHEN login_failures.last_failure_at>=? "
                "THEN login_failures.failures+1 ELSE 1 END, last_failure_at=excluded.last_failure_at "
                "RETURNING failures", (account, now, since)).fetchone()
            return int(r["failures"])

        return await self.db.write(run)

    async def reserve(self, account: str, seen: tuple[int, float] | None, now: float, since: float) -> bool:
        def run(c: sqlite3.Connection) -> bool:
            if seen is None:  # no failures, or only ones older than ``since``: start again from one
                started = c.execute(
                    "INSERT INTO login_failures(account, failures, last_failure_at) VALUES (?,1,?) "
                    "ON CONFLICT(account) DO UPDATE SET failures=1, last_failure_at=excluded.last_failure_at "
                    "WHERE login_failures.last_failure_at<? RETURNING failures", (account, now, since)).fetchone()
                return started is not None
            return c.execute(
                "UPDATE login_failures SET failures=failures+1, last_failure_at=? "
                "WHERE account=? AND failures=? AND last_failure_at=?", (now, account, *seen)).rowcount == 1

        return await self.db.write(run)

    async def record_success(self, account: str, source: str, now: float) -> None:
        def run(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM login_failures WHERE account=?", (account,))
            c.execute("INSERT INTO login_known_sources(account, source, seen_at) VALUES (?,?,?) "
                      "ON CONFLICT(account, source) DO UPDATE SET seen_at=excluded.seen_at", (account, source, now))

        await self.db.write(run)

    async def is_known(self, account: str, source: str, since: float) -> bool:
        r = await self.db.read(lambda c: c.execute(
            "SELECT 1 FROM login_known_sources WHERE account=? AND source=? AND seen_at>=?",
            (account, source, since)).fetchone())
        return r is not None

    async def sweep(self, failures_before: float, sources_before: float) -> int:
        def run(c: sqlite3.Connection) -> int:
            n = c.execute("DELETE FROM login_failures WHERE last_failure_at<?", (failures_before,)).rowcount
            return n + c.execute("DELETE FROM login_known_sources WHERE seen_at<?", (sources_before,)).rowcount

        return await self.db.write(run)
