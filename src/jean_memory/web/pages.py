"""The landing page: what this is and how to connect Claude and other MCP clients; the README's walk-through for
Claude on the web at ``/help/claude-on-the-web``; and ``/favicon.ico``."""

from __future__ import annotations

import ipaddress
import json
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from ..accounts.sessions import current_site_user
from .common import SiteRoute, render, runtime_of

router = APIRouter(route_class=SiteRoute, include_in_schema=False)
FAVICON = Path(__file__).parent / "static" / "favicon.ico"
CLAUDE_WEB_HELP = "/help/claude-on-the-web"
_README_SECTION = "Connect Claude on the web"


def reachable_by_claude_web(public_url: str) -> bool:
    """Whether Claude on the web could reach this address: https on a public name or address (not loopback, a
    private network or a ``.local`` name)."""
    parts = urlsplit(public_url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host  # a DNS name: whether it resolves publicly is for the walk-through's checks to show


@cache
def readme_section(title: str) -> str | None:
    """A section of the README, as Markdown: from the source checkout when there is one, else from the installed
    package's metadata (the README is its long description), so it works offline on any install."""
    checkout = Path(__file__).resolve().parents[3] / "README.md"
    try:
        text = checkout.read_text(encoding="utf-8") if checkout.is_file() else metadata.metadata("jean-memory")[
            "Description"]
    except (OSError, metadata.PackageNotFoundError, KeyError):
        return None
    heading = f"\n## {title}\n"
    start = text.find(heading) if text else -1
    if start < 0:
        return None
    end = text.find("\n## ", start + 1)
    return text[start + len(heading):end if end > 0 else None].strip()


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
    settings = runtime_of(request).settings
    mcp_url = settings.mcp_resource
    return render(request, "landing.html", mcp_url=mcp_url, snippets=snippets(mcp_url),
                  claude_web=reachable_by_claude_web(settings.public_url), claude_web_help=CLAUDE_WEB_HELP,
                  notice="Your account and all its data were deleted." if notice == "deleted" else "")


@router.get(CLAUDE_WEB_HELP)
async def claude_web_help(request: Request) -> Response:
    """The README's "Connect Claude on the web", served by the server itself: a self-hoster may be offline."""
    await current_site_user(request)
    return render(request, "help.html", title=_README_SECTION, text=readme_section(_README_SECTION))


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Browsers ask for it on every site; a 404 here fills logs and shows a blank tab icon."""
    return FileResponse(FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"})
