"""Settings: PUBLIC_URL defaults to the address actually listened on, so OAuth clients reach the right port."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.settings import Settings, listen_url

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _no_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JEAN_MEMORY_PUBLIC_URL", "JEAN_MEMORY_HOST", "JEAN_MEMORY_PORT"):
        monkeypatch.delenv(name, raising=False)


async def test_every_advertised_url_names_the_configured_port(tmp_path: Path, embedder: MiniLMEmbedder,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JEAN_MEMORY_PORT", "18431")  # as `JEAN_MEMORY_PORT=18431 make run` does
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    base = "http://127.0.0.1:18431"
    assert settings.public_url == base and not settings.public_url_is_set
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as c:
            assert (await c.get("/status")).json()["public_url"] == base
            challenge = (await c.post("/mcp", json={})).headers["www-authenticate"]
            assert f'resource_metadata="{base}/.well-known/oauth-protected-resource/mcp"' in challenge
            auth_server = (await c.get("/.well-known/oauth-authorization-server")).json()
            assert auth_server["issuer"] == base and auth_server["token_endpoint"] == f"{base}/token"
            resource = (await c.get("/.well-known/oauth-protected-resource/mcp")).json()
            assert resource["resource"] == f"{base}/mcp" and resource["authorization_servers"] == [base]
            landing = (await c.get("/")).text
            assert f"{base}/mcp" in landing and ":8765" not in landing


def test_listening_on_names_the_real_address_unless_public_url_is_set() -> None:
    derived = Settings(_env_file=None)  # type: ignore[call-arg]
    bound = derived.listening_on("127.0.0.1", 43123)  # `serve --port 0` got 43123 from the OS
    assert bound.public_url == "http://127.0.0.1:43123" and bound.mcp_resource == "http://127.0.0.1:43123/mcp"
    assert bound.port == 43123 and derived.public_url == "http://127.0.0.1:8765"  # the original is unchanged
    assert derived.listening_on("0.0.0.0", 9).public_url == "http://127.0.0.1:9"
    assert derived.listening_on("::1", 9).public_url == "http://[::1]:9" == listen_url("::", 9)
    explicit = Settings(public_url="https://memory.example.com/", _env_file=None)  # type: ignore[call-arg]
    assert explicit.listening_on("127.0.0.1", 43123).public_url == "https://memory.example.com"
    empty = Settings(public_url="", port=5, _env_file=None)  # type: ignore[call-arg]
    assert empty.public_url == "http://127.0.0.1:5" and not empty.public_url_is_set
