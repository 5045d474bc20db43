"""Client ID metadata documents (MCP 2025-11-25 authorization §"Client ID Metadata Documents";
draft-ietf-oauth-client-id-metadata-document): a ``client_id`` that is an https URL names its own metadata.

Not in the SDK's server. Fetched with SSRF guards (https on port 443 only; every resolved address must be public
unless ``settings.client_metadata_allow_private``, which also admits http and any port on loopback for tests; no
redirects; a 5 s deadline for the whole fetch, name resolution included; 64 KiB) and cached in the database
(``oauth_clients`` with ``is_document``) for the document's ``Cache-Control: max-age`` clamped to 5 minutes..1
day. Fetches are limited per source address (``FETCHES_PER_WINDOW``, counted in the database) and per process
(``document_fetches``: a few at a time, one per URL, failures remembered for minutes). The host is resolved once;
the connection goes to the addresses that passed the check (``_PinnedBackend``), so a DNS answer that changes
between the check and the connection (rebinding) cannot point the fetch at an internal address. TLS still
verifies the certificate for the host name.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpcore
from starlette.requests import HTTPConnection

from ..runtime import Runtime
from ..store.oauth import ClientStore, OAuthClient
from ..throttle import throttle
from . import redirects, scopes
from .document_fetches import fetches_of

MAX_BYTES = 64 * 1024
DEADLINE = 5.0  # the whole fetch: resolution, connection, TLS, however slowly the bytes trickle in
FETCHES_PER_WINDOW = 10  # document fetches (cache misses) per source address per ``settings.rate_limit_window``
MIN_TTL, MAX_TTL, DEFAULT_TTL = 300, 86400, 3600


class DocumentError(Exception):
    """The document could not be fetched or is not acceptable (the client is then unknown)."""


def is_document_id(client_id: str) -> bool:
    return client_id.startswith(("https://", "http://"))


def _url_problem(url: str, allow_private: bool) -> str | None:
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return "a client ID URL cannot contain spaces or control characters"
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return "not a valid URL"
    loopback = allow_private and parts.hostname in redirects.LOOPBACK  # the test-only escape hatch
    if parts.scheme != "https" and not (loopback and parts.scheme == "http"):
        return "client ID documents are fetched over https only"
    if parts.port not in (None, 443) and not loopback:
        return "client ID documents are fetched from port 443 only"
    if not parts.hostname or "@" in parts.netloc or parts.fragment or len(url) > 2000:
        return "a client ID URL needs a host and no user information or fragment"
    if not parts.path or parts.path == "/" or re.search(r"(^|/)\.\.?(/|$)", parts.path):
        return "a client ID URL needs a path without dot segments"
    return None


async def _checked_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address ``host`` resolves to, once; refused if any of them is not public."""
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise DocumentError(f"{host} does not resolve") from exc
    addresses: list[str] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global and not allow_private:
            raise DocumentError(f"{host} resolves to a non-public address")
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise DocumentError(f"{host} does not resolve")
    return addresses


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the checked addresses, whatever host name the request carries (it still names the host for
    TLS and the Host header)."""

    def __init__(self, addresses: list[str]) -> None:
        self.addresses = addresses
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address in self.addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError("no address to connect to")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("client ID documents are fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def _max_age(cache_control: str) -> int:
    match = re.search(r"max-age=(\d{1,10})\b", cache_control)
    if "no-store" in cache_control or "no-cache" in cache_control:
        return MIN_TTL
    return min(MAX_TTL, max(MIN_TTL, int(match.group(1)))) if match else DEFAULT_TTL


async def fetch_document(url: str, allow_private: bool) -> tuple[dict[str, Any], int]:
    problem = _url_problem(url, allow_private)
    if problem:
        raise DocumentError(problem)
    try:
        with anyio.fail_after(DEADLINE):
            body, ttl = await _get(url, allow_private)
    except TimeoutError as exc:
        raise DocumentError("could not fetch the document: it took too long") from exc
    except (httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError,
            httpcore.UnsupportedProtocol) as exc:
        raise DocumentError(f"could not fetch the document: {type(exc).__name__}") from exc
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise DocumentError("the document is not JSON") from exc
    if not isinstance(doc, dict):
        raise DocumentError("the document is not a JSON object")
    return doc, ttl


async def _get(url: str, allow_private: bool) -> tuple[bytes, int]:
    """The body (at most ``MAX_BYTES``) and cache lifetime of a 200 answer; the caller bounds the time."""
    parts = urlsplit(url)
    addresses = await _checked_addresses(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                                         allow_private)
    timeouts = {"connect": DEADLINE, "read": DEADLINE, "write": DEADLINE, "pool": DEADLINE}
    async with httpcore.AsyncConnectionPool(ssl_context=ssl.create_default_context(), max_connections=1,
                                            network_backend=_PinnedBackend(addresses)) as pool:
        async with pool.stream("GET", url, headers={"Accept": "application/json", "User-Agent": "jean-memory"},
                               extensions={"timeout": timeouts}) as response:
            if response.status != 200:
                raise DocumentError(f"the document answered {response.status}")
            body = b""
            async for chunk in response.aiter_stream():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise DocumentError("the document is too large")
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
    return body, _max_age(headers.get("cache-control", ""))


def client_from_document(url: str, doc: dict[str, Any], ttl: int, runtime: Runtime,
                         previous: OAuthClient | None) -> OAuthClient:
    if doc.get("client_id") != url:
        raise DocumentError("the document's client_id must equal its URL exactly")
    uris = doc.get("redirect_uris")
    if not isinstance(uris, list) or not uris or any(redirects.problem(u, runtime.settings) for u in uris):
        raise DocumentError("the document's redirect_uris are missing or not allowed")
    method = doc.get("token_endpoint_auth_method", "none")
    if method != "none":
        raise DocumentError("client ID documents are for public clients (token_endpoint_auth_method none)")
    scope = doc.get("scope")
    name = doc.get("client_name")
    if not isinstance(name, str) or not name.isprintable():
        name = urlsplit(url).hostname or url
    now = time.time()
    return OAuthClient(
        url, name[:200], tuple(uris), "none",
        ("authorization_code", "refresh_token"), scopes.registration_scope(scope if isinstance(scope, str) else None),
        {k: v for k, v in doc.items() if isinstance(k, str) and k != "jwks"},
        previous.created_at if previous else now, is_document=True, document_expires_at=now + ttl,
        last_used_at=previous.last_used_at if previous else None,
    )


def _fresh(client: OAuthClient | None) -> bool:
    return client is not None and client.is_document and (client.document_expires_at or 0) > time.time()


async def find_client(runtime: Runtime, client_id: str, source: HTTPConnection | None = None) -> OAuthClient | None:
    """The registered client, or the client its metadata document describes (cached); None when neither. A fetch
    on behalf of ``source`` (the request that needs the client) counts against that address's fetch limit."""
    if not client_id or len(client_id) > 2000:
        return None
    store: ClientStore = runtime.stores.oauth
    client = await store.get_client(client_id)
    if not is_document_id(client_id) or _fresh(client):
        return client
    fetches = fetches_of(runtime)
    if fetches.failed(client_id):
        return None
    try:
        async with fetches.turn(client_id) as mine:
            # A fetch that just ended (the one this request waited for, or one that ended as this began) left its
            # answer in one of the caches.
            if fetches.failed(client_id):
                return None
            client = await store.get_client(client_id)
            if _fresh(client) or not mine:
                return client if _fresh(client) else None
            if (source is not None
                    and await throttle(source, runtime, "client-document", FETCHES_PER_WINDOW) is not None):
                return None
            try:
                doc, ttl = await fetch_document(client_id, runtime.settings.client_metadata_allow_private)
                fresh = client_from_document(client_id, doc, ttl, runtime, client)
            except (DocumentError, OSError):
                fetches.remember_failure(client_id)
                return None
            await store.save_client(fresh)
            return fresh
    except TimeoutError:  # no fetch slot came free in time: we are busy, the document is not at fault
        return None
