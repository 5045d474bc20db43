"""Sign-up (open on a loopback PUBLIC_URL, closed otherwise), landing page, error pages, logout."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import httpx
import pytest

from jean_memory.accounts.sessions import COOKIE
from jean_memory.embeddings import Embedder
from jean_memory.runtime import Runtime
from tests.conftest import Account, make_account
from tests.web.helpers import page_csrf, post_form, site

pytestmark = pytest.mark.anyio


async def _signup(client: httpx.AsyncClient, email: str, password: str, confirm: str | None = None,
                  next_path: str = "") -> httpx.Response:
    return await post_form(client, "/signup", "/signup", {"email": email, "password": password,
                                                          "password_confirm": password if confirm is None else confirm,
                                                          "next": next_path})


async def test_signup_on_loopback_creates_an_account_and_signs_in(tmp_path: Path, embedder: Embedder) -> None:
    async with site(tmp_path, embedder, public_url="http://127.0.0.1:9") as (app, client):
        r = await _signup(client, "New@Example.com", "a good password", next_path="/dashboard/keys")
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/keys"
        assert COOKIE in r.headers["set-cookie"]
        user = await app.state.runtime.stores.users.get_user_by_email("new@example.com")
        assert user is not None and user.password_hash and user.password_hash.startswith("$argon2id$")
        assert (await client.get("/dashboard")).status_code == 200


def _shape(r: httpx.Response) -> tuple[object, ...]:
    """What a sign-up answer shows: status, Location, body, and the cookie's name and attributes (not its value)."""
    cookie = r.headers.get("set-cookie", "")
    name, _, attributes = cookie.partition(";")
    return r.status_code, r.headers.get("location"), r.text, name.split("=")[0], attributes


async def test_signup_answers_alike_whether_or_not_the_email_exists(
        tmp_path: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture) -> None:
    async with site(tmp_path, embedder, public_url="http://127.0.0.1:9") as (app, client):
        users = app.state.runtime.stores.users
        new = await _signup(client, "owner@example.com", "the owner's password", next_path="/dashboard/keys")
        owner = await users.get_user_by_email("owner@example.com")
        await client.post("/logout", data={"csrf_token": await page_csrf(client, "/dashboard")})

        fresh = await _signup(client, "someone@example.com", "a good password", next_path="/dashboard/keys")
        await client.post("/logout", data={"csrf_token": await page_csrf(client, "/dashboard")})
        with caplog.at_level("INFO", logger="jean_memory.accounts"):
            taken = await _signup(client, "Owner@Example.com", "an attacker's password", next_path="/dashboard/keys")
        assert _shape(taken) == _shape(new) == _shape(fresh)
        assert taken.status_code == 303 and COOKIE in taken.headers["set-cookie"]
        assert "owner@example.com" not in taken.text.lower() and "exists" not in taken.text

        # Nothing changed for the owner and nobody is signed in as them.
        dashboard = await client.get("/dashboard")
        assert dashboard.status_code == 303 and dashboard.headers["location"].startswith("/login")
        assert await users.get_user_by_email("owner@example.com") == owner
        assert len(await users.list_users(10, 0)) == 2
        logged = [r.getMessage() for r in caplog.records if r.name == "jean_memory.accounts"]
        assert logged and owner is not None and owner.id in logged[0]
        assert all("owner@example.com" not in m.lower() for m in caplog.messages)


async def test_signup_for_a_taken_email_takes_about_as_long(tmp_path: Path, embedder: Embedder) -> None:
    """Both answers hash the password: a taken email is not a fast path."""
    async with site(tmp_path, embedder, public_url="http://127.0.0.1:9") as (app, client):
        await make_account(app.state.runtime, "taken@example.com")

        async def timed(email: str) -> float:
            token = await page_csrf(client, "/signup")
            start = time.perf_counter()
            r = await client.post("/signup", data={"email": email, "password": "x" * 12, "password_confirm": "x" * 12,
                                                   "csrf_token": token})
            elapsed = time.perf_counter() - start
            assert r.status_code == 303
            client.cookies.clear()
            return elapsed

        taken = statistics.median([await timed("taken@example.com") for _ in range(3)])
        new = statistics.median([await timed(f"new{i}@example.com") for i in range(3)])
        assert 0.5 < taken / new < 2


@pytest.mark.parametrize(("email", "password", "confirm", "message"), [
    ("not-an-email", "a good password", None, "valid email"),
    ("x@example.com", "short", None, "at least 8"),
    ("x@example.com", "a good password", "a different one", "do not match"),
])
async def test_signup_refuses_bad_input(tmp_path: Path, embedder: Embedder, email: str, password: str,
                                        confirm: str | None, message: str) -> None:
    async with site(tmp_path, embedder, public_url="http://localhost:9") as (app, client):
        r = await _signup(client, email, password, confirm)
        assert r.status_code == 400 and message in r.text
        assert await app.state.runtime.stores.users.list_users(10, 0) == []


async def test_signup_is_closed_on_a_public_url_by_default(tmp_path: Path, embedder: Embedder) -> None:
    async with site(tmp_path, embedder, public_url="https://memory.example.com") as (app, client):
        assert app.state.runtime.settings.signup_enabled is False
        r = await client.get("/signup")
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]
        token = await page_csrf(client, "/login")
        assert "/signup" not in (await client.get("/login")).text
        r = await client.post("/signup", data={"email": "x@example.com", "password": "a good password",
                                               "password_confirm": "a good password", "csrf_token": token})
        assert r.status_code == 404 and await app.state.runtime.stores.users.list_users(10, 0) == []


async def test_landing_page_shows_how_to_connect(client: httpx.AsyncClient, runtime: Runtime) -> None:
    r = await client.get("/")
    assert r.status_code == 200
    for needle in ["http://testserver/mcp", "Claude Code", "claude mcp add --transport http", "ChatGPT", "Cursor",
                   "VS Code", "mcp-remote"]:
        assert needle in r.text
    assert (await client.get("/static/site.css")).status_code == 200


async def test_logout_keeps_nothing_and_get_logout_shows_a_form(client: httpx.AsyncClient, alice: Account) -> None:
    from tests.web.helpers import login

    await login(client, alice.email, alice.password)
    r = await client.get("/logout")
    assert r.status_code == 200 and 'action="/logout"' in r.text
    assert (await client.get("/dashboard")).status_code == 200  # a GET does not sign out
