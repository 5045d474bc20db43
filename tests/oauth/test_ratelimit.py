"""Per-source rate limits at ``/token``, ``/register`` and ``/authorize``: the source is the address
``proxy.ProxyHeaders`` resolved, so clients behind a trusted proxy (address or CIDR network) are counted apart,
and forwarded headers from anyone else change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.oauth.authorize import PER_WINDOW
from jean_memory.settings import Settings

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def _app(settings: Settings, embedder: MiniLMEmbedder, **overrides: object) -> AsyncIterator[FastAPI]:
    application = create_app(settings.model_copy(update={"rate_limit_token": 2, "rate_limit_register": 2}
                                                 | overrides), embedder=embedder)
    async with application.router.lifespan_context(application):
        yield application


def _peer(app: FastAPI, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 4000)),
                             base_url="http://testserver")


async def _token(c: httpx.AsyncClient, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return (await c.post("/token", data={}, headers=headers)).status_code


async def test_clients_behind_a_trusted_proxy_are_limited_apart(settings: Settings, embedder: MiniLMEmbedder) -> None:
    async with _app(settings, embedder) as app, _peer(app, "127.0.0.1") as proxy:  # loopback is trusted by default
        assert [await _token(proxy, "198.51.100.1") for _ in range(3)] == [400, 400, 429]
        assert await _token(proxy, "198.51.100.2") == 400  # another client behind the same proxy
        assert await _token(proxy) == 400  # the proxy itself (a local health check, say) is a third source


async def test_a_cidr_trusted_proxy_is_resolved(settings: Settings, embedder: MiniLMEmbedder) -> None:
    async with _app(settings, embedder, trusted_proxies=["10.0.0.0/8"]) as app, _peer(app, "10.1.2.3") as proxy:
        assert [await _token(proxy, "198.51.100.1") for _ in range(3)] == [400, 400, 429]
        assert await _token(proxy, "198.51.100.2") == 400
        r = await proxy.post("/register", json={}, headers={"X-Forwarded-For": "198.51.100.1"})
        assert r.status_code == 400  # buckets are per endpoint family: /register has its own


async def test_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape(settings: Settings,
                                                                            embedder: MiniLMEmbedder) -> None:
    async with _app(settings, embedder) as app, _peer(app, "203.0.113.9") as attacker, \
            _peer(app, "203.0.113.10") as neighbour:
        statuses = [await _token(attacker, f"198.51.100.{n}") for n in range(1, 5)]
        assert statuses == [400, 400, 429, 429]
        r = await attacker.post("/token", data={}, headers={"X-Forwarded-For": "127.0.0.1"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert await _token(neighbour) == 400


async def test_authorize_is_rate_limited_per_source(settings: Settings, embedder: MiniLMEmbedder) -> None:
    """Anonymous /authorize requests each cost a lookup, maybe a document fetch and a stored row: a source gets
    ``PER_WINDOW`` of them per window, then a 429 page (a person's browser is on the other end)."""
    async with _app(settings, embedder) as app, _peer(app, "203.0.113.9") as flooder, \
            _peer(app, "203.0.113.10") as neighbour:
        statuses = [(await flooder.get("/authorize?client_id=jmc_nope")).status_code for _ in range(PER_WINDOW)]
        assert statuses == [400] * PER_WINDOW  # the unknown-client page
        r = await flooder.get("/authorize?client_id=jmc_nope")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "text/html" in r.headers["content-type"]
        assert (await flooder.post("/authorize", data={"client_id": "jmc_nope"})).status_code == 429
        assert (await neighbour.get("/authorize?client_id=jmc_nope")).status_code == 400
