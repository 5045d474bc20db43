"""The token and revocation endpoints' refusals and rules (mcp-oauth.md section 4)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from jean_memory.oauth.bearer import resolve_bearer
from jean_memory.oauth.sweeper import sweep_once
from jean_memory.runtime import Runtime
from jean_memory.security import hash_token

from ..conftest import Account
from .flows import exchange, get_code, refresh, register

pytestmark = pytest.mark.anyio


async def _tokens(client: httpx.AsyncClient, alice: Account, **meta: str) -> tuple[dict[str, str], dict[str, str]]:
    info = await register(client, **meta)
    code, verifier = await get_code(client, info["client_id"], alice.email, alice.password)
    extra = {"client_secret": info["client_secret"]} if "client_secret" in info else {}
    r = await exchange(client, info["client_id"], code, verifier, **extra)
    assert r.status_code == 200, r.text
    return info, r.json()


async def test_wrong_verifier_then_code_is_spent(client: httpx.AsyncClient, alice: Account) -> None:
    info = await register(client)
    code, verifier = await get_code(client, info["client_id"], alice.email, alice.password)
    r = await exchange(client, info["client_id"], code, "x" * 43)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = await exchange(client, info["client_id"], code, verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_reused_code_revokes_what_it_issued(client: httpx.AsyncClient, runtime: Runtime, alice: Account) -> None:
    info = await register(client)
    code, verifier = await get_code(client, info["client_id"], alice.email, alice.password)
    first = await exchange(client, info["client_id"], code, verifier)
    assert first.status_code == 200
    assert await resolve_bearer(runtime, first.json()["access_token"]) is not None
    second = await exchange(client, info["client_id"], code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert await resolve_bearer(runtime, first.json()["access_token"]) is None
    assert (await refresh(client, info["client_id"], first.json()["refresh_token"])).status_code == 400


async def test_redirect_mismatch_resource_and_client_binding(client: httpx.AsyncClient, alice: Account) -> None:
    info = await register(client)
    other = await register(client)
    for extra, error, status in (({"redirect_uri": "https://claude.com/api/mcp/auth_callback"}, "invalid_grant", 400),
                                 ({"resource": "https://evil.example.com/mcp"}, "invalid_target", 400),
                                 ({"client_id": other["client_id"]}, "invalid_grant", 400),
                                 ({"client_id": "jmc_unknown"}, "invalid_client", 401)):
        code, verifier = await get_code(client, info["client_id"], alice.email, alice.password)
        caller = extra.pop("client_id", info["client_id"])
        r = await exchange(client, caller, code, verifier, **extra)
        assert (r.status_code, r.json()["error"]) == (status, error), extra


async def test_bad_requests(client: httpx.AsyncClient) -> None:
    info = await register(client)
    cases = [({}, "invalid_request"), ({"grant_type": "password"}, "unsupported_grant_type"),
             ({"grant_type": "client_credentials", "client_id": info["client_id"]}, "unsupported_grant_type"),
             ({"grant_type": "authorization_code", "client_id": info["client_id"]}, "invalid_request"),
             ({"grant_type": "authorization_code", "code": "x", "code_verifier": "y" * 43,
               "client_id": info["client_id"]}, "invalid_grant"),
             ({"grant_type": "refresh_token", "client_id": info["client_id"]}, "invalid_request")]
    for data, error in cases:
        r = await client.post("/token", data=data)
        assert r.status_code == 400 and r.json()["error"] == error, (data, r.text)
        assert r.headers["cache-control"] == "no-store"
    r = await client.post("/token", data={"grant_type": "authorization_code", "code": "x"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


@pytest.mark.parametrize("method", ["client_secret_post", "client_secret_basic"])
async def test_confidential_clients(client: httpx.AsyncClient, alice: Account, method: str) -> None:
    info = await register(client, token_endpoint_auth_method=method)
    code, verifier = await get_code(client, info["client_id"], alice.email, alice.password)
    no_secret = await exchange(client, info["client_id"], code, verifier)
    assert no_secret.status_code == 401 and no_secret.json()["error"] == "invalid_client"
    code, verifier = await get_code(client, info["client_id"], alice.email, alice.password)
    if method == "client_secret_post":
        ok = await exchange(client, info["client_id"], code, verifier, client_secret=info["client_secret"])
    else:
        ok = await client.post("/token", auth=(info["client_id"], info["client_secret"]), data={
            "grant_type": "authorization_code", "code": code, "code_verifier": verifier})
    assert ok.status_code == 200, ok.text


async def test_refresh_rotation_grace_and_family_revocation(client: httpx.AsyncClient, runtime: Runtime,
                                                            alice: Account) -> None:
    info, tokens = await _tokens(client, alice)
    r1 = await refresh(client, info["client_id"], tokens["refresh_token"])
    retry = await refresh(client, info["client_id"], tokens["refresh_token"])  # within the grace period
    assert r1.status_code == 200 and retry.status_code == 200
    # The retry's pair replaces the first one (only hashes are stored, so the first cannot be sent again).
    assert await resolve_bearer(runtime, r1.json()["access_token"]) is None
    assert await resolve_bearer(runtime, retry.json()["access_token"]) is not None
    runtime.settings.refresh_grace_seconds = 0
    replay = await refresh(client, info["client_id"], tokens["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    for t in (r1.json()["access_token"], retry.json()["access_token"], tokens["access_token"]):
        assert await resolve_bearer(runtime, t) is None
    assert (await refresh(client, info["client_id"], r1.json()["refresh_token"])).status_code == 400


async def test_parallel_refreshes_cannot_fork_the_family(client: httpx.AsyncClient, runtime: Runtime,
                                                         alice: Account) -> None:
    """12 refreshes of one token at once: at most a rotation and its one retry succeed, the rest are refused
    with invalid_grant, and the fork is treated as reuse: no refresh token of the family stays usable."""
    info, tokens = await _tokens(client, alice)
    answers = await asyncio.gather(*(refresh(client, info["client_id"], tokens["refresh_token"]) for _ in range(12)))
    ok = [r for r in answers if r.status_code == 200]
    refused = [r for r in answers if r.status_code != 200]
    assert 1 <= len(ok) <= 2 and len(refused) >= 10
    assert all(r.status_code == 400 and r.json()["error"] == "invalid_grant" for r in refused)
    for r in ok:
        assert (await refresh(client, info["client_id"], r.json()["refresh_token"])).status_code == 400
        assert await resolve_bearer(runtime, r.json()["access_token"]) is None


async def test_scope_only_narrows(client: httpx.AsyncClient, runtime: Runtime, alice: Account) -> None:
    info, tokens = await _tokens(client, alice)
    narrow = await refresh(client, info["client_id"], tokens["refresh_token"], scope="memory:read")
    assert narrow.status_code == 200 and narrow.json()["scope"] == "memory:read"
    principal = await resolve_bearer(runtime, narrow.json()["access_token"])
    assert principal is not None and principal.scopes == ("memory:read",)
    info2, tokens2 = await _tokens(client, alice, scope="memory:read")
    wider = await refresh(client, info2["client_id"], tokens2["refresh_token"], scope="memory:read memory:write")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"


async def test_refresh_by_other_client_or_foreign_resource(client: httpx.AsyncClient, alice: Account) -> None:
    info, tokens = await _tokens(client, alice)
    other = await register(client)
    r = await refresh(client, other["client_id"], tokens["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = await refresh(client, info["client_id"], tokens["refresh_token"], resource="https://evil.example.com/mcp")
    assert r.status_code == 400 and r.json()["error"] == "invalid_target"


async def test_deleted_or_swept_client_gets_invalid_client(client: httpx.AsyncClient, runtime: Runtime,
                                                           alice: Account) -> None:
    info, tokens = await _tokens(client, alice)
    await runtime.stores.oauth.delete_client(info["client_id"])
    r = await refresh(client, info["client_id"], tokens["refresh_token"])
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    unused = await register(client)
    used, _ = await _tokens(client, alice)
    removed = await sweep_once(runtime, time.time() + runtime.settings.unused_client_ttl + 1)
    assert removed >= 1
    assert await runtime.stores.oauth.get_client(unused["client_id"]) is None
    assert await runtime.stores.oauth.get_client(used["client_id"]) is not None
    r = await client.post("/token", data={"grant_type": "authorization_code", "code": "x", "code_verifier": "y" * 43,
                                          "client_id": unused["client_id"]})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


async def test_revoke_rules(client: httpx.AsyncClient, runtime: Runtime, alice: Account) -> None:
    info, tokens = await _tokens(client, alice)
    unknown = await client.post("/revoke", data={"token": "jmo_unknown", "client_id": info["client_id"]})
    assert unknown.status_code == 200
    assert (await client.post("/revoke", data={"client_id": info["client_id"]})).status_code == 400
    other = await register(client)
    await client.post("/revoke", data={"token": tokens["access_token"], "client_id": other["client_id"]})
    assert await resolve_bearer(runtime, tokens["access_token"]) is not None  # not the other client's to revoke
    r = await client.post("/revoke", data={"token": tokens["access_token"], "client_id": info["client_id"]})
    assert r.status_code == 200 and await resolve_bearer(runtime, tokens["access_token"]) is None
    assert (await refresh(client, info["client_id"], tokens["refresh_token"])).status_code == 200


async def test_tokens_hashed_at_rest_and_connected_apps(client: httpx.AsyncClient, runtime: Runtime,
                                                        alice: Account) -> None:
    info, tokens = await _tokens(client, alice)
    stored = await runtime.stores.oauth.get_token(hash_token(tokens["access_token"]))
    assert stored is not None and stored.resource == "http://testserver/mcp" and stored.user_id == alice.user_id
    with open(runtime.stores.database.path, "rb") as f:  # type: ignore[attr-defined]
        raw = f.read()
    assert tokens["access_token"].encode() not in raw and tokens["refresh_token"].encode() not in raw
    apps = await runtime.stores.oauth.list_connected_apps(alice.user_id)
    assert [a.client_id for a in apps] == [info["client_id"]] and apps[0].client_name == "Claude"
    n = await runtime.stores.oauth.revoke_client_for_user(alice.user_id, info["client_id"], time.time())
    assert n == 2 and await resolve_bearer(runtime, tokens["access_token"]) is None
    assert await runtime.stores.oauth.list_connected_apps(alice.user_id) == []
