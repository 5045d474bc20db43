"""Paths of the site pages that other parts link to (the MCP connector tools hand these out as result urls)."""

from __future__ import annotations

from urllib.parse import quote


def memory_path(memory_id: str) -> str:
    """The dashboard page of one memory (read, edit, delete); its owner must be signed in."""
    return f"/dashboard/memories/{quote(memory_id, safe='')}"


def document_path(document_id: str) -> str:
    """The dashboard page of one stored document; its owner must be signed in."""
    return f"/dashboard/documents/{quote(document_id, safe='')}"
