"""Rate limits, counted in the database (``stores.rate_limits``) so every replica shares them.

``throttle`` counts per source: ``proxy.client_address``, whose forwarded headers are resolved (and stripped from
untrusted peers) once, by ``proxy.ProxyHeaders``. ``throttle_key`` counts per any other key, such as an MCP
principal. Callers turn a wait into their own error (an OAuth 429, a site page, a JSON-RPC 429).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from .proxy import client_address
from .runtime import Runtime


async def throttle(request: HTTPConnection, runtime: Runtime, bucket: str, per_window: int) -> int | None:
    """Count this request against ``bucket`` for its source; seconds to wait when over ``per_window``, else None."""
    return await throttle_key(runtime, f"{bucket}:{client_address(request)}", per_window)


async def throttle_key(runtime: Runtime, key: str, per_window: int) -> int | None:
    """Count one hit against ``key``; seconds to wait when over ``per_window`` in the window, else None."""
    return await runtime.stores.rate_limits.hit(key, per_window, runtime.settings.rate_limit_window)
