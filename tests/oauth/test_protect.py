"""BearerProtected and resolve_bearer: 401/403 challenges (RFC 6750 §3, RFC 9728 §5.1) and token checks."""

from __future__ import annotations

import time

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from jean_memory.oauth.bearer import resolve_bearer
from jean_memory.oauth.protect import BearerProtected, insufficient_scope_response
from jean_memory.runtime import Runtime
from jean_memory.security import hash_token

from ..conftest import Account
from .conftest import seed_client, seed_tokens

pytestmark = pytest.mark.anyio

META = 'resource_metadata="http://testserver/.well-known/oauth-protected-resource/mcp"'


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    principal = scope["state"]["principal"]
    body = f"{principal.user_id}|{principal.client_id}|{principal.via}|{' '.join(principal.scopes)}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


def _client(runtime: Runtime) -> httpx.AsyncClient:
    app = BearerProtected(_echo, runtime)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_no_token_gets_plain_challenge_with_scope(runtime: Runtime) -> None:
    async with _client(runtime) as c:
        r = await c.post("/mcp", json={})
    assert r.status_code == 401
    challenge = r.headers["www-authenticate"]
    assert challenge.startswith("Bearer ") and META in challenge and 'scope="memory:read memory:write"' in challenge
    assert "error=" not in challenge


async def test_bad_token_says_invalid_token(runtime: Runtime) -> None:
    async with _client(runtime) as c:
        r = await c.post("/mcp", headers={"Authorization": "Bearer jmo_nope"})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"] and META in r.headers["www-authenticate"]


async def test_valid_oauth_token_and_api_key_pass(runtime: Runtime, alice: Account) -> None:
    await seed_client(runtime)
    access, _ = await seed_tokens(runtime, alice.user_id)
    async with _client(runtime) as c:
        r = await c.get("/mcp", headers={"Authorization": f"Bearer {access}"})
        k = await c.get("/mcp", headers=alice.headers)
    assert r.status_code == 200 and r.text == f"{alice.user_id}|c-test|oauth|memory:read memory:write"
    assert k.status_code == 200 and k.text.split("|")[2] == "api_key"
    apps = await runtime.stores.oauth.list_connected_apps(alice.user_id)
    assert [a.client_id for a in apps] == ["c-test"] and apps[0].last_used_at is not None


async def test_token_in_query_string_refused(runtime: Runtime, alice: Account) -> None:
    await seed_client(runtime)
    access, _ = await seed_tokens(runtime, alice.user_id)
    async with _client(runtime) as c:
        r = await c.get(f"/mcp?access_token={access}")
        both = await c.get(f"/mcp?access_token={access}", headers={"Authorization": f"Bearer {access}"})
    assert r.status_code == 400 and both.status_code == 400
    assert 'error="invalid_request"' in r.headers["www-authenticate"]


async def test_expired_revoked_foreign_and_orphaned_tokens_refused(runtime: Runtime, alice: Account) -> None:
    await seed_client(runtime)
    expired, _ = await seed_tokens(runtime, alice.user_id, ttl=-1)
    foreign, _ = await seed_tokens(runtime, alice.user_id, resource="https://other.example.com/mcp")
    revoked, _ = await seed_tokens(runtime, alice.user_id)
    await runtime.stores.oauth.revoke_token(hash_token(revoked), time.time())
    refresh_as_access = (await seed_tokens(runtime, alice.user_id))[1]
    for token in (expired, foreign, revoked, refresh_as_access, "", "x" * 5000):
        assert await resolve_bearer(runtime, token) is None
    live, _ = await seed_tokens(runtime, alice.user_id)
    assert await resolve_bearer(runtime, live) is not None
    await runtime.stores.oauth.delete_client("c-test")
    assert await resolve_bearer(runtime, live) is None


async def test_revoking_refresh_kills_its_access_token(runtime: Runtime, alice: Account) -> None:
    await seed_client(runtime)
    access, refresh = await seed_tokens(runtime, alice.user_id)
    await runtime.stores.oauth.revoke_token(hash_token(refresh), time.time())
    assert await resolve_bearer(runtime, access) is None


async def test_insufficient_scope_response(runtime: Runtime) -> None:
    r = insufficient_scope_response(runtime.settings, "memory:write")
    assert r.status_code == 403
    h = r.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in h and 'scope="memory:write"' in h and META in h
