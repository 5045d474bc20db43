"""CSRF: every site form needs the token bound to this browser (site session, or ``jm_csrf`` before login)."""

from __future__ import annotations

import httpx
import pytest

from jean_memory.accounts.csrf import CSRF_COOKIE
from jean_memory.accounts.sessions import COOKIE
from tests.conftest import Account
from tests.web.helpers import csrf_of, login, page_csrf

pytestmark = pytest.mark.anyio


async def test_login_form_sets_a_pre_session_cookie_and_token(client: httpx.AsyncClient) -> None:
    r = await client.get("/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = csrf_of(r.text)
    assert token and token != client.cookies[CSRF_COOKIE]  # the token is derived, not the cookie itself
    assert csrf_of((await client.get("/login")).text) == token  # stable for this browser


async def test_login_without_or_with_a_foreign_token_is_refused(client: httpx.AsyncClient, alice: Account,
                                                                app: object) -> None:
    creds = {"email": alice.email, "password": alice.password}
    r = await client.post("/login", data=creds)
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert COOKIE not in r.headers.get("set-cookie", "")
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as other:
        foreign = await page_csrf(other, "/login")
    await client.get("/login")
    r = await client.post("/login", data=creds | {"csrf_token": foreign})
    assert r.status_code == 403
    assert (await client.get("/dashboard")).status_code == 303


async def test_token_changes_at_login_and_logout_needs_it(client: httpx.AsyncClient, alice: Account) -> None:
    before = await page_csrf(client, "/login")
    await login(client, alice.email, alice.password)
    after = csrf_of((await client.get("/dashboard")).text)
    assert after != before
    assert (await client.post("/logout", data={"csrf_token": before})).status_code == 403
    assert (await client.post("/logout", data={})).status_code == 403
    assert (await client.get("/dashboard")).status_code == 200  # still signed in
    r = await client.post("/logout", data={"csrf_token": after})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert (await client.get("/dashboard")).status_code == 303
