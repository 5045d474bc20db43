"""Per-source rate limits, counted in the database (``stores.rate_limits``) so every replica shares them.

The source is ``proxy.client_address``: forwarded headers are resolved (and stripped from untrusted peers) once,
by ``proxy.ProxyHeaders``. Callers turn a wait into their own error (an OAuth 429, or a site page).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from .proxy import client_address
from .runtime import Runtime


async def throttle(request: HTTPConnection, runtime: Runtime, bucket: str, per_window: int) -> int | None:
    """Count this request against ``bucket`` for its source; seconds to wait when over ``per_window``, else None."""
    return await runtime.stores.rate_limits.hit(f"{bucket}:{client_address(request)}", per_window,
                                                runtime.settings.rate_limit_window)
