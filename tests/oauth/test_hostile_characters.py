"""NUL and control characters in OAuth input get an OAuth error, never a 500, on every backend (PostgreSQL text
cannot hold NUL, so unchecked input used to reach it as a ``DataError``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest

from jean_memory.app import create_app
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.settings import Settings

from .conftest import pkce
from .flows import CLAUDE_AI, register

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_backend(request: pytest.FixtureRequest, settings: Settings,
                      embedder: MiniLMEmbedder) -> AsyncIterator[httpx.AsyncClient]:
    if request.param == "postgres":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("postgres_url")})
    app = create_app(settings, embedder=embedder)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
            yield c


async def test_nul_in_oauth_input_is_refused_cleanly(any_backend: httpx.AsyncClient) -> None:
    c = any_backend
    r = await c.post("/register", json={"redirect_uris": [CLAUDE_AI], "client_name": "Claude\u0000"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"
    info = await register(c)

    for data in ({"grant_type": "refresh_token", "refresh_token": "jmr_x", "client_id": "jmc_\x00"},
                 {"grant_type": "authorization_code", "code": "a\x00", "code_verifier": "v" * 43,
                  "client_id": info["client_id"]},
                 {"grant_type": "refresh_token", "refresh_token": "jmr_\x00", "client_id": info["client_id"]}):
        r = await c.post("/token", data=data)
        assert r.status_code in (400, 401) and r.json()["error"] in ("invalid_client", "invalid_grant"), r.text
    r = await c.post("/revoke", data={"token": "jmo_\x00", "client_id": "jmc_\x00"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert (await c.get("/register/jmc_%00", headers={"Authorization": "Bearer x"})).status_code == 401

    _, challenge = pkce()
    base = {"response_type": "code", "client_id": info["client_id"], "redirect_uri": CLAUDE_AI,
            "code_challenge": challenge, "code_challenge_method": "S256"}
    for extra in ({"state": "st\x00"}, {"state": "st", "prompt": "consent\x00"}):
        r = await c.get("/authorize?" + urlencode(base | extra))  # a client nobody approved: a page, no redirect
        assert r.status_code == 400 and "location" not in r.headers and "invalid_request" in r.text, r.text
    r = await c.get("/authorize?" + urlencode(base | {"client_id": "https://claude.ai/oauth/\x00"}))
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]  # unknown client: a page
