"""``jean-memory stdio --email E``: the same tools over stdin/stdout for local clients, acting as one local user."""

from __future__ import annotations

from ..accounts.api_keys import KEY_SCOPES, Principal
from ..runtime import Runtime
from .principal import STDIO, stdio_principal
from .server import build_server


async def serve_stdio(runtime: Runtime, user_id: str) -> int:
    """Serve until stdin closes. Memories record the client as ``stdio``."""
    stdio_principal.set(Principal(user_id, KEY_SCOPES, STDIO, STDIO))
    await build_server(runtime).run_stdio_async()
    return 0
