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
from tests.web.helpers import csrf_of, login, page_csrf, site

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


async def _wrong(client: httpx.AsyncClient, token: str, email: str, address: str, **headers: str) -> httpx.Response:
    return await client.post("/login", data={"email": email, "password": "wrong-one", "csrf_token": token},
                             headers={"X-Forwarded-For": address} | headers)


async def test_login_is_limited_per_account_across_addresses(tmp_path: Path, embedder: Embedder) -> None:
    """30 wrong passwords from 30 IPv6 networks: the account backs off after 5, whatever the address."""
    async with site(tmp_path, embedder) as (app, client):
        account = await make_account(app.state.runtime, "erin@example.com")
        token = await page_csrf(client)
        home = {"X-Forwarded-For": "198.51.100.9"}
        r = await client.post("/login", data={"email": account.email, "password": account.password,
                                              "csrf_token": token}, headers=home)
        assert r.status_code == 303  # erin signs in from home once
        await client.post("/logout", data={"csrf_token": await page_csrf(client, "/logout")})
        token = await page_csrf(client)

        statuses = [(await _wrong(client, token, account.email, f"2001:db8:{i:x}::1")).status_code for i in range(30)]
        assert statuses == [400] * 5 + [429] * 25
        r = await client.post("/login", data={"email": account.email, "password": account.password,
                                              "csrf_token": token}, headers={"X-Forwarded-For": "2001:db8:ff::1"})
        assert r.status_code == 429 and 0 < int(r.headers["retry-after"]) <= 30  # refused before the check
        assert "text/html" in r.headers["content-type"] and "Too many failed sign-ins" in r.text
        r = await _wrong(client, token, account.email, "2001:db8:fe::1", Accept="application/json")
        assert r.status_code == 429 and r.json()["error"] == "rate_limited" and r.headers["retry-after"]

        # The attacker cannot lock erin out at home, and an unknown email backs off the same way (no enumeration).
        r = await client.post("/login", data={"email": account.email, "password": account.password,
                                              "csrf_token": token}, headers=home)
        assert r.status_code == 303
        await client.post("/logout", data={"csrf_token": await page_csrf(client, "/logout")})
        token = await page_csrf(client)
        ghost = [(await _wrong(client, token, "ghost@example.com", f"2001:db8:{i:x}::2")).status_code
                 for i in range(6)]
        assert ghost == [400] * 5 + [429]


async def test_ipv6_addresses_count_per_64(tmp_path: Path, embedder: Embedder) -> None:
    async with site(tmp_path, embedder, rate_limit_login=3, rate_limit_window=600) as (_, client):
        token = await page_csrf(client)
        same_64 = [(await _wrong(client, token, f"u{i}@example.com", f"2001:db8:0:1::{i + 1:x}")).status_code
                   for i in range(4)]
        assert same_64 == [400, 400, 400, 429]
        assert (await _wrong(client, token, "v@example.com", "2001:db8:0:2::1")).status_code == 400


async def test_mcp_consent_login_is_the_same_limited_login(client: httpx.AsyncClient, alice: Account) -> None:
    from tests.oauth.conftest import pkce
    from tests.oauth.flows import authorize_url, register

    info = await register(client)
    _, challenge = pkce()
    consent = (await client.get(authorize_url(info["client_id"], challenge))).headers["location"]
    to_login = (await client.get(consent)).headers["location"]
    page = await client.get(to_login)
    assert page.status_code == 200 and 'action="/login"' in page.text
    token = csrf_of(page.text)
    for expected in [400] * 5 + [429]:
        r = await client.post("/login", data={"email": alice.email, "password": "nope", "csrf_token": token,
                                              "next": consent})
        assert r.status_code == expected
    assert COOKIE not in r.headers.get("set-cookie", "") and "retry-after" in r.headers
