"""Rate limits, counted in the database (``stores.rate_limits``) so every replica shares them.

``throttle`` counts per source: ``proxy.client_address``, whose forwarded headers are resolved (and stripped from
untrusted peers) once, by ``proxy.ProxyHeaders``; an IPv6 address counts as its /64 (one subscriber, or one LAN,
usually holds a whole /64, so one attacker has billions of addresses inside it). ``throttle_key`` counts per any
other key, such as an MCP principal. Callers turn a wait into their own error (an OAuth 429, a site page, a
JSON-RPC 429).
"""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection

from .proxy import client_address
from .runtime import Runtime


def source_key(request: HTTPConnection) -> str:
    """The rate-limit source of this request: its IPv4 address, or the /64 network of its IPv6 address."""
    host = client_address(request)
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])  # a zone id (fe80::1%eth0) is not part of the address
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


async def throttle(request: HTTPConnection, runtime: Runtime, bucket: str, per_window: int) -> int | None:
    """Count this request against ``bucket`` for its source; seconds to wait when over ``per_window``, else None."""
    return await throttle_key(runtime, f"{bucket}:{source_key(request)}", per_window)


async def throttle_key(runtime: Runtime, key: str, per_window: int) -> int | None:
    """Count one hit against ``key``; seconds to wait when over ``per_window`` in the window, else None."""
    return await runtime.stores.rate_limits.hit(key, per_window, runtime.settings.rate_limit_window)
