"""Failed sign-ins per account and the places (sources) each account signed in from, for the login backoff.

``account`` is the SHA-256 of the normalised email (``security.hash_token``), whether or not such a user exists,
so the table never holds an email in clear and answers alike for unknown ones. ``source`` is the address a
request came from, IPv6 grouped by /64 (``throttle.source_key``). The policy lives in ``accounts.login_throttle``.
"""

from __future__ import annotations

from typing import Protocol


class LoginThrottleStore(Protocol):
    async def failures(self, account: str, since: float) -> tuple[int, float] | None:
        """(consecutive failures, time of the last) when the last failure is at or after ``since``, else None."""
        ...

    async def record_failure(self, account: str, now: float, since: float) -> int:
        """Count one failure, starting again from one when the last was before ``since``; return the count."""
        ...

    async def reserve(self, account: str, seen: tuple[int, float] | None, now: float, since: float) -> bool:
        """Count one attempt (as a failure, at ``now``) only if the account's failures are still ``seen``, as
        ``failures(account, since)`` answered; True when counted. A compare-and-set: of callers that saw the same
        count, exactly one counts, and the others read again."""
        ...

    async def record_success(self, account: str, source: str, now: float) -> None:
        """Forget the failures and remember ``source`` as a place this account signs in from."""
        ...

    async def is_known(self, account: str, source: str, since: float) -> bool:
        """True when the account signed in from ``source`` at or after ``since``."""
        ...

    async def sweep(self, failures_before: float, sources_before: float) -> int:
        """Delete failure counts last bumped before ``failures_before`` and sources not seen since
        ``sources_before``; return rows deleted."""
        ...
