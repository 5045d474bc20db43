"""OAuthStore contract (every backend): clients, pending authorizations, single-use codes, tokens with rotation,
grace and family revocation, consents, connected apps and the sweeper. Both backends must answer alike."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from jean_memory.store import Stores
from jean_memory.store.oauth import AuthCode, OAuthClient, OAuthStore, PendingAuthorization, TokenRecord

pytestmark = pytest.mark.anyio
NOW = 1_800_000_000.123456  # a fixed clock: every expiry below is relative to it
RESOURCE = "https://memory.example.com/mcp"
SCOPE = "memory:read memory:write"


def _client(client_id: str = "jmc_one", **changes: object) -> OAuthClient:
    client = OAuthClient(client_id, "Claude", ("https://claude.ai/api/mcp/auth_callback",), "client_secret_post",
                         ("authorization_code", "refresh_token"), SCOPE,
                         {"client_name": "Claude", "nested": {"a": [1, 2]}, "unicode": "café ☕"}, NOW - 10,
                         secret_hash="s" * 64, registration_token_hash="g" * 64)
    return replace(client, **changes)  # type: ignore[arg-type]


def _code(user_id: str, code_hash: str = "code-1", client_id: str = "jmc_one", ttl: float = 300,
          family: str = "fam-1") -> AuthCode:
    return AuthCode(code_hash, client_id, user_id, "https://claude.ai/api/mcp/auth_callback", "c" * 43, RESOURCE,
                    SCOPE, family, NOW + ttl)


def _token(user_id: str, token_hash: str, kind: str = "access", family: str = "fam-1", client_id: str = "jmc_one",
           ttl: float = 3600, created: float = NOW) -> TokenRecord:
    return TokenRecord(token_hash, kind, family, client_id, user_id, SCOPE, RESOURCE, created,  # type: ignore[arg-type]
                       created + ttl)


async def _user(stores: Stores, email: str = "owner@example.com") -> str:
    return (await stores.users.create_user(email, None)).id


async def _revoked(store: OAuthStore, *hashes: str) -> list[bool]:
    out = []
    for h in hashes:
        record = await store.get_token(h)
        assert record is not None, h
        out.append(record.revoked_at is not None)
    return out


async def test_clients_round_trip_update_and_delete(stores: Stores) -> None:
    store = stores.oauth
    assert await store.get_client("jmc_one") is None
    await store.save_client(_client())
    assert await store.get_client("jmc_one") == _client()

    # An update (RFC 7592) replaces the metadata but keeps when it was created and last used.
    await store.issue_tokens([_token(await _user(stores), "t-1")], NOW)
    uris = ("https://claude.com/cb", "http://127.0.0.1/cb")
    await store.save_client(_client(client_name="Renamed", redirect_uris=uris, metadata={"x": 1},
                                    created_at=NOW + 999, last_used_at=None))
    updated = await store.get_client("jmc_one")
    assert updated == _client(client_name="Renamed", redirect_uris=uris, metadata={"x": 1}, last_used_at=NOW)

    document = _client("https://claude.ai/oauth/mcp-oauth-client-metadata", auth_method="none", secret_hash=None,
                       registration_token_hash=None, is_document=True, document_expires_at=NOW + 3600)
    await store.save_client(document)
    assert await store.get_client(document.client_id) == document

    assert await store.delete_client("jmc_one") is True
    assert await store.delete_client("jmc_one") is False
    assert await store.get_client("jmc_one") is None
    assert await store.get_token("t-1") is None  # the client's tokens went with it


async def test_delete_client_takes_pendings_codes_tokens_and_grants(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.create_pending(PendingAuthorization("p-1", "jmc_one", "https://claude.ai/api/mcp/auth_callback",
                                                    "st", "c" * 43, RESOURCE, SCOPE, "consent", NOW + 60))
    await store.create_code(_code(user))
    await store.save_grant(user, "jmc_one", SCOPE, NOW)
    await store.issue_tokens([_token(user, "a-1"), _token(user, "r-1", "refresh")], NOW)
    await store.delete_client("jmc_one")
    assert await store.get_pending("p-1", NOW) is None
    assert await store.consume_code("code-1", NOW) == ("unknown", None)
    assert await store.get_grant_scope(user, "jmc_one") is None
    assert await store.get_token("a-1") is None and await store.get_token("r-1") is None
    assert await store.list_connected_apps(user) == []


async def test_pending_authorizations_expire_and_are_single_use(stores: Stores) -> None:
    store = stores.oauth
    await store.save_client(_client())
    pending = PendingAuthorization("p-1", "jmc_one", "https://claude.ai/api/mcp/auth_callback", None, "c" * 43,
                                   RESOURCE, "memory:read", "", NOW + 60)
    await store.create_pending(pending)
    assert await store.get_pending("p-1", NOW) == pending
    assert await store.get_pending("p-1", NOW + 60) is None  # expired (expiry is exclusive)
    assert await store.delete_pending("p-1") is True
    assert await store.delete_pending("p-1") is False
    assert await store.get_pending("p-1", NOW) is None


async def test_codes_are_single_use_and_a_reuse_revokes_what_they_issued(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    code = _code(user)
    await store.create_code(code)
    assert await store.consume_code("nope", NOW) == ("unknown", None)

    outcome, first = await store.consume_code("code-1", NOW)
    assert outcome == "ok" and first == code
    await store.issue_tokens([_token(user, "a-1"), _token(user, "r-1", "refresh"),
                              _token(user, "other", family="fam-2")], NOW)
    outcome, second = await store.consume_code("code-1", NOW + 1)
    assert outcome == "reused" and second == replace(code, used_at=NOW)
    assert await _revoked(store, "a-1", "r-1", "other") == [True, True, False]
    assert (await store.get_token("a-1")).revoked_at == NOW + 1  # type: ignore[union-attr]


async def test_an_expired_code_is_unknown_and_then_spent(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.create_code(_code(user, ttl=60))
    outcome, record = await store.consume_code("code-1", NOW + 60)
    assert outcome == "unknown" and record is not None and record.code_hash == "code-1"
    assert (await store.consume_code("code-1", NOW + 61))[0] == "reused"


async def test_tokens_are_looked_up_by_hash_and_mark_their_client_and_grant_used(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.save_grant(user, "jmc_one", SCOPE, NOW - 100)
    access, refresh = _token(user, "a-1"), _token(user, "r-1", "refresh", ttl=86400)
    await store.issue_tokens([access, refresh], NOW)
    assert await store.get_token("a-1") == access and await store.get_token("r-1") == refresh
    assert await store.get_token("a-2") is None
    assert (await store.get_client("jmc_one")).last_used_at == NOW  # type: ignore[union-attr]
    [app] = await store.list_connected_apps(user)
    assert app.last_used_at == NOW and app.granted_at == NOW - 100


async def test_revoking_access_is_one_token_revoking_refresh_is_the_family(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.issue_tokens([_token(user, "a-1"), _token(user, "a-2"), _token(user, "r-1", "refresh"),
                              _token(user, "x-1", family="fam-2")], NOW)
    await store.revoke_token("a-1", NOW + 1)
    await store.revoke_token("a-1", NOW + 2)  # idempotent: the first revocation time stays
    await store.revoke_token("unknown", NOW + 2)
    assert await _revoked(store, "a-1", "a-2", "r-1", "x-1") == [True, False, False, False]
    assert (await store.get_token("a-1")).revoked_at == NOW + 1  # type: ignore[union-attr]
    await store.revoke_token("r-1", NOW + 3)
    assert await _revoked(store, "a-1", "a-2", "r-1", "x-1") == [True, True, True, False]
    assert await store.revoke_family("fam-2", NOW + 4) == 1
    assert await store.revoke_family("fam-2", NOW + 5) == 0
    assert await store.revoke_family("no-such-family", NOW) == 0


async def test_refresh_rotation_grace_and_family_revocation(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.issue_tokens([_token(user, "a-0"), _token(user, "r-0", "refresh")], NOW)
    grace = 30.0

    def generation(n: int, at: float) -> list[TokenRecord]:
        return [_token(user, f"a-{n}", created=at), _token(user, f"r-{n}", "refresh", created=at)]

    assert await store.rotate_refresh("r-0", generation(1, NOW + 10), NOW + 10, grace) == "ok"
    assert (await store.get_token("r-0")).rotated_at == NOW + 10  # type: ignore[union-attr]
    assert await store.get_token("r-1") == generation(1, NOW + 10)[1]
    # One retried request inside the grace period gets a fresh pair that replaces the first one.
    assert await store.rotate_refresh("r-0", generation(2, NOW + 40), NOW + 40, grace) == "replayed"
    assert (await store.get_token("r-0")).rotated_at == NOW + 10  # type: ignore[union-attr]
    assert await _revoked(store, "a-0", "r-0", "a-1", "r-1", "a-2", "r-2") == [False, False, True, True, False, False]
    # A second retry, even inside the grace period, is a fork: the whole family goes, nothing new is stored.
    assert await store.rotate_refresh("r-0", generation(3, NOW + 40), NOW + 40, grace) == "reused"
    assert await _revoked(store, "a-0", "r-0", "a-1", "r-1", "a-2", "r-2") == [True] * 6
    assert await store.get_token("r-3") is None
    assert await store.rotate_refresh("r-2", generation(4, NOW + 42), NOW + 42, grace) == "unknown"  # revoked
    assert await store.get_token("r-4") is None


async def test_refresh_reuse_after_grace_or_after_the_child_was_used(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.issue_tokens([_token(user, "r-0", "refresh"), _token(user, "x-0", "refresh", family="fam-2")], NOW)

    def pair(n: str, at: float, family: str = "fam-1") -> list[TokenRecord]:
        return [_token(user, f"a-{n}", family=family, created=at),
                _token(user, f"r-{n}", "refresh", family, created=at)]

    assert await store.rotate_refresh("r-0", pair("1", NOW + 10), NOW + 10, 30) == "ok"
    assert await store.rotate_refresh("r-0", pair("2", NOW + 41), NOW + 41, 30) == "reused"  # after the grace
    assert await _revoked(store, "r-0", "a-1", "r-1") == [True] * 3 and await store.get_token("r-2") is None

    # The client got the first answer and already used it: a retry of the parent is a second holder.
    assert await store.rotate_refresh("x-0", pair("x1", NOW, "fam-2"), NOW, 30) == "ok"
    assert await store.rotate_refresh("r-x1", pair("x2", NOW + 1, "fam-2"), NOW + 1, 30) == "ok"
    assert await store.rotate_refresh("x-0", pair("x3", NOW + 2, "fam-2"), NOW + 2, 30) == "reused"
    assert await _revoked(store, "r-x1", "r-x2", "a-x2") == [True] * 3

    # A first pair superseded by the retry, presented later, means two holders: the live branch goes too.
    await store.issue_tokens([_token(user, "y-0", "refresh", family="fam-3")], NOW)
    assert await store.rotate_refresh("y-0", pair("y1", NOW, "fam-3"), NOW, 30) == "ok"
    assert await store.rotate_refresh("y-0", pair("y2", NOW + 1, "fam-3"), NOW + 1, 30) == "replayed"
    assert await store.rotate_refresh("r-y1", pair("y3", NOW + 2, "fam-3"), NOW + 2, 30) == "unknown"
    assert await _revoked(store, "r-y2", "a-y2") == [True, True] and await store.get_token("r-y3") is None


async def test_parallel_refreshes_leave_at_most_one_live_branch(stores: Stores) -> None:
    """12 concurrent uses of one refresh token (separate connections on PostgreSQL): one rotation, at most one
    replay, the rest refused; whatever the interleaving, never two live refresh tokens in the family."""
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.issue_tokens([_token(user, "r-0", "refresh")], NOW)
    outcomes = await asyncio.gather(*(store.rotate_refresh(
        "r-0", [_token(user, f"a-{i}"), _token(user, f"r-{i + 1}", "refresh")], NOW + 1, 30) for i in range(12)))
    assert outcomes.count("ok") == 1 and outcomes.count("replayed") <= 1 and "reused" in outcomes, outcomes
    assert set(outcomes) <= {"ok", "replayed", "reused", "unknown"}  # "unknown": the family was already revoked
    children = [await store.get_token(f"r-{i + 1}") for i in range(12)]
    stored = [t for t in children if t is not None]
    assert len(stored) == 1 + outcomes.count("replayed")
    assert [t for t in stored if t.revoked_at is None] == []  # the fork was detected: the whole family is revoked


async def test_rotation_refuses_unknown_expired_revoked_and_access_tokens(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.issue_tokens([_token(user, "a-0"), _token(user, "r-old", "refresh", ttl=100),
                              _token(user, "r-x", "refresh", family="fam-2")], NOW)
    await store.revoke_token("r-x", NOW)
    new = [_token(user, "r-new", "refresh")]
    for presented, at in (("nope", NOW), ("a-0", NOW), ("r-old", NOW + 100), ("r-x", NOW + 1)):
        assert await store.rotate_refresh(presented, new, at, 30) == "unknown", presented
    assert await store.get_token("r-new") is None


async def test_consents_and_their_use(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    assert await store.get_grant_scope(user, "jmc_one") is None
    await store.save_grant(user, "jmc_one", "memory:read", NOW)
    assert await store.get_grant_scope(user, "jmc_one") == "memory:read"
    await store.save_grant(user, "jmc_one", SCOPE, NOW + 5)  # a new consent replaces the old one
    assert await store.get_grant_scope(user, "jmc_one") == SCOPE
    [app] = await store.list_connected_apps(user)
    assert (app.scope, app.granted_at, app.last_used_at) == (SCOPE, NOW + 5, None)

    await store.touch_grant(user, "jmc_one", NOW + 10)
    await store.touch_grant(user, "jmc_one", NOW + 20)  # within a minute of the last write: not recorded
    assert (await store.list_connected_apps(user))[0].last_used_at == NOW + 10
    await store.touch_grant(user, "jmc_one", NOW + 71)
    assert (await store.list_connected_apps(user))[0].last_used_at == NOW + 71
    await store.touch_grant(user, "no-such-client", NOW + 100)


async def test_consents_remember_their_exact_redirect_uris(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    loop_a, loop_b = "http://127.0.0.1:50001/cb", "http://127.0.0.1:50999/cb"
    await store.save_grant(user, "jmc_one", SCOPE, NOW)  # no redirect URI: approves none
    assert await store.get_grant_scope(user, "jmc_one", loop_a) is None
    await store.save_grant(user, "jmc_one", "memory:read", NOW + 1, loop_a)
    await store.save_grant(user, "jmc_one", SCOPE, NOW + 2, "https://claude.ai/api/mcp/auth_callback")
    assert await store.get_grant_scope(user, "jmc_one", loop_a) == SCOPE  # the latest scope, URIs accumulate
    assert await store.get_grant_scope(user, "jmc_one", "https://claude.ai/api/mcp/auth_callback") == SCOPE
    assert await store.get_grant_scope(user, "jmc_one", loop_b) is None  # the port is part of the URI
    assert await store.get_grant_scope(user, "jmc_one", loop_a + "\x00") is None
    assert await store.revoke_client_for_user(user, "jmc_one", NOW + 3) == 0
    await store.save_grant(user, "jmc_one", SCOPE, NOW + 4)  # consent again: the old URIs went with the revocation
    assert await store.get_grant_scope(user, "jmc_one", loop_a) is None
    assert await store.get_grant_scope(user, "jmc_one") == SCOPE


async def test_connected_apps_and_revoking_one_for_a_user(stores: Stores) -> None:
    store = stores.oauth
    alice, bob = await _user(stores, "alice@example.com"), await _user(stores, "bob@example.com")
    await store.save_client(_client("jmc_one"))
    await store.save_client(_client("jmc_two", client_name="Cursor", redirect_uris=("http://127.0.0.1/cb",)))
    await store.save_client(_client("jmc_unconsented"))
    await store.save_grant(alice, "jmc_one", SCOPE, NOW)
    await store.save_grant(alice, "jmc_two", "memory:read", NOW + 1)
    await store.save_grant(bob, "jmc_one", SCOPE, NOW)
    await store.touch_grant(alice, "jmc_one", NOW + 500)
    apps = await store.list_connected_apps(alice)
    assert [(a.client_id, a.client_name, a.scope, a.redirect_uris) for a in apps] == [
        ("jmc_one", "Claude", SCOPE, ("https://claude.ai/api/mcp/auth_callback",)),  # most recently used first
        ("jmc_two", "Cursor", "memory:read", ("http://127.0.0.1/cb",)),
    ]
    assert await store.list_connected_apps("no-such-user") == []

    await store.create_code(_code(alice))
    await store.create_code(_code(bob, "code-bob", family="fam-bob"))
    await store.issue_tokens([_token(alice, "a-1"), _token(alice, "r-1", "refresh"),
                              _token(bob, "b-1", family="fam-bob")], NOW)
    await store.revoke_token("a-1", NOW)
    assert await store.revoke_client_for_user(alice, "jmc_one", NOW + 1) == 1  # r-1; a-1 was already revoked
    assert await store.revoke_client_for_user(alice, "jmc_one", NOW + 2) == 0
    assert [a.client_id for a in await store.list_connected_apps(alice)] == ["jmc_two"]
    assert await store.get_grant_scope(alice, "jmc_one") is None
    assert await store.consume_code("code-1", NOW) == ("unknown", None)  # alice's pending code is gone
    assert await _revoked(store, "a-1", "r-1", "b-1") == [True, True, False]
    assert (await store.consume_code("code-bob", NOW))[0] == "ok"  # bob keeps everything
    assert [a.client_id for a in await store.list_connected_apps(bob)] == ["jmc_one"]


async def test_sweep_removes_expired_rows_and_never_used_clients(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    unused_before = NOW - 3600
    await store.save_client(_client("jmc_used", created_at=NOW - 7200))
    await store.save_client(_client("jmc_consented", created_at=NOW - 7200))
    await store.save_client(_client("jmc_abandoned", created_at=NOW - 7200))
    await store.save_client(_client("jmc_recent", created_at=NOW - 60))
    await store.save_grant(user, "jmc_consented", SCOPE, NOW - 7000)
    for i, expires in enumerate((NOW - 1, NOW, NOW + 60)):
        await store.create_pending(PendingAuthorization(f"p-{i}", "jmc_recent", "https://claude.ai/cb", None,
                                                        "c" * 43, RESOURCE, SCOPE, "", expires))
        await store.create_code(_code(user, f"code-{i}", "jmc_recent", ttl=expires - NOW))
    await store.issue_tokens([_token(user, "a-old", client_id="jmc_used", created=NOW - 7200, ttl=3600),
                              _token(user, "a-now", client_id="jmc_used", created=NOW - 3600, ttl=3600),
                              _token(user, "a-live", client_id="jmc_used", ttl=3600)], NOW - 7200)

    # 2 pendings + 2 codes + 2 tokens (expiry at or before now) + the abandoned client
    assert await store.sweep(NOW, unused_before) == 7
    assert await store.sweep(NOW, unused_before) == 0
    assert [await store.get_pending(f"p-{i}", NOW - 10) is not None for i in range(3)] == [False, False, True]
    assert [(await store.consume_code(f"code-{i}", NOW - 10))[0] for i in range(3)] == ["unknown", "unknown", "ok"]
    assert [await store.get_token(h) is not None for h in ("a-old", "a-now", "a-live")] == [False, False, True]
    kept = {c: await store.get_client(c) is not None
            for c in ("jmc_used", "jmc_consented", "jmc_abandoned", "jmc_recent")}
    assert kept == {"jmc_used": True, "jmc_consented": True, "jmc_abandoned": False, "jmc_recent": True}


async def test_nul_is_never_stored_and_never_found(stores: Stores) -> None:
    """PostgreSQL text cannot hold NUL; both backends refuse to store it and find nothing by it (no DataError)."""
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    with pytest.raises(ValueError, match="NUL"):
        await store.save_client(_client("jmc_nul", client_name="evil\x00name"))
    with pytest.raises(ValueError, match="NUL"):
        await store.save_client(_client("jmc_nul", redirect_uris=("https://x.example/\x00",)))
    with pytest.raises(ValueError, match="NUL"):
        await store.create_pending(PendingAuthorization("p-1", "jmc_one", "https://claude.ai/cb", "st\x00", "c" * 43,
                                                        RESOURCE, SCOPE, "", NOW + 60))
    with pytest.raises(ValueError, match="NUL"):
        await store.save_grant(user, "jmc_one", "memory:read\x00", NOW)
    assert await store.get_client("jmc_nul") is None
    assert await store.get_client("jmc_one\x00") is None
    assert await store.delete_client("jmc_one\x00") is False
    assert await store.get_pending("p\x00", NOW) is None and await store.delete_pending("p\x00") is False
    assert await store.consume_code("c\x00", NOW) == ("unknown", None)
    assert await store.get_token("t\x00") is None
    assert await store.rotate_refresh("r\x00", [], NOW, 30) == "unknown"
    await store.revoke_token("t\x00", NOW)
    assert await store.revoke_family("f\x00", NOW) == 0
    assert await store.get_grant_scope(user, "jmc_one\x00") is None
    await store.touch_grant(user, "jmc_one\x00", NOW)
    assert await store.list_connected_apps("u\x00") == []
    assert await store.revoke_client_for_user(user, "jmc_one\x00", NOW) == 0


async def test_a_connected_app_is_active_while_it_holds_a_live_token(stores: Stores) -> None:
    store, user = stores.oauth, await _user(stores)
    await store.save_client(_client())
    await store.save_grant(user, "jmc_one", SCOPE, NOW)
    assert [a.active for a in await store.list_connected_apps(user, NOW)] == [False]  # consented, no token yet
    await store.issue_tokens([_token(user, "a-1"), _token(user, "r-1", "refresh", ttl=86400)], NOW)
    assert [a.active for a in await store.list_connected_apps(user, NOW + 1)] == [True]
    assert [a.active for a in await store.list_connected_apps(user, NOW + 86400)] == [False]  # all expired
    await store.revoke_token("r-1", NOW + 2)  # the client signed out: its whole family goes
    assert [a.active for a in await store.list_connected_apps(user, NOW + 3)] == [False]
    assert [a.client_id for a in await store.list_connected_apps(user)] == ["jmc_one"]  # the grant is still there
