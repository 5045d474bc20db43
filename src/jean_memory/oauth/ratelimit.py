"""Per-source rate limits for ``/register`` and ``/token`` (RFC 6585 §4: 429 with ``Retry-After``).

Counted by ``throttle.throttle``, the same counter the site's login limit uses, in the database so every
replica shares them.
"""

from __future__ import annotations

from fastapi import Request

from ..runtime import Runtime
from ..throttle import throttle
from .errors import TooManyRequests


async def limit(request: Request, runtime: Runtime, bucket: str, per_window: int) -> None:
    """Raise ``TooManyRequests`` when this source went over ``per_window`` hits of ``bucket``."""
    wait = await throttle(request, runtime, bucket, per_window)
    if wait is not None:
        raise TooManyRequests(wait)
