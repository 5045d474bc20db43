from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.proxy import ProxyHeaders, parse_networks
from jean_memory.settings import Settings

pytestmark = pytest.mark.anyio
SPOOF = {"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
         "X-Request-ID": "spoofed-id", "Forwarded": "for=1.2.3.4;proto=https;host=evil.example"}


async def _echo(request: Request) -> JSONResponse:
    response = JSONResponse({
        "client": request.client.host if request.client else None, "scheme": request.url.scheme,
        "forwarded": sorted(k for k in request.headers if k.startswith("x-forwarded") or k == "forwarded"),
    })
    response.set_cookie("jm_session", "v", httponly=True, samesite="lax")
    return response


def _wrapped(public_url: str, trusted: list[str] | None = None) -> ProxyHeaders:
    settings = Settings(public_url=public_url, _env_file=None,  # type: ignore[call-arg]
                        **({"trusted_proxies": trusted} if trusted is not None else {}))
    return ProxyHeaders(Starlette(routes=[Route("/echo", _echo)]), settings)


def _client(app: object, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 5555))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://internal:8765")


async def test_forwarded_headers_from_an_untrusted_peer_change_nothing() -> None:
    async with _client(_wrapped("http://memory.test"), "203.0.113.5") as c:
        body = (await c.get("/echo", headers=SPOOF)).json()
    assert body == {"client": "203.0.113.5", "scheme": "http", "forwarded": []}  # ignored and stripped


async def test_a_trusted_proxy_sets_client_and_scheme() -> None:
    async with _client(_wrapped("http://memory.test", ["10.0.0.0/8"]), "10.1.2.3") as c:
        # Rightmost untrusted hop is the client; an address the client itself prepended is not believed.
        body = (await c.get("/echo", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.1, 10.0.0.9",
                                               "X-Forwarded-Proto": "https"})).json()
    assert body["client"] == "198.51.100.1" and body["scheme"] == "https"


async def test_https_public_url_hsts_secure_cookies_and_plain_http_refused() -> None:
    app = _wrapped("https://memory.example.com")
    async with _client(app, "127.0.0.1") as c:  # the local proxy (trusted by default), terminating TLS
        r = await c.get("/echo", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"})
    assert r.status_code == 200 and r.json()["scheme"] == "https"
    assert r.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in r.headers["set-cookie"].lower() and "httponly" in r.headers["set-cookie"].lower()
    async with _client(app, "127.0.0.1") as c:  # local health checks over plain http still work
        assert (await c.get("/echo")).status_code == 200
    async with _client(app, "203.0.113.5") as c:  # straight from the internet over http: refused, clearly
        r = await c.post("/echo", headers=SPOOF)
    assert r.status_code == 421 and r.json()["error"] == "https_required"
    assert "https://memory.example.com" in r.json()["message"]
    async with _client(app, "127.0.0.1") as c:  # the proxy itself says the client came over http
        r = await c.get("/echo", headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "198.51.100.1"})
    assert r.status_code == 421


def test_bad_trusted_proxy_entries_are_named() -> None:
    assert [str(n) for n in parse_networks(["127.0.0.1", "10.0.0.0/8", "::1"])] == [
        "127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError, match="'proxy.local'"):
        parse_networks(["proxy.local"])


async def test_the_real_app_behind_https(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    settings = Settings(data_dir=tmp_path, public_url="https://memory.example.com", _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        async with _client(app, "203.0.113.5") as c:
            assert (await c.get("/status", headers=SPOOF)).status_code == 421
        async with _client(app, "127.0.0.1") as c:
            r = await c.get("/status", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
        assert r.status_code == 200 and r.json()["mcp_url"] == "https://memory.example.com/mcp"
        assert "strict-transport-security" in r.headers
