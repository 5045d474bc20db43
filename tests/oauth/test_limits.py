"""Size limits on what anonymous callers make the server store (``oauth/limits.py``): registration metadata at
``/register`` and parameters at ``/authorize``, refused with their RFC error codes and nothing written."""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from jean_memory.oauth import limits
from jean_memory.runtime import Runtime

from .conftest import pkce
from .flows import CLAUDE_AI, register

pytestmark = pytest.mark.anyio
BASE: dict[str, Any] = {"client_name": "Claude", "redirect_uris": [CLAUDE_AI], "token_endpoint_auth_method": "none"}


def _rows(runtime: Runtime, table: str) -> int:
    db = sqlite3.connect(runtime.settings.effective_database_url.removeprefix("sqlite:///"))
    try:
        count: int = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - a fixed table name
        return count
    finally:
        db.close()


def _raw(body: dict[str, Any], **raw_members: str) -> bytes:
    """``body`` as JSON with members spliced in as raw JSON text (lone-surrogate escapes, deep nesting)."""
    text = json.dumps(body)
    extra = "".join(f', "{k}": {v}' for k, v in raw_members.items())
    return (text[:-1] + extra + "}").encode()


@pytest.mark.parametrize(("body", "error"), [
    (_raw(BASE, software_id='"\\ud800"'), "invalid_client_metadata"),  # a lone surrogate: used to be stored, then 500
    (_raw(BASE, contacts='["a@example.com", "\\udfff"]'), "invalid_client_metadata"),
    (_raw(BASE, jwks='{"\\ud800": 1}'), "invalid_client_metadata"),
    (_raw({**BASE, "redirect_uris": []}, redirect_uris='["https://claude.ai/\\ud800"]'), "invalid_redirect_uri"),
    (_raw(BASE, jwks='{"keys": ' + "[" * 900 + "]" * 900 + "}"), "invalid_client_metadata"),  # used to be 500
    (_raw(BASE, jwks="[" * 50_000 + "]" * 50_000), "invalid_client_metadata"),  # over the byte limit too
    (json.dumps(BASE | {"software_id": "x" * 6000}).encode(), "invalid_client_metadata"),
    (json.dumps(BASE | {"software_version": "1\x00"}).encode(), "invalid_client_metadata"),
    (json.dumps(BASE | {"contacts": [f"{n}@example.com" for n in range(21)]}).encode(), "invalid_client_metadata"),
    (json.dumps(BASE | {"jwks": {"keys": [{"kty": "RSA", "n": "x" * 1900, "e": "AQAB"}] * 5}}).encode(),
     "invalid_client_metadata"),
    (json.dumps(BASE | {"x-extra": "y" * 20_000}).encode(), "invalid_client_metadata"),  # the whole body
    (json.dumps(BASE | {"redirect_uris": [f"{CLAUDE_AI}/{n}" for n in range(21)]}).encode(), "invalid_redirect_uri"),
    (json.dumps(BASE | {"redirect_uris": [f"{CLAUDE_AI}?{'q' * 2000}"]}).encode(), "invalid_redirect_uri"),
    (b'{"redirect_uris": ["https://claude.ai/cb"], "client_name": "\xed\xa0\x80"}', "invalid_client_metadata"),
])
async def test_oversized_or_malformed_registrations_store_nothing(client: httpx.AsyncClient, runtime: Runtime,
                                                                  body: bytes, error: str) -> None:
    r = await client.post("/register", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == error and r.json()["error_description"]
    assert len(r.content) < 1000  # the refusal does not echo the input back
    assert _rows(runtime, "oauth_clients") == 0


async def test_a_full_sized_registration_still_registers(client: httpx.AsyncClient) -> None:
    """A real RSA key (its x5c certificate longer than ``MAX_STRING``), contacts, every URI field."""
    jwks = {"keys": [{"kty": "RSA", "kid": "k1", "n": "n" * 342, "e": "AQAB", "x5c": ["c" * 2400]}]}
    info = await register(client, jwks=jwks, contacts=["ops@example.com", "dev@example.com"],
                          client_uri="https://example.com", logo_uri="https://example.com/logo.png",
                          software_id="4NRB1-0XZABZI9E6-5SM3R", software_version="2.1",
                          redirect_uris=[f"{CLAUDE_AI}/{n}" for n in range(limits.MAX_ITEMS)])
    assert info["jwks"] == jwks and len(info["redirect_uris"]) == limits.MAX_ITEMS


async def test_registration_updates_are_limited_the_same_way(client: httpx.AsyncClient, runtime: Runtime) -> None:
    info = await register(client)
    uri = info["registration_client_uri"].removeprefix("http://testserver")
    auth = {"Authorization": f"Bearer {info['registration_access_token']}", "content-type": "application/json"}
    body = _raw(BASE | {"client_id": info["client_id"]}, software_id='"\\ud800"')
    r = await client.put(uri, content=body, headers=auth)
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"
    stored = await runtime.stores.oauth.get_client(info["client_id"])
    assert stored is not None and "software_id" not in stored.metadata


def _authorize(client_id: str, challenge: str, **extra: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": client_id, "redirect_uri": CLAUDE_AI, "code_challenge": challenge,
            "code_challenge_method": "S256", "state": "st-123"} | extra


@pytest.mark.parametrize("extra", [
    {"prompt": "consent" + " login" * 20}, {"scope": "memory:read " * 100}, {"resource": "https://x.example/" * 200},
    {"login_hint": "a" * 2001}, {f"p{n}": "1" for n in range(50)},
])
async def test_overlong_authorize_parameters_are_invalid_request(client: httpx.AsyncClient, runtime: Runtime,
                                                                 extra: dict[str, str]) -> None:
    info = await register(client)
    _, challenge = pkce()
    r = await client.get("/authorize?" + urlencode(_authorize(info["client_id"], challenge, **extra)))
    # Nobody approved this client: the error is a page, not a redirect (RFC 9700 §4.11.2).
    assert r.status_code == 400 and "location" not in r.headers and "invalid_request" in r.text, r.text
    assert _rows(runtime, "oauth_pending") == 0


async def test_a_megabyte_prompt_is_refused_and_an_overlong_state_not_echoed(client: httpx.AsyncClient,
                                                                             runtime: Runtime) -> None:
    """The reported attack: POSTed /authorize requests with a 1 MB prompt each stored a pending row."""
    info = await register(client)
    _, challenge = pkce()
    for extra in ({"prompt": "p" * 1_000_000}, {"state": "s" * 2001}):
        r = await client.post("/authorize", data=_authorize(info["client_id"], challenge, **extra))
        assert r.status_code == 400 and "location" not in r.headers and "invalid_request" in r.text
        assert "s" * 2001 not in r.text and len(r.text) < 100_000
    assert _rows(runtime, "oauth_pending") == 0


async def test_overlong_client_id_or_redirect_uri_gets_the_error_page(client: httpx.AsyncClient) -> None:
    info = await register(client)
    _, challenge = pkce()
    for extra in ({"client_id": "https://claude.ai/" + "x" * 2001}, {"redirect_uri": CLAUDE_AI + "?" + "x" * 2001}):
        r = await client.get("/authorize?" + urlencode(_authorize(info["client_id"], challenge) | extra))
        assert r.status_code == 400 and "location" not in r.headers and "text/html" in r.headers["content-type"]
