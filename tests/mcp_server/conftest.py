"""The real SDK client over Streamable HTTP to the real app, in-process (httpx2's ASGI transport)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from tests.conftest import Account

Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
def connect(app: FastAPI) -> Connect:
    @asynccontextmanager
    async def _connect(account: Account | None = None, *, token: str | None = None, mode: str = "legacy",
                       headers: dict[str, str] | None = None, path: str = "/mcp") -> AsyncIterator[Client]:
        all_headers = dict(headers or {})
        bearer = token if token is not None else (account.api_key if account else None)
        if bearer:
            all_headers["Authorization"] = f"Bearer {bearer}"
        http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://testserver",
                                  headers=all_headers, timeout=30)
        async with http, Client(streamable_http_client(f"http://testserver{path}", http_client=http),
                                mode=mode) as client:  # type: ignore[arg-type]
            yield client

    return _connect


def data(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def text(result: CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def oauth_token(runtime: Any, user_id: str, scope: str, client_name: str = "Claude") -> tuple[str, str]:
    """A real OAuth access token for ``user_id`` stored the way the token endpoint stores it; (token, client_id)."""
    import time
    import uuid

    from jean_memory.oauth.bearer import ACCESS_PREFIX
    from jean_memory.security import hash_token, new_token
    from jean_memory.store.oauth import OAuthClient, TokenRecord

    now = time.time()
    client_id = str(uuid.uuid4())
    await runtime.stores.oauth.save_client(OAuthClient(
        client_id, client_name, ("https://claude.ai/api/mcp/auth_callback",), "none",
        ("authorization_code", "refresh_token"), scope, {}, now))
    token = new_token(ACCESS_PREFIX)
    await runtime.stores.oauth.issue_tokens([TokenRecord(
        hash_token(token), "access", str(uuid.uuid4()), client_id, user_id, scope, runtime.settings.mcp_resource,
        now, now + 3600)], now)
    return token, client_id
