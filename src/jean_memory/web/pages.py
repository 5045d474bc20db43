"""The landing page: what this is and how to connect Claude and other MCP clients; and ``/favicon.ico``."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from ..accounts.sessions import current_site_user
from .common import SiteRoute, render, runtime_of

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
FAVICON = Path(__file__).parent / "static" / "favicon.ico"


def snippets(mcp_url: str) -> list[tuple[str, str, str]]:
    """(client, how, snippet) for each documented client."""
    remote = {"mcpServers": {"jean-memory": {"command": "npx", "args": ["-y", "mcp-remote", mcp_url]}}}
    vscode = {"servers": {"jean-memory": {"type": "http", "url": mcp_url}}}
    cursor = {"mcpServers": {"jean-memory": {"url": mcp_url}}}
    return [
        ("Claude (claude.ai, Desktop, mobile)", "Settings → Connectors → Add custom connector, paste the URL, "
         "then sign in here and allow access.", mcp_url),
        ("Claude Code", "Run in a terminal, then /mcp inside Claude Code to sign in.",
         f"claude mcp add --transport http jean-memory {mcp_url}"),
        ("ChatGPT", "Settings → Connectors → Advanced → Developer mode, create a connector with this URL "
         "and OAuth authentication.", mcp_url),
        ("Cursor", "Add to ~/.cursor/mcp.json:", json.dumps(cursor, indent=2)),
        ("VS Code", "Add to .vscode/mcp.json (or run “MCP: Add Server” → HTTP):", json.dumps(vscode, indent=2)),
        ("Any stdio client via mcp-remote", "Clients that only speak stdio (older Claude Desktop, others):",
         json.dumps(remote, indent=2)),
    ]


@router.get("/")
async def landing(request: Request, notice: str = "") -> Response:
    await current_site_user(request)
    mcp_url = runtime_of(request).settings.mcp_resource
    return render(request, "landing.html", mcp_url=mcp_url, snippets=snippets(mcp_url),
                  notice="Your account and all its data were deleted." if notice == "deleted" else "")


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Browsers ask for it on every site; a 404 here fills logs and shows a blank tab icon."""
    return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})
