"""The Claude-shaped OAuth + MCP flow through Caddy over https (``tls internal``) in front of a real server.

Every absolute URL in metadata, challenges, registration and redirects is https with the public host; cookies
carry Secure; HSTS is set; forwarded headers spoofed by a client change nothing; the server's log of the whole
flow contains none of the secrets it used.
"""

from __future__ import annotations

import json
import re
import ssl
from pathlib import Path

import anyio
import httpx
import pytest

from tests.e2e.caddy import running_caddy
from tests.e2e.server import free_port, running_server
from tests.oauth.browser import approve
from tests.oauth.conftest import pkce
from tests.oauth.flows import CLAUDE_AI, authorize_url, query

pytestmark = pytest.mark.e2e
SPOOF = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "X-Forwarded-For": "6.6.6.6",
         "Forwarded": "host=evil.example;proto=http"}
MCP = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "claude-ai", "version": "1"}}}
URL = re.compile(r"https?://[^\s\"'<>,]+")


def _urls(text: str) -> list[str]:
    return [u for u in URL.findall(text) if "claude.ai" not in u and "w3.org" not in u]


def test_claude_shaped_flow_through_caddy(tmp_path: Path) -> None:
    app_port, https_port = free_port(), free_port()
    public = f"https://localhost:{https_port}"
    env = {"JEAN_MEMORY_PUBLIC_URL": public, "JEAN_MEMORY_LOG_FORMAT": "json", "JEAN_MEMORY_LOG_LEVEL": "DEBUG",
           "JEAN_MEMORY_TRUSTED_PROXIES": '["127.0.0.1"]'}
    with running_server(tmp_path / "data", app_port, env) as server, \
            running_caddy(tmp_path / "caddy", https_port, free_port(), app_port) as caddy:
        password = "a long and private passphrase"
        assert server.cli("users", "create", "--email", "c@example.com", "--password", password).returncode == 0
        secrets = anyio.run(_flow, public, caddy.ca, password)
        _direct_spoof(f"http://127.0.0.1:{app_port}", public)
    log = server.log.read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    requests = [r for r in lines if r.get("logger") == "jean_memory.access"]
    assert any(r["route"] == "/token" and r["status"] == 200 for r in requests)
    assert any(r["route"].startswith("/mcp") and r.get("user_id") for r in requests), "MCP lines name the user"
    for secret in [password, *secrets]:
        assert secret not in log, f"a secret reached the log: {secret[:6]}..."


async def _flow(public: str, ca: Path, password: str) -> list[str]:
    context = ssl.create_default_context(cafile=str(ca))
    seen: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        seen.append(response)

    async with httpx.AsyncClient(base_url=public, verify=context, timeout=30, headers=SPOOF,
                                 event_hooks={"response": [record]}) as http:
        meta = (await http.get("/.well-known/oauth-authorization-server")).json()
        prm = (await http.get("/.well-known/oauth-protected-resource/mcp")).json()
        assert meta["issuer"] == public and prm["resource"] == f"{public}/mcp"
        assert prm["authorization_servers"] == [public]
        challenge = await http.post("/mcp", json=INIT, headers=MCP)
        assert challenge.status_code == 401
        assert f'resource_metadata="{public}/.well-known/oauth-protected-resource' in \
            challenge.headers["www-authenticate"]
        reg = await http.post("/register", json={
            "client_name": "Claude", "redirect_uris": [CLAUDE_AI], "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]})
        assert reg.status_code == 201, reg.text
        info = reg.json()
        assert info["registration_client_uri"].startswith(f"{public}/register/")
        verifier, code_challenge = pkce()
        location = await approve(http, authorize_url(info["client_id"], code_challenge, resource=f"{public}/mcp",
                                                     prompt="consent"), "c@example.com", password)
        q = query(location)
        assert location.startswith(CLAUDE_AI) and q["iss"] == public and q["state"] == "st-123"
        token = await http.post("/token", data={
            "grant_type": "authorization_code", "code": q["code"], "code_verifier": verifier,
            "client_id": info["client_id"], "redirect_uri": CLAUDE_AI, "resource": f"{public}/mcp"})
        assert token.status_code == 200, token.text
        tokens = token.json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        init = await http.post("/mcp", json=INIT, headers=MCP | auth)
        assert init.status_code == 200, init.text
        session = {"mcp-session-id": init.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        note = await http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                               headers=MCP | auth | session)
        assert note.status_code == 202
        memory = "my passport number is X1234567 and expires in May"
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "add_memories", "arguments": {"text": memory}}}
        added = await http.post("/mcp", json=call, headers=MCP | auth | session)
        assert added.status_code == 200 and '"isError":true' not in added.text.replace(" ", ""), added.text
        refreshed = await http.post("/token", data={"grant_type": "refresh_token", "client_id": info["client_id"],
                                                    "refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200

    for response in seen:
        assert response.headers.get("strict-transport-security", "").startswith("max-age="), response.url
        for cookie in response.headers.get_list("set-cookie"):
            assert "secure" in cookie.lower(), cookie
        location = response.headers.get("location", "")
        assert not location.startswith("http:"), location
        if location.startswith("https:") and not location.startswith(CLAUDE_AI):
            assert location.startswith(public), location
        for url in _urls(response.headers.get("www-authenticate", "") + response.text):
            assert url.startswith(public), f"{response.url} emitted {url}"
    assert any(response.headers.get_list("set-cookie") for response in seen), "the site login set no cookie"
    return [q["code"], verifier, tokens["access_token"], tokens["refresh_token"], memory,
            refreshed.json()["access_token"], info.get("registration_access_token", "x" * 40)]


def _direct_spoof(direct: str, public: str) -> None:
    """A loopback client that is not a trusted proxy (127.0.0.2) spoofs forwarded headers: nothing changes."""
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(transport=transport, timeout=10) as c:
        meta = c.get(f"{direct}/.well-known/oauth-authorization-server", headers=SPOOF | {
            "X-Forwarded-Proto": "https", "Host": "evil.example"}).json()
    assert meta["issuer"] == public and all(v.startswith(public) for k, v in meta.items() if k.endswith("endpoint"))
