"""Per-source rate limits, counted in the database (``stores.rate_limits``) so every replica shares them.

The source is ``proxy.client_address``: forwarded headers are resolved (and stripped from untrusted peers) once,
by ``proxy.ProxyHeaders``; an IPv6 address counts as its /64 (one subscriber, or one LAN, usually holds a whole
/64, so one attacker has billions of addresses inside it). Callers turn a wait into their own error (an OAuth
429, or a site page).
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
    return await runtime.stores.rate_limits.hit(f"{bucket}:{source_key(request)}", per_window,
                                                runtime.settings.rate_limit_window)
