"""Client ID metadata documents, served from a real loopback HTTP server (mcp-oauth.md section 2)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from anyio.lowlevel import checkpoint
from fastapi import FastAPI

from jean_memory.oauth import client_documents
from jean_memory.oauth.client_documents import FETCHES_PER_WINDOW, DocumentError, fetch_document, find_client
from jean_memory.oauth.document_fetches import CONCURRENCY, DocumentFetches
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings
from tests.loopback import serve_http

from ..conftest import Account
from .conftest import pkce
from .flows import CLAUDE_AI, authorize_url, exchange, get_code

pytestmark = pytest.mark.anyio
DOCS: dict[str, Any] = {}
HITS: list[str] = []  # every path the document server was asked for


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        HITS.append(self.path)
        doc = DOCS.get(self.path)
        body = (doc if isinstance(doc, bytes) else json.dumps(doc).encode()) if doc is not None else b"{}"
        self.send_response(200 if doc is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def doc_server() -> Iterator[str]:
    yield from _serve("127.0.0.1")


def _serve(address: str) -> Iterator[str]:
    try:
        with serve_http(_Handler, address) as url:
            yield url
    finally:
        DOCS.clear()
        HITS.clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", public_url="http://testserver", client_metadata_allow_private=True,
                    _env_file=None)  # type: ignore[call-arg]


async def test_document_client_full_flow(client: httpx.AsyncClient, runtime: Runtime, alice: Account,
                                         doc_server: str) -> None:
    url = f"{doc_server}/oauth/mcp-oauth-client-metadata"
    DOCS["/oauth/mcp-oauth-client-metadata"] = {
        "client_id": url, "client_name": "Claude", "redirect_uris": [CLAUDE_AI],
        "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"]}
    code, verifier = await get_code(client, url, alice.email, alice.password, resource="http://testserver/mcp")
    r = await exchange(client, url, code, verifier, resource="http://testserver/mcp")
    assert r.status_code == 200 and r.json()["refresh_token"]
    cached = await runtime.stores.oauth.get_client(url)
    assert cached is not None and cached.is_document and cached.document_expires_at is not None


@pytest.mark.parametrize("doc", [
    {"client_id": "https://someone-else.example/doc", "redirect_uris": [CLAUDE_AI]},
    {"client_id": "SELF", "redirect_uris": ["javascript:alert(1)"]},
    {"client_id": "SELF", "redirect_uris": [CLAUDE_AI], "token_endpoint_auth_method": "client_secret_post"},
    b"not json", [1, 2],
])
async def test_bad_documents_get_error_page(client: httpx.AsyncClient, doc_server: str, doc: Any) -> None:
    url = f"{doc_server}/client.json"
    DOCS["/client.json"] = {**doc, "client_id": url} if isinstance(doc, dict) and doc["client_id"] == "SELF" else doc
    r = await client.get(f"/authorize?response_type=code&client_id={url}&redirect_uri={CLAUDE_AI}"
                         "&code_challenge=" + "a" * 43 + "&code_challenge_method=S256")
    assert r.status_code == 400 and "location" not in r.headers


async def test_unlisted_redirect_refused(client: httpx.AsyncClient, doc_server: str) -> None:
    url = f"{doc_server}/c.json"
    DOCS["/c.json"] = {"client_id": url, "redirect_uris": [CLAUDE_AI]}
    r = await client.get(f"/authorize?response_type=code&client_id={url}&redirect_uri=https://evil.example/cb"
                         "&code_challenge=" + "a" * 43 + "&code_challenge_method=S256")
    assert r.status_code == 400 and "location" not in r.headers


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/doc", "https://127.0.0.1/doc", "https://10.0.0.1/doc",
                                 "https://example.com/", "https://u@example.com/doc", "ftp://example.com/doc"])
async def test_ssrf_guards_without_private_allowance(url: str) -> None:
    with pytest.raises(DocumentError):
        await fetch_document(url, allow_private=False)


async def test_the_fetch_connects_to_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the host is resolved once and the connection goes to that answer. The document is served on
    127.0.0.2 only; 'localhost' resolves to 127.0.0.1 everywhere else, so a fetch that looked the name up again
    (or let the HTTP client do it) would find nothing there."""
    server = _serve("127.0.0.2")
    base = next(server)
    try:
        port = int(base.rsplit(":", 1)[1])
        DOCS["/pinned.json"] = {"client_id": "x", "redirect_uris": [CLAUDE_AI]}
        answers: list[str] = []

        async def resolve(host: str, port: int, **kwargs: Any) -> list[Any]:
            answers.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port))]

        monkeypatch.setattr(anyio, "getaddrinfo", resolve)
        doc, ttl = await fetch_document(f"http://localhost:{port}/pinned.json", allow_private=True)
        assert doc["redirect_uris"] == [CLAUDE_AI] and ttl == 600
        assert answers == ["localhost"]  # one lookup, whose answer was both checked and used
    finally:
        next(server, None)


async def test_a_name_that_does_not_resolve_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="does not resolve"):
        await fetch_document("https://no-such-host.invalid/client.json", allow_private=False)


@pytest.mark.parametrize("url", ["https://example.com:8443/client.json", "https://example.com:80/client.json"])
@pytest.mark.parametrize("allow_private", [False, True])  # the test-only allowance opens ports on loopback only
async def test_documents_are_fetched_from_port_443_only(url: str, allow_private: bool) -> None:
    with pytest.raises(DocumentError, match="port 443"):
        await fetch_document(url, allow_private=allow_private)


async def test_the_deadline_covers_the_whole_fetch_name_resolution_included(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never(*args: Any, **kwargs: Any) -> list[Any]:
        await anyio.sleep_forever()
        raise AssertionError

    monkeypatch.setattr(anyio, "getaddrinfo", never)
    monkeypatch.setattr(client_documents, "DEADLINE", 0.05, raising=False)
    assert client_documents.DEADLINE <= 5
    with anyio.fail_after(10), pytest.raises(DocumentError, match="took too long"):
        await fetch_document("https://slow-dns.example/client.json", allow_private=False)


async def test_a_failed_document_is_not_fetched_again_for_minutes(client: httpx.AsyncClient, doc_server: str) -> None:
    """The reported flood: every anonymous /authorize for a failing document fetched it again."""
    url = f"{doc_server}/missing.json"  # answers 404
    _, challenge = pkce()
    for _ in range(25):
        r = await client.get(authorize_url(url, challenge))
        assert r.status_code == 400 and "location" not in r.headers
    assert HITS == ["/missing.json"]


async def test_document_fetches_are_limited_per_source(app: FastAPI, doc_server: str) -> None:
    _, challenge = pkce()
    async with _peer(app, "198.51.100.7") as flooder, _peer(app, "198.51.100.8") as neighbour:
        for n in range(FETCHES_PER_WINDOW + 3):  # a new URL each time: the failure cache does not help
            r = await flooder.get(authorize_url(f"{doc_server}/junk-{n}.json", challenge))
            assert r.status_code == 400
        assert len(HITS) == FETCHES_PER_WINDOW
        url = f"{doc_server}/c.json"
        DOCS["/c.json"] = {"client_id": url, "redirect_uris": [CLAUDE_AI]}
        r = await neighbour.get(authorize_url(url, challenge))
        assert r.status_code == 303 and HITS[-1] == "/c.json"


async def test_concurrent_lookups_of_a_document_fetch_it_once(runtime: Runtime,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    async def down(url: str, allow_private: bool) -> tuple[dict[str, Any], int]:
        calls.append(url)
        await checkpoint()  # let the others pile up
        raise DocumentError("the document answered 503")

    monkeypatch.setattr(client_documents, "fetch_document", down)
    results: list[object] = []

    async def look() -> None:
        results.append(await find_client(runtime, "https://down.example/client.json"))

    async with anyio.create_task_group() as tg:
        for _ in range(40):
            tg.start_soon(look)
    assert results == [None] * 40 and calls == ["https://down.example/client.json"]


async def test_a_few_fetches_at_a_time_one_per_url() -> None:
    fetches = DocumentFetches()
    release = anyio.Event()
    started: list[str] = []
    turns: list[bool] = []

    async def fetch(url: str) -> None:
        async with fetches.turn(url) as mine:
            turns.append(mine)
            if mine:
                started.append(url)
                await release.wait()

    async with anyio.create_task_group() as tg:
        for n in range(3 * CONCURRENCY):
            tg.start_soon(fetch, f"https://d{n % (2 * CONCURRENCY)}.example/c.json")  # a third asked for twice
        await anyio.wait_all_tasks_blocked()
        assert len(started) == CONCURRENCY
        release.set()
    assert len(started) == 2 * CONCURRENCY and turns.count(False) == CONCURRENCY


def _peer(app: FastAPI, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 4000)),
                             base_url="http://testserver")
