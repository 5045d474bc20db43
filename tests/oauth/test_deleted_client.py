"""A deleted (or swept) client's access token no longer opens anything: its tokens went with it."""

from __future__ import annotations

import pytest

from jean_memory.oauth.bearer import resolve_bearer
from jean_memory.runtime import Runtime
from tests.conftest import Account
from tests.mcp_server.conftest import oauth_token

pytestmark = pytest.mark.anyio


async def test_access_token_of_a_deleted_client_is_refused(runtime: Runtime, alice: Account) -> None:
    token, client_id = await oauth_token(runtime, alice.user_id, "memory:read memory:write")
    principal = await resolve_bearer(runtime, token)
    assert principal is not None and principal.client_id == client_id
    assert await runtime.stores.oauth.delete_client(client_id)
    assert await resolve_bearer(runtime, token) is None
