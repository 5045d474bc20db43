"""Site sign-in: redirects back to ``next``, same answer for a wrong email or password, rate limit, isolation."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import httpx
import pytest

from jean_memory.accounts.sessions import COOKIE
from jean_memory.embeddings import Embedder
from tests.conftest import Account, make_account
from tests.web.helpers import login, page_csrf, site

pytestmark = pytest.mark.anyio


async def test_login_returns_to_next(client: httpx.AsyncClient, alice: Account) -> None:
    r = await client.get("/login", params={"next": "/authorize?client_id=c&state=s"})
    assert 'value="/authorize?client_id=c&amp;state=s"' in r.text
    r = await login(client, alice.email, alice.password, "/authorize?client_id=c&state=s")
    assert r.status_code == 303 and r.headers["location"] == "/authorize?client_id=c&state=s"
    r = await client.get("/login", params={"next": "/dashboard/keys"})  # already signed in: straight through
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/keys"


@pytest.mark.parametrize("evil", ["//evil.example/x", "https://evil.example", "/\\evil.example", "/x\r\nLocation: y"])
async def test_open_redirects_are_refused(client: httpx.AsyncClient, alice: Account, evil: str) -> None:
    r = await login(client, alice.email, alice.password, evil)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"


async def test_wrong_email_and_wrong_password_look_the_same(client: httpx.AsyncClient, alice: Account) -> None:
    wrong_password = await login(client, alice.email, "not the password")
    wrong_email = await login(client, "nobody@example.com", alice.password)
    assert wrong_password.status_code == wrong_email.status_code == 400
    for r in (wrong_password, wrong_email):
        assert "Wrong email or password." in r.text and COOKIE not in r.headers.get("set-cookie", "")

    async def timed(email: str) -> float:
        token = await page_csrf(client)
        start = time.perf_counter()
        await client.post("/login", data={"email": email, "password": "x" * 12, "csrf_token": token})
        return time.perf_counter() - start

    known = statistics.median([await timed(alice.email) for _ in range(3)])
    unknown = statistics.median([await timed("nobody@example.com") for _ in range(3)])
    assert 0.33 < known / unknown < 3  # both verify one argon2 hash; a missing account is not a fast path


async def test_login_is_rate_limited_per_address(tmp_path: Path, embedder: Embedder) -> None:
    async with site(tmp_path, embedder, rate_limit_login=3, rate_limit_window=600) as (app, client):
        account = await make_account(app.state.runtime, "dora@example.com")
        here = {"X-Forwarded-For": "203.0.113.7"}  # the test client is 127.0.0.1, a trusted proxy
        token = await page_csrf(client)
        for _ in range(3):
            r = await client.post("/login", data={"email": account.email, "password": "wrong-one",
                                                  "csrf_token": token}, headers=here)
            assert r.status_code == 400
        r = await client.post("/login", data={"email": account.email, "password": account.password,
                                              "csrf_token": token}, headers=here)
        assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 600
        assert "text/html" in r.headers["content-type"] and COOKIE not in r.headers.get("set-cookie", "")
        r = await client.post("/login", data={"email": account.email, "password": account.password,
                                              "csrf_token": token}, headers={"X-Forwarded-For": "198.51.100.2"})
        assert r.status_code == 303  # another address is not locked out


async def test_site_cookie_does_not_open_the_api(client: httpx.AsyncClient, alice: Account) -> None:
    await login(client, alice.email, alice.password)
    assert (await client.get("/dashboard")).status_code == 200
    r = await client.get("/api/v1/memories")
    assert r.status_code == 401


async def test_api_key_does_not_open_the_dashboard(client: httpx.AsyncClient, alice: Account) -> None:
    assert (await client.get("/api/v1/memories", headers=alice.headers)).status_code == 200
    r = await client.get("/dashboard", headers=alice.headers)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fdashboard"


async def test_malformed_login_posts_get_a_page_not_a_500(client: httpx.AsyncClient) -> None:
    r = await client.post("/login", content=b"\xff\xfe garbage", headers={"content-type": "multipart/form-data"})
    assert 400 <= r.status_code < 500
    token = await page_csrf(client)
    r = await client.post("/login", data={"csrf_token": token})
    assert r.status_code == 400 and "Wrong email or password." in r.text
