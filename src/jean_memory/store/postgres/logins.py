"""Failed sign-ins and known sign-in sources on PostgreSQL (tables ``login_failures``, ``login_known_sources``).

Counting a failure, and reserving an attempt, is one atomic statement, so concurrent failures from any replica
are all counted. Keys holding NUL (which PostgreSQL text cannot store) are never asked about: the callers hash
emails and pass parsed addresses.
"""

from __future__ import annotations

from .db import PostgresDatabase


class PostgresLoginThrottleStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db

    async def failures(self, account: str, since: float) -> tuple[int, float] | None:
        r = await self.db.fetchone(
            "SELECT failures, last_failure_at FROM login_failures WHERE account=%s AND last_failure_at>=%s",
            (account, since))
        return (int(r["failures"]), float(r["last_failure_at"])) if r else None

    async def record_failure(self, account: str, now: float, since: float) -> int:
        r = await self.db.fetchone(
            "INSERT INTO login_failures AS f (account, failures, last_failure_at) VALUES (%s,1,%s)"
            " ON CONFLICT(account) DO UPDATE SET failures=CASE WHEN f.last_failure_at>=%s THEN f.failures+1 ELSE 1"
            " END, last_failure_at=excluded.last_failure_at RETURNING failures", (account, now, since))
        assert r is not None
        return int(r["failures"])

    async def reserve(self, account: str, seen: tuple[int, float] | None, now: float, since: float) -> bool:
        if seen is None:  # no failures, or only ones older than ``since``: start again from one
            return await self.db.fetchone(
                "INSERT INTO login_failures AS f (account, failures, last_failure_at) VALUES (%s,1,%s)"
                " ON CONFLICT(account) DO UPDATE SET failures=1, last_failure_at=excluded.last_failure_at"
                " WHERE f.last_failure_at<%s RETURNING failures", (account, now, since)) is not None
        counted = await self.db.fetchone(
            "UPDATE login_failures SET failures=failures+1, last_failure_at=%s"
            " WHERE account=%s AND failures=%s AND last_failure_at=%s RETURNING failures", (now, account, *seen))
        return counted is not None

    async def record_success(self, account: str, source: str, now: float) -> None:
        async with self.db.tx() as c:
            await c.execute("DELETE FROM login_failures WHERE account=%s", (account,))
            await c.execute("INSERT INTO login_known_sources(account, source, seen_at) VALUES (%s,%s,%s)"
                            " ON CONFLICT(account, source) DO UPDATE SET seen_at=excluded.seen_at",
                            (account, source, now))

    async def is_known(self, account: str, source: str, since: float) -> bool:
        r = await self.db.fetchone(
            "SELECT 1 AS one FROM login_known_sources WHERE account=%s AND source=%s AND seen_at>=%s",
            (account, source, since))
        return r is not None

    async def sweep(self, failures_before: float, sources_before: float) -> int:
        async with self.db.tx() as c:
            n = (await c.execute("DELETE FROM login_failures WHERE last_failure_at<%s", (failures_before,))).rowcount
            return n + (await c.execute("DELETE FROM login_known_sources WHERE seen_at<%s",
                                        (sources_before,))).rowcount
