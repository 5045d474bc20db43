"""Discovery documents (RFC 8414, RFC 9728) exactly as mcp-oauth.md section 1 lists them."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_authorization_server_metadata(client: httpx.AsyncClient) -> None:
    r = await client.get("/.well-known/oauth-authorization-server")
    assert r.status_code == 200
    m = r.json()
    assert m["issuer"] == "http://testserver"
    for name, path in (("authorization_endpoint", "/authorize"), ("token_endpoint", "/token"),
                       ("registration_endpoint", "/register"), ("revocation_endpoint", "/revoke")):
        assert m[name] == f"http://testserver{path}"
    assert m["response_types_supported"] == ["code"]
    assert m["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert m["code_challenge_methods_supported"] == ["S256"]
    assert m["token_endpoint_auth_methods_supported"] == ["none", "client_secret_post", "client_secret_basic"]
    assert m["scopes_supported"] == ["memory:read", "memory:write"]
    assert m["client_id_metadata_document_supported"] is True
    assert m["authorization_response_iss_parameter_supported"] is True


async def test_no_openid_configuration(client: httpx.AsyncClient) -> None:
    assert (await client.get("/.well-known/openid-configuration")).status_code == 404


@pytest.mark.parametrize("path", ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"])
async def test_protected_resource_metadata(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 200
    m = r.json()
    assert m["resource"] == "http://testserver/mcp" and m["authorization_servers"] == ["http://testserver"]
    assert m["scopes_supported"] == ["memory:read", "memory:write"] and "offline_access" not in m["scopes_supported"]
    assert m["bearer_methods_supported"] == ["header"] and m["resource_name"]


@pytest.mark.parametrize("path", ["/mcp", "/mcp/"])
async def test_bare_401_from_mcp_points_to_metadata(client: httpx.AsyncClient, path: str) -> None:
    r = await client.post(path, json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                          headers={"Accept": "application/json, text/event-stream"})
    assert r.status_code == 401
    h = r.headers["www-authenticate"]
    assert 'resource_metadata="http://testserver/.well-known/oauth-protected-resource/mcp"' in h
    assert 'scope="memory:read memory:write"' in h and "error=" not in h
