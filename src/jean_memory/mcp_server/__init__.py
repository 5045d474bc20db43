"""The ``/mcp`` endpoint (Streamable HTTP, OAuth-protected) and the Jean Memory tools; ``stdio`` for local clients."""

from .mount import mount_mcp
from .server import build_server

__all__ = ["build_server", "mount_mcp"]
