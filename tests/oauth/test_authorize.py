"""The authorization endpoint's refusals (mcp-oauth.md section 3): error page or redirect, never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest

from ..conftest import Account
from .conftest import pkce
from .flows import CLAUDE_AI, authorize_url, get_code, query, register

pytestmark = pytest.mark.anyio


async def test_unknown_client_gets_page_not_redirect(client: httpx.AsyncClient) -> None:
    _, challenge = pkce()
    r = await client.get(authorize_url("jmc_nope", challenge))
    assert r.status_code == 400 and "location" not in r.headers and "text/html" in r.headers["content-type"]


@pytest.mark.parametrize("redirect", ["https://evil.example.com/cb", CLAUDE_AI + "/x", CLAUDE_AI + "?a=1"])
async def test_unregistered_redirect_gets_page(client: httpx.AsyncClient, redirect: str) -> None:
    info = await register(client)
    _, challenge = pkce()
    r = await client.get(authorize_url(info["client_id"], challenge, redirect))
    assert r.status_code == 400 and "location" not in r.headers


async def _approved(client: httpx.AsyncClient, alice: Account, **meta: object) -> dict[str, str]:
    """A client alice (signed in on ``client``) approved once for CLAUDE_AI: its errors may redirect there."""
    info = await register(client, **meta)
    await get_code(client, info["client_id"], alice.email, alice.password)
    return info


async def _error(client: httpx.AsyncClient, url: str) -> dict[str, str]:
    r = await client.get(url)
    assert r.status_code == 302, r.text
    assert r.headers["location"].startswith(CLAUDE_AI + "?")
    q = query(r.headers["location"])
    assert q["iss"] == "http://testserver" and q["state"] == "st-123"
    return q


async def test_plain_or_missing_pkce_is_invalid_request(client: httpx.AsyncClient, alice: Account) -> None:
    info = await _approved(client, alice)
    verifier, challenge = pkce()
    base = {"response_type": "code", "client_id": info["client_id"], "redirect_uri": CLAUDE_AI, "state": "st-123"}
    for extra in ({"code_challenge": verifier, "code_challenge_method": "plain"}, {"code_challenge": challenge},
                  {}, {"code_challenge": "short", "code_challenge_method": "S256"},
                  {"code_challenge": challenge + "\n", "code_challenge_method": "S256"}):
        q = await _error(client, "/authorize?" + urlencode(base | extra))
        assert q["error"] == "invalid_request"


async def test_foreign_resource_is_invalid_target(client: httpx.AsyncClient, alice: Account) -> None:
    info = await _approved(client, alice)
    _, challenge = pkce()
    for resource in ("https://evil.example.com/mcp", "http://testserver/other", "http://testserver"):
        q = await _error(client, authorize_url(info["client_id"], challenge, resource=resource))
        assert q["error"] == "invalid_target"


async def test_wrong_response_type_and_scope(client: httpx.AsyncClient, alice: Account) -> None:
    info = await _approved(client, alice, scope="memory:read")
    _, challenge = pkce()
    q = await _error(client, authorize_url(info["client_id"], challenge, response_type="token"))
    assert q["error"] == "unsupported_response_type"
    q = await _error(client, authorize_url(info["client_id"], challenge, scope="memory:write"))
    assert q["error"] == "invalid_scope"


EVIL = "https://evil.example/phish"


async def _page(client: httpx.AsyncClient, url: str, error: str) -> None:
    r = await client.get(url)
    assert r.status_code == 400 and "location" not in r.headers and "text/html" in r.headers["content-type"]
    assert error in r.text and "evil.example" not in r.text


async def test_invalid_requests_from_unapproved_clients_get_a_page_not_a_redirect(client: httpx.AsyncClient,
                                                                                  alice: Account) -> None:
    """RFC 9700 §4.11.2: anyone may register any https redirect; an error sent there without the person ever
    approving it would be an open redirect."""
    info = await register(client, redirect_uris=[EVIL, CLAUDE_AI])
    _, challenge = pkce()
    for extra, error in (({"response_type": "x"}, "unsupported_response_type"),
                         ({"code_challenge_method": "plain"}, "invalid_request"),
                         ({"resource": "https://other.example/mcp"}, "invalid_target"),
                         ({"state": "a\nb"}, "invalid_request")):
        await _page(client, authorize_url(info["client_id"], challenge, EVIL, **extra), error)
    # Signed in, and the client approved for another of its redirect URIs: still not this one.
    await get_code(client, info["client_id"], alice.email, alice.password)
    await _page(client, authorize_url(info["client_id"], challenge, EVIL, response_type="x"),
                "unsupported_response_type")
    q = await _error(client, authorize_url(info["client_id"], challenge, CLAUDE_AI, response_type="x"))
    assert q["error"] == "unsupported_response_type"  # the approved one gets the RFC 6749 §4.1.2.1 redirect


async def _consent_or_code(client: httpx.AsyncClient, client_id: str, redirect_uri: str) -> str:
    """'consent' when the flow stops at the consent page, else 'code' (straight back with a code)."""
    _, challenge = pkce()
    r = await client.get(authorize_url(client_id, challenge, redirect_uri))
    r = await client.get(r.headers["location"])
    if r.status_code == 200:
        assert 'name="decision"' in r.text
        return "consent"
    assert r.status_code == 302 and "code" in query(r.headers["location"]), r.text
    return "code"


async def test_remembered_consent_is_for_the_exact_redirect_uri(client: httpx.AsyncClient, alice: Account) -> None:
    loopback = await register(client, redirect_uris=["http://127.0.0.1/callback"])
    await get_code(client, loopback["client_id"], alice.email, alice.password,
                   redirect_uri="http://127.0.0.1:50001/callback")
    # A public client on loopback: any local program can take a port, so it always asks.
    for port in (50999, 50001):
        assert await _consent_or_code(client, loopback["client_id"], f"http://127.0.0.1:{port}/callback") == "consent"

    web = await register(client, redirect_uris=[CLAUDE_AI, "https://claude.com/api/mcp/auth_callback"])
    await get_code(client, web["client_id"], alice.email, alice.password)
    assert await _consent_or_code(client, web["client_id"], CLAUDE_AI) == "code"
    assert await _consent_or_code(client, web["client_id"], "https://claude.com/api/mcp/auth_callback") == "consent"


async def test_loopback_port_ignored(client: httpx.AsyncClient, alice: Account) -> None:
    info = await register(client, redirect_uris=["http://127.0.0.1:1111/callback"])
    code, _ = await get_code(client, info["client_id"], alice.email, alice.password,
                             redirect_uri="http://127.0.0.1:54321/callback")
    assert len(code) >= 43  # 256 random bits, url-safe base64


async def test_login_then_back_to_consent(client: httpx.AsyncClient, alice: Account) -> None:
    info = await register(client)
    _, challenge = pkce()
    first = await client.get(authorize_url(info["client_id"], challenge))
    consent_url = first.headers["location"]
    assert consent_url.startswith("/authorize/consent?request=")
    to_login = await client.get(consent_url)
    assert to_login.status_code == 303 and to_login.headers["location"].startswith("/login?next=%2Fauthorize%2Fconsent")


async def test_consent_post_without_csrf_refused(client: httpx.AsyncClient, alice: Account) -> None:
    from .browser import hidden_fields

    info = await register(client)
    _, challenge = pkce()
    consent_url = (await client.get(authorize_url(info["client_id"], challenge))).headers["location"]
    login_page = await client.get("/login")
    await client.post("/login", data=hidden_fields(login_page.text) | {"email": alice.email,
                                                                       "password": alice.password})
    page = await client.get(consent_url)
    fields = hidden_fields(page.text)
    bad = await client.post("/authorize/consent", data={"request": fields["request"], "decision": "allow",
                                                        "csrf_token": "forged"})
    assert bad.status_code == 403 and "location" not in bad.headers
    ok = await client.post("/authorize/consent", data=fields | {"decision": "allow"})
    assert ok.status_code == 302 and "code=" in ok.headers["location"]
    replay = await client.post("/authorize/consent", data=fields | {"decision": "allow"})
    assert replay.status_code == 400 and "location" not in replay.headers
