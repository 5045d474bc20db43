"""The MCP SDK's own OAuth client (``OAuthClientProvider``) against our server, with a person at the browser.

Used in-process (httpx2's ASGI transport) by tests/oauth and over a real socket by tests/e2e.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx2
from mcp.client.auth import OAuthClientProvider
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from .browser import approve
from .flows import CLAUDE_AI, query


@dataclass
class MemoryStorage:
    tokens: OAuthToken | None = None
    client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


@dataclass
class Person:
    """Logs in and presses Allow when the SDK hands over the authorization URL."""

    browser: httpx.AsyncClient
    email: str
    password: str
    seen: list[str] = field(default_factory=list)
    result: dict[str, str] = field(default_factory=dict)

    async def redirect_handler(self, url: str) -> None:
        self.seen.append(url)
        self.result = query(await approve(self.browser, url, self.email, self.password))

    async def callback_handler(self) -> AuthorizationCodeResult:
        return AuthorizationCodeResult(code=self.result["code"], state=self.result.get("state"),
                                       iss=self.result.get("iss"))


def provider(base_url: str, person: Person, storage: MemoryStorage, *, auth_method: str = "none",
             redirect_uri: str = CLAUDE_AI, client_metadata_url: str | None = None) -> OAuthClientProvider:
    metadata = OAuthClientMetadata.model_validate({
        "client_name": "Claude", "redirect_uris": [redirect_uri], "token_endpoint_auth_method": auth_method,
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]})
    return OAuthClientProvider(server_url=f"{base_url}/mcp", client_metadata=metadata, storage=storage,
                               redirect_handler=person.redirect_handler, callback_handler=person.callback_handler,
                               client_metadata_url=client_metadata_url)


class NoStandaloneStream(httpx2.AsyncBaseTransport):
    """In-process only: httpx2's ASGI transport buffers whole responses, so the client's standalone SSE ``GET``
    (which never ends) would hold the OAuth provider's lock forever. Answer that GET with 405, which the
    Streamable HTTP spec allows; the e2e socket test exercises the real stream."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "GET" and request.url.path.rstrip("/") == "/mcp":
            return httpx2.Response(405, request=request)
        return await self.inner.handle_async_request(request)


async def connect_and_use(base_url: str, auth: OAuthClientProvider, transport: Any | None = None) -> list[str]:
    """initialize, list tools, write and read a memory; return the tool names."""
    http = httpx2.AsyncClient(transport=NoStandaloneStream(transport), auth=auth, timeout=60) if transport else \
        httpx2.AsyncClient(auth=auth, timeout=60)
    async with http, Client(streamable_http_client(f"{base_url}/mcp", http_client=http),
                            mode="legacy") as client:  # type: ignore[arg-type]
        names = [t.name for t in (await client.list_tools()).tools]
        added = await client.call_tool("add_memories", {"text": "My cat is called Miso"})
        assert not added.is_error, added.content
        found = await client.call_tool("search_memory", {"query": "cat name"})
        assert not found.is_error and "Miso" in str(found.content), found.content
        return names
