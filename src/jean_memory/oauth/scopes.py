"""Scopes of the MCP resource (RFC 6749 §3.3): ``memory:read`` and ``memory:write``; parsing and narrowing."""

from __future__ import annotations

READ = "memory:read"
WRITE = "memory:write"
SUPPORTED: tuple[str, ...] = (READ, WRITE)
DEFAULT = " ".join(SUPPORTED)

DESCRIPTIONS = {
    READ: "Read and search your memories and documents",
    WRITE: "Add, change and delete your memories and documents",
}


def known(value: str | None) -> list[str]:
    """The supported scopes named in ``value``, in canonical order; unknown ones are dropped."""
    asked = set((value or "").split())
    return [s for s in SUPPORTED if s in asked]


def registration_scope(value: str | None) -> str:
    """A client's scope at registration: the known ones it asked for, or every default when none is left."""
    return " ".join(known(value)) or DEFAULT


def within(asked: str | None, allowed: str) -> str | None:
    """Narrow ``allowed`` to ``asked`` (absent: all of ``allowed``); None when ``asked`` names anything else."""
    allowed_set = set(allowed.split())
    if asked is None or not asked.strip():
        return " ".join(s for s in SUPPORTED if s in allowed_set)
    names = set(asked.split())
    if not names <= allowed_set:
        return None
    return " ".join(s for s in SUPPORTED if s in names)
