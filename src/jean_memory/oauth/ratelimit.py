"""Per-source rate limits for ``/register`` and ``/token`` (RFC 6585 §4: 429 with ``Retry-After``).

Counted in the database (``stores.rate_limits``) so every replica shares them. The source is
``proxy.client_address``, the same one the site's login limit uses: forwarded headers are resolved (and
stripped from untrusted peers) once, by ``proxy.ProxyHeaders``.
"""

from __future__ import annotations

from fastapi import Request

from ..proxy import client_address
from ..runtime import Runtime
from .errors import TooManyRequests


async def limit(request: Request, runtime: Runtime, bucket: str, per_window: int) -> None:
    """Raise ``TooManyRequests`` when this source went over ``per_window`` hits of ``bucket``."""
    wait = await runtime.stores.rate_limits.hit(f"{bucket}:{client_address(request)}", per_window,
                                                runtime.settings.rate_limit_window)
    if wait is not None:
        raise TooManyRequests(wait)
