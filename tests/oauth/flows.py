"""Raw OAuth steps for tests: register, authorize through the browser helper, exchange, refresh."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from .browser import approve
from .conftest import pkce

CLAUDE_AI = "https://claude.ai/api/mcp/auth_callback"


async def register(http: httpx.AsyncClient, **meta: Any) -> dict[str, Any]:
    body = {"client_name": "Claude", "redirect_uris": [CLAUDE_AI], "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]} | meta
    r = await http.post("/register", json=body)
    assert r.status_code == 201, r.text
    info: dict[str, Any] = r.json()
    return info


def authorize_url(client_id: str, challenge: str, redirect_uri: str = CLAUDE_AI, **extra: str) -> str:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "code_challenge": challenge, "code_challenge_method": "S256", "state": "st-123"} | extra
    return "/authorize?" + urlencode(params)


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def get_code(http: httpx.AsyncClient, client_id: str, email: str, password: str,
                   redirect_uri: str = CLAUDE_AI, **extra: str) -> tuple[str, str]:
    """(code, verifier) after login and Allow."""
    verifier, challenge = pkce()
    location = await approve(http, authorize_url(client_id, challenge, redirect_uri, **extra), email, password)
    q = query(location)
    assert location.startswith(redirect_uri.split("?")[0].rsplit(":", 1)[0]) and "code" in q, location
    return q["code"], verifier


async def exchange(http: httpx.AsyncClient, client_id: str, code: str, verifier: str,
                   redirect_uri: str = CLAUDE_AI, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "client_id": client_id,
            "redirect_uri": redirect_uri} | extra
    return await http.post("/token", data=data)


async def refresh(http: httpx.AsyncClient, client_id: str, token: str, **extra: str) -> httpx.Response:
    return await http.post("/token", data={"grant_type": "refresh_token", "refresh_token": token,
                                           "client_id": client_id} | extra)
