"""What one request may reach: the spaces it may read (with the account's role in each) and where it writes.

Built fresh on every request (``resolve.reach_for``), so removing a member or narrowing a key acts on the next one.
A memory lives in its space owner's partition (``Memory.user_id``), so a reach that spans spaces of several owners is
read partition by partition (``parts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import Forbidden, InvalidInput
from ..store.space_records import Space

_SPACE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Reach:
    """``user_id``: the account acting; ``spaces``: the spaces it may read here, owned ones first; ``write_id``:
    where a write without a space goes (None: this connection has no space it may write to)."""

    user_id: str
    spaces: tuple[Space, ...]
    write_id: str | None
    client_id: str | None = None
    _by_id: dict[str, Space] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((s.id, s) for s in self.spaces)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.spaces)

    def get(self, space_id: str) -> Space | None:
        return self._by_id.get(space_id)

    def name_of(self, space_id: str) -> str:
        space = self._by_id.get(space_id)
        return space.name if space is not None else ""

    def find(self, value: object) -> Space:
        """The reachable space ``value`` names: its id, or the name of one of the account's own spaces
        (case-insensitively). ``Forbidden`` naming it when this connection was not given it."""
        if not isinstance(value, str) or not value.strip() or len(value) > _SPACE_CHARS:
            raise InvalidInput("space must be a space id or the name of one of your spaces (list_spaces shows them)")
        wanted = value.strip()
        found = self._by_id.get(wanted)
        if found is None:
            folded = wanted.casefold()
            found = next((s for s in self.spaces if s.owner_id == self.user_id and s.name.casefold() == folded),
                         None)
        if found is None:
            raise Forbidden(f"space '{wanted}' was not given to this connection (list_spaces shows the spaces it "
                            "may use)")
        return found

    def readable(self, value: object = None) -> tuple[Space, ...]:
        """The spaces a read covers: the one ``value`` names, or every reachable one when it is None or ""."""
        if value is None or value == "":
            return self.spaces
        return (self.find(value),)

    def writable(self, value: object = None) -> Space:
        """The space a write goes to: the one ``value`` names, or this connection's default. ``Forbidden`` naming
        the space and the missing right when it may only read there."""
        if value is None or value == "":
            if self.write_id is None or (space := self._by_id.get(self.write_id)) is None:
                raise Forbidden("this connection has no space it may write to; give it one on the dashboard "
                                "(Connected apps or API keys) or name a space you may write to")
        else:
            space = self.find(value)
        return self.check_write(space.id)

    def check_write(self, space_id: str) -> Space:
        """The space, when this connection may write to it; ``Forbidden`` naming it otherwise."""
        space = self._by_id.get(space_id)
        if space is None:
            raise Forbidden("that memory's space was not given to this connection")
        if not space.can_write:
            raise Forbidden(f"space '{space.name}': you are a reader there, so this connection may only read it "
                            "(the owner can make you a writer)")
        return space


def parts(spaces: Iterable[Space]) -> list[tuple[str, tuple[str, ...]]]:
    """The spaces grouped by owner (the partition their memories live in), in first-seen order."""
    grouped: dict[str, list[str]] = {}
    for s in spaces:
        grouped.setdefault(s.owner_id, []).append(s.id)
    return [(owner, tuple(ids)) for owner, ids in grouped.items()]


def allowed(spaces: Sequence[Space], granted: tuple[str, ...] | None, user_id: str) -> tuple[Space, ...]:
    """``spaces`` (the account's own and shared ones) a connection was given: ``granted`` ids, or every space the
    account owns when None."""
    if granted is None:
        return tuple(s for s in spaces if s.owner_id == user_id)
    wanted = set(granted)
    return tuple(s for s in spaces if s.id in wanted)
