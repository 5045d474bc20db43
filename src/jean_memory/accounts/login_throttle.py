"""Per-account sign-in backoff (OWASP Authentication Cheat Sheet, "Account lockout"), beside the per-source
rate limit (``throttle``): guessing one account's password from many addresses gets slow, fast.

Each attempt is counted as a failure before its password is checked (``reserve``), atomically, so many attempts
at once cannot all be checked on one reading of the count; a success forgets the failures.

After ``FREE_FAILURES`` consecutive failures for an email (known or not: the answer does not reveal which), the
next attempt must wait ``BASE_WAIT`` seconds, doubling with each further failure up to ``MAX_WAIT``. Attempts
refused during a wait are not checked and not counted, so they cannot extend it. Lockout of the real person is
bounded two ways: the wait never exceeds ``MAX_WAIT``, and it does not apply at all from a source (address, IPv6
/64) the account signed in from within ``KNOWN_FOR`` (an attacker elsewhere cannot lock them out at home; that
source is still held to the per-source limit). Failures are forgotten after ``FORGET_AFTER`` without one, and on
a successful sign-in.
"""

from __future__ import annotations

import math
import time

from starlette.requests import HTTPConnection

from ..runtime import Runtime
from ..security import hash_token
from ..store.logins import LoginThrottleStore
from ..throttle import source_key

FREE_FAILURES = 5
BASE_WAIT = 30.0
MAX_WAIT = 900.0
FORGET_AFTER = 24 * 3600.0
KNOWN_FOR = 90 * 24 * 3600.0
RESERVE_TRIES = 50


def backoff(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: none at first, then doubling, capped."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_WAIT, BASE_WAIT * 2.0 ** min(failures - FREE_FAILURES, 32))


def _store(runtime: Runtime) -> LoginThrottleStore:
    store: LoginThrottleStore = runtime.stores.logins
    return store


def account_key(email: str) -> str:
    return hash_token(email.strip().lower())


async def reserve(request: HTTPConnection, runtime: Runtime, email: str) -> int | None:
    """Count this sign-in to ``email`` as a failure before its password is checked (a success clears it); the
    seconds it must wait instead (nothing counted), or None when it may be checked now.

    The count is a compare-and-set on what was read, so concurrent attempts cannot all pass on one reading: of
    those that saw the same count, one is counted and the others read again (and, past the free failures, wait).
    """
    store, account = _store(runtime), account_key(email)
    for _ in range(RESERVE_TRIES):
        now = time.time()
        seen = await store.failures(account, now - FORGET_AFTER)
        if seen is not None and (remaining := seen[1] + backoff(seen[0]) - now) > 0:
            if not await store.is_known(account, source_key(request), now - KNOWN_FOR):
                return max(1, math.ceil(remaining))
            await store.record_failure(account, now, now - FORGET_AFTER)  # a known source skips the wait only
            return None
        if await store.reserve(account, seen, now, now - FORGET_AFTER):
            return None
    return 1  # lost every race: that many attempts at once are an attack, not a person


async def succeeded(request: HTTPConnection, runtime: Runtime, email: str) -> None:
    await _store(runtime).record_success(account_key(email), source_key(request), time.time())


async def sweep(runtime: Runtime, now: float) -> int:
    return await _store(runtime).sweep(now - FORGET_AFTER, now - KNOWN_FOR)
