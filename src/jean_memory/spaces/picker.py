"""The space picker of the consent page and of the dashboard's API keys and Connected apps pages: which spaces a
connection may read (form field ``spaces``, repeated) and which one its new memories go to (``write_space``),
checked against what the signed-in person may reach.

All of the person's own spaces and no shared one is stored as ``spaces=None`` (every owned space, ones created later
included), the personal space as ``write_space=None``: the same ``Reachable`` a connection made before spaces has.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InvalidInput
from ..store.space_records import Reachable
from .reach import Reach

SPACES = "spaces"
WRITE_SPACE = "write_space"
_MAX_PICKED = 500


def own_ids(reach: Reach) -> set[str]:
    return {s.id for s in reach.spaces if s.owner_id == reach.user_id}


def checked(reach: Reach, given: Reachable | None) -> set[str]:
    """The boxes that start checked: what the connection was given, or (a new one) every space the person owns."""
    if given is None or given.spaces is None:
        return own_ids(reach)
    return set(given.spaces) & set(reach.ids)


def write_choice(reach: Reach, given: Reachable | None) -> str:
    """The space the write select starts on: the connection's default, or the personal space."""
    return (given.write_space if given is not None else None) or reach.user_id


def picked(reach: Reach, spaces: Sequence[str], write_space: str | None) -> Reachable:
    """What the person chose, as a ``Reachable``; ``InvalidInput`` saying what is wrong otherwise.

    A form that sends neither field (one from before spaces, or a script) means what it meant then: every own
    space, new memories to personal. A browser always sends ``write_space`` (a select always has a value)."""
    if write_space is None and not spaces:
        return Reachable()
    ids = list(dict.fromkeys(s.strip() for s in spaces if s.strip()))
    if len(ids) > _MAX_PICKED:
        raise InvalidInput(f"Choose at most {_MAX_PICKED} spaces.")
    if not ids:
        raise InvalidInput("Choose at least one space it may read.")
    unknown = [i for i in ids if reach.get(i) is None]
    if unknown:
        raise InvalidInput(f"Space {unknown[0][:64]!r} is not one of your spaces or of those shared with you "
                           "(it may have been deleted, or you left it). Reload the page and choose again.")
    writable = [i for i in ids if (s := reach.get(i)) is not None and s.can_write]
    write: str | None = None
    if writable:
        if write_space not in writable:
            raise InvalidInput("New memories must go to one of the spaces you checked that you may write to.")
        write = None if write_space == reach.user_id else write_space
    everything_own = set(ids) == own_ids(reach)
    return Reachable(None if everything_own else tuple(ids), write)


def describe(reach: Reach, given: Reachable | None) -> str:
    """What a connection can reach, in a few words: "all your spaces" or the names of its spaces."""
    if given is None or given.spaces is None:
        return "all your spaces"
    found = [s for i in given.spaces if (s := reach.get(i)) is not None]
    names = [s.name if s.owner_id == reach.user_id else f"{s.name} (shared by {s.owner_email})" for s in found]
    return ", ".join(names) if names else "no space (its spaces were deleted or left)"


def write_name(reach: Reach, given: Reachable | None) -> str:
    """Where the connection's new memories go, by name ("" when it may not write anywhere it reaches)."""
    target = write_choice(reach, given)
    space = reach.get(target)
    readable = given is None or given.spaces is None or target in given.spaces
    return space.name if space is not None and space.can_write and readable else ""
