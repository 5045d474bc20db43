"""Resolve a bearer credential presented to a protected endpoint into a ``Principal``.

Personal API keys (``jm_...``) work everywhere; OAuth access tokens are added by the authorization server.
"""

from __future__ import annotations

from ..accounts.api_keys import Principal, principal_for_key
from ..runtime import Runtime


async def resolve_bearer(runtime: Runtime, token: str) -> Principal | None:
    """The principal for ``token``, or None when it is unknown, expired, revoked or not for our MCP resource."""
    return await principal_for_key(runtime.stores, token)
