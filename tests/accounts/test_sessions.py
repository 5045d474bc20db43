"""Site sessions: cookie flags, hashing at rest, expiry, rotation at login (no fixation), safe ``next``."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import anyio
import httpx
import pytest

from jean_memory.accounts.sessions import COOKIE, login_redirect, safe_next
from jean_memory.embeddings import Embedder
from jean_memory.runtime import Runtime
from jean_memory.security import hash_token
from tests.conftest import Account
from tests.web.helpers import login, site

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("good", ["/dashboard", "/authorize?client_id=a&redirect_uri=https%3A%2F%2Fx", "/a/b#c"])
def test_safe_next_keeps_same_origin_paths(good: str) -> None:
    assert safe_next(good) == good


@pytest.mark.parametrize("bad", [None, "", "dashboard", "//evil.example", "/\\evil.example", "/\\/evil.example",
                                 "https://evil.example/", "javascript:alert(1)", "/a\r\nSet-Cookie: x=1", "/a\tb",
                                 "\\\\evil.example", "/" + "a" * 3000])
def test_safe_next_refuses_everything_else(bad: str | None) -> None:
    assert safe_next(bad) == "/dashboard"


def test_login_redirect_is_303_with_encoded_next() -> None:
    r = login_redirect("/authorize?client_id=x&state=y")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fauthorize%3Fclient_id%3Dx%26state%3Dy"
    assert login_redirect("//evil.example").headers["location"] == "/login?next=%2Fdashboard"


async def test_login_sets_a_hashed_httponly_lax_cookie(client: httpx.AsyncClient, alice: Account,
                                                       runtime: Runtime, settings: object) -> None:
    r = await login(client, alice.email, alice.password)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie
    value = client.cookies[COOKIE]
    db = sqlite3.connect(runtime.settings.effective_database_url.removeprefix("sqlite:///"))
    stored = [row[0] for row in db.execute("SELECT id_hash FROM site_sessions")]
    db.close()
    assert stored == [hash_token(value)]  # only the hash is at rest


async def test_cookie_is_secure_behind_https(tmp_path: Path, embedder: Embedder) -> None:
    async with site(tmp_path, embedder, public_url="https://memory.example.com") as (app, client):
        await app.state.runtime.stores.users.create_user("c@example.com", None)
        from jean_memory.accounts.passwords import hash_password

        await app.state.runtime.stores.users.set_password(
            (await app.state.runtime.stores.users.get_user_by_email("c@example.com")).id, hash_password("pw-123456"))
        r = await login(client, "c@example.com", "pw-123456")
        assert r.status_code == 303
        assert "Secure" in r.headers["set-cookie"]


async def test_login_rotates_the_session_id(client: httpx.AsyncClient, alice: Account) -> None:
    client.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local")
    await login(client, alice.email, alice.password)
    first = client.cookies[COOKIE]
    assert first != "planted-by-an-attacker"
    await login(client, alice.email, alice.password)  # signing in again issues a new id and drops the old one
    second = client.cookies[COOKIE]
    assert second != first
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver",
                                 cookies={COOKIE: first}) as stale:
        assert (await stale.get("/dashboard")).status_code == 303
    assert (await client.get("/dashboard")).status_code == 200


async def test_expired_session_is_refused(client: httpx.AsyncClient, alice: Account, runtime: Runtime) -> None:
    await runtime.stores.sessions.create_session(hash_token("old-cookie"), alice.user_id, time.time() - 1)
    client.cookies.set(COOKIE, "old-cookie", domain="testserver.local")
    r = await client.get("/dashboard")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fdashboard"
    assert await runtime.stores.sessions.sweep_expired(time.time()) == 1


async def test_deleting_the_user_drops_their_sessions(client: httpx.AsyncClient, alice: Account,
                                                      runtime: Runtime) -> None:
    await login(client, alice.email, alice.password)
    await runtime.stores.users.delete_user(alice.user_id)
    assert (await client.get("/dashboard")).status_code == 303


async def test_the_sweeper_hook_runs_at_start(app: object, runtime: Runtime, alice: Account) -> None:
    from jean_memory.accounts.session_sweeper import session_sweeper

    await runtime.stores.sessions.create_session("expired", alice.user_id, time.time() - 5)
    async with session_sweeper(runtime):
        for _ in range(200):  # poll (bounded) until the first pass has run
            if await runtime.stores.sessions.get_session("expired", 0) is None:
                break
            await anyio.sleep(0.01)
    assert await runtime.stores.sessions.get_session("expired", 0) is None


async def test_the_sweeper_forgets_rate_limit_windows_that_ended(runtime: Runtime) -> None:
    from jean_memory.accounts.session_sweeper import sweep_once

    window = runtime.settings.rate_limit_window
    assert await runtime.stores.rate_limits.hit("login:192.0.2.1", 1, window) is None
    assert await sweep_once(runtime) == 0  # still running: kept
    assert await runtime.stores.rate_limits.hit("login:192.0.2.1", 1, window) is not None
    assert await sweep_once(runtime, time.time() + window + 1) >= 1
    assert await runtime.stores.rate_limits.hit("login:192.0.2.1", 1, window) is None  # counted afresh
