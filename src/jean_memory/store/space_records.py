"""Records of spaces (issue 21) that cross the store boundary: frozen, slotted dataclasses; times are UNIX seconds.

A space is owned by one account and may be shared with others as ``reader`` or ``writer``. Its memories live in the
owner's partition (``Memory.user_id`` is the owner) and carry ``Memory.space_id``. An account's ``personal`` space
has the account's id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

ROLES = ("reader", "writer")  # what a member may be; the owner's role is "owner"
PERSONAL = "personal"


@dataclass(frozen=True, slots=True)
class Space:
    """A space as one account sees it: ``role`` is that account's ("owner", "writer" or "reader")."""

    id: str
    owner_id: str
    name: str
    created_at: float
    owner_email: str = ""
    role: str = "owner"

    @property
    def personal(self) -> bool:
        return self.id == self.owner_id

    @property
    def can_write(self) -> bool:
        return self.role in ("owner", "writer")


@dataclass(frozen=True, slots=True)
class Member:
    space_id: str
    user_id: str
    email: str
    role: str
    added_at: float


@dataclass(frozen=True, slots=True)
class Invitation:
    id: str
    space_id: str
    space_name: str
    email: str
    role: str
    invited_by_email: str
    created_at: float


@dataclass(frozen=True, slots=True)
class NewActivity:
    """One add, change or delete in a space (``action``: "add", "update", "delete", "replace", "undo")."""

    space_id: str
    actor_id: str | None
    client_id: str | None
    action: str
    memory_id: str | None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Activity:
    seq: int
    space_id: str
    actor_id: str | None
    actor_email: str  # "" when the account is gone
    client_id: str | None
    action: str
    memory_id: str | None
    text: str
    at: float


@dataclass(frozen=True, slots=True)
class Reachable:
    """What one connection (an API key or an OAuth grant) was given: the spaces it may read (None: every space
    its account owns, including ones created later) and the one it writes to by default (None: personal)."""

    spaces: tuple[str, ...] | None = None
    write_space: str | None = None


def spaces_json(spaces: Sequence[str] | None) -> str | None:
    """A connection's readable spaces as stored (``api_keys.spaces``, ``oauth_grants.spaces``: a JSON list; NULL:
    every space its account owns)."""
    return None if spaces is None else json.dumps(list(spaces))


def stored_spaces(raw: str | None) -> tuple[str, ...] | None:
    """``spaces_json`` read back (anything but a list of strings: no space)."""
    if raw is None:
        return None
    value = json.loads(raw)
    return tuple(s for s in value if isinstance(s, str)) if isinstance(value, list) else ()
