"""Client ID metadata documents, served from a real loopback HTTP server (mcp-oauth.md section 2)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from jean_memory.oauth.client_documents import DocumentError, fetch_document
from jean_memory.runtime import Runtime
from jean_memory.settings import Settings

from ..conftest import Account
from .flows import CLAUDE_AI, exchange, get_code

pytestmark = pytest.mark.anyio
DOCS: dict[str, Any] = {}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
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
    server = ThreadingHTTPServer((address, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        DOCS.clear()


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
