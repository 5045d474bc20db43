"""Per-source rate limits for ``/register`` and ``/token`` (RFC 6585 §4: 429 with ``Retry-After``).

Counted in the database (``stores.rate_limits``) so every replica shares them.
"""

from __future__ import annotations

from fastapi import Request

from ..runtime import Runtime
from .errors import TooManyRequests


def source(request: Request, runtime: Runtime) -> str:
    """The caller's address; behind a trusted proxy, the last untrusted ``X-Forwarded-For`` hop."""
    host = request.client.host if request.client else "unknown"
    trusted = set(runtime.settings.trusted_proxies)
    if host in trusted:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in trusted:
                return hop[:64]
    return host


async def limit(request: Request, runtime: Runtime, bucket: str, per_window: int) -> None:
    """Raise ``TooManyRequests`` when this source went over ``per_window`` hits of ``bucket``."""
    wait = await runtime.stores.rate_limits.hit(f"{bucket}:{source(request, runtime)}", per_window,
                                                runtime.settings.rate_limit_window)
    if wait is not None:
        raise TooManyRequests(wait)
