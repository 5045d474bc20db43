"""Serving behind a TLS reverse proxy: forwarded headers from trusted proxies only, HSTS and Secure cookies.

- ``X-Forwarded-For`` / ``X-Forwarded-Proto`` (and ``X-Request-ID``) are honoured only when the TCP peer is in
  ``JEAN_MEMORY_TRUSTED_PROXIES`` (addresses or CIDR networks). From anyone else they are *removed* before the
  app sees the request, so no code further in can be fooled by them.
- ``X-Forwarded-Host`` is never used, and ``Host`` is never used to build URLs: every absolute URL the server
  emits (OAuth metadata, ``WWW-Authenticate``, ``registration_client_uri``, redirects, page links) comes from
  ``JEAN_MEMORY_PUBLIC_URL``.
- When ``PUBLIC_URL`` is ``https``: every response carries ``Strict-Transport-Security`` and every
  ``Set-Cookie`` gets ``Secure``. A request that reached us over plain http from a peer that is neither a trusted
  proxy (saying ``X-Forwarded-Proto: https``) nor loopback is refused with ``421 https_required`` and one error
  log line that says how to fix the deployment: credentials must never travel over plain http, and a
  misconfigured proxy shows up on the first request instead of as a confusing OAuth failure in Claude.
"""

from __future__ import annotations

import ipaddress
import logging

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_errors import error_response
from .settings import Settings

log = logging.getLogger("jean_memory.proxy")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FORWARDED = (b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-forwarded-port", b"forwarded",
              b"x-real-ip", b"x-request-id")
HSTS = b"max-age=31536000"


def parse_networks(entries: list[str]) -> list[Network]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"JEAN_MEMORY_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from exc
    return networks


def _ip(host: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host) if host else None
    except ValueError:
        return None


def client_address(request: HTTPConnection) -> str:
    """The source address of this request, for per-source rate limits and logs: the peer, or, behind a trusted
    proxy, the client it forwarded for (``ProxyHeaders`` has already rewritten ``scope["client"]``)."""
    return request.client.host if request.client else "unknown"


class ProxyHeaders:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.trusted = parse_networks(settings.trusted_proxies)
        self._warned = False

    def is_trusted(self, host: str | None) -> bool:
        ip = _ip(host)
        return ip is not None and any(ip in net for net in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        peer = scope.get("client")
        if self.is_trusted(peer[0] if peer else None):
            self._apply_forwarded(scope, headers)
        else:
            scope["headers"] = [(k, v) for k, v in headers if k not in _FORWARDED]
        if self.settings.is_https and scope["type"] == "http":
            if scope.get("scheme") != "https" and not self._is_loopback(scope):
                await self._refuse_plain_http(scope, receive, send)
                return
            await self.app(scope, receive, self._secure_send(send))
            return
        await self.app(scope, receive, send)

    def _apply_forwarded(self, scope: Scope, headers: list[tuple[bytes, bytes]]) -> None:
        values = {k: v.decode("latin-1") for k, v in headers if k in (b"x-forwarded-for", b"x-forwarded-proto")}
        proto = values.get(b"x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = "https" if proto == "https" else "http"
        # Walk X-Forwarded-For from the right: the first address that is not a trusted proxy is the client.
        hops = [h.strip() for h in values.get(b"x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if _ip(hop) is None:
                break
            port = scope["client"][1] if scope.get("client") else 0
            scope["client"] = (hop, port)
            if not self.is_trusted(hop):
                break

    @staticmethod
    def _is_loopback(scope: Scope) -> bool:
        ip = _ip(scope["client"][0]) if scope.get("client") else None
        return ip is not None and ip.is_loopback

    async def _refuse_plain_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._warned:
            self._warned = True
            log.error("PUBLIC_URL is %s but a request arrived over plain http from %s, which is not a trusted proxy "
                      "saying X-Forwarded-Proto: https. Serve through the TLS proxy, and list the proxy's address "
                      "in JEAN_MEMORY_TRUSTED_PROXIES.", self.settings.public_url,
                      scope["client"][0] if scope.get("client") else "an unknown peer")
        client = scope["client"][0] if scope.get("client") else None
        logging.getLogger("jean_memory.access").warning("request", extra={
            "method": scope.get("method"), "route": "refused", "path": scope.get("path", ""), "status": 421,
            "duration_ms": 0.0, "client_ip": client})
        response = error_response(421, "https_required", f"this server is reached at {self.settings.public_url}; "
                                  "plain http is refused so credentials never travel unencrypted")
        await response(scope, receive, send)

    @staticmethod
    def _secure_send(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie" and b"secure" not in value.lower():
                        value += b"; Secure"
                    headers.append((name, value))
                if not any(n.lower() == b"strict-transport-security" for n, _ in headers):
                    headers.append((b"strict-transport-security", HSTS))
                message = {**message, "headers": headers}
            await send(message)

        return wrapped
