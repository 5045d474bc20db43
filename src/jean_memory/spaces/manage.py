"""Creating, renaming, deleting and sharing spaces, for the REST API, the dashboard and the CLI.

Every operation acts within a ``Reach`` (what the connection or the signed-in person may reach): a space outside it
is unknown (404, as another account's memory is). Only the owner renames, deletes and shares a space; a member may
leave it and read its members and activity.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..store import Stores
from ..store.protocols import SpaceStore
from ..store.space_records import PERSONAL, ROLES, Activity, Invitation, Member, Reachable, Space
from .reach import Reach

NAME_CHARS = 60
_EMAIL_CHARS = 320


@dataclass(frozen=True, slots=True)
class Sharing:
    """A space's members and, for its owner, its pending invitations."""

    space: Space
    members: tuple[Member, ...]
    invitations: tuple[Invitation, ...]


def name_field(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("name must be a non-empty string such as \"work\"")
    name = " ".join(value.split())
    if len(name) > NAME_CHARS or not name.isprintable():
        raise InvalidInput(f"name must be at most {NAME_CHARS} printable characters")
    return name


def role_field(value: object) -> str:
    if value not in ROLES:
        raise InvalidInput("role must be \"reader\" (reads only) or \"writer\" (also adds, changes and deletes)")
    assert isinstance(value, str)
    return value


def email_field(value: object) -> str:
    if not isinstance(value, str) or "@" not in value or len(value) > _EMAIL_CHARS or not value.strip().isprintable():
        raise InvalidInput("email must be the e-mail address of a Jean Memory account, such as anna@example.com")
    return value.strip().lower()


class SpaceService:
    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self.store: SpaceStore = stores.spaces

    def _space(self, reach: Reach, space_id: object) -> Space:
        if not isinstance(space_id, str) or (space := reach.get(space_id.strip())) is None:
            raise NotFound(f"no space with id {str(space_id)[:64]} is reachable here")
        return space

    def _owned(self, reach: Reach, space_id: object, doing: str) -> Space:
        space = self._space(reach, space_id)
        if space.owner_id != reach.user_id:
            raise Forbidden(f"space '{space.name}': only its owner ({space.owner_email}) can {doing}")
        return space

    async def _free_name(self, owner_id: str, name: str, renaming: str | None = None) -> str:
        """``name``, when no other space of the owner has it, ignoring case as ``Reach.find`` does (``casefold``:
        the stores' own unique index folds ASCII only on SQLite, and without ß -> ss on PostgreSQL)."""
        folded = name.casefold()
        for s in await self.store.spaces_of(owner_id):
            if s.owner_id == owner_id and s.id != renaming and s.name.casefold() == folded:
                raise Conflict(f"you already have a space named '{s.name}'")
        return name

    async def create(self, reach: Reach, name: object, given: Reachable | None = None,
                     key_id: str | None = None) -> Space:
        """A new space of the account. A connection given a list of spaces (``given``, its key ``key_id`` or its
        OAuth client ``reach.client_id``) is given the new one too."""
        wanted = await self._free_name(reach.user_id, name_field(name))
        space = await self.store.create_space(reach.user_id, wanted)
        if given is not None and given.spaces is not None:
            wider = Reachable((*given.spaces, space.id), given.write_space)
            if key_id is not None:
                await self.store.set_key_reach(reach.user_id, key_id, wider)
            elif reach.client_id is not None:
                await self.store.set_grant_reach(reach.user_id, reach.client_id, wider)
        return space

    async def rename(self, reach: Reach, space_id: object, name: object) -> Space:
        space = self._owned(reach, space_id, "rename it")
        renamed = await self.store.rename_space(reach.user_id, space.id,
                                                await self._free_name(reach.user_id, name_field(name), space.id))
        if renamed is None:
            raise NotFound(f"no space with id {space.id}")
        return renamed

    async def delete(self, reach: Reach, space_id: object, move_to: object = None) -> None:
        """Delete an owned space; its memories and documents move to ``move_to`` (another owned space) or, when
        it is None, are deleted with it."""
        space = self._owned(reach, space_id, "delete it")
        if space.personal:
            raise InvalidInput(f"the {PERSONAL} space cannot be deleted (rename it, or move its memories)")
        target: str | None = None
        if move_to == "":  # an empty field must never mean "delete them"
            raise InvalidInput("move_to is empty: name the space to move its memories to, or leave move_to out to "
                               "delete them with the space")
        if move_to is not None:
            into = reach.find(move_to)
            if into.owner_id != reach.user_id or into.id == space.id:
                raise InvalidInput("move_to must be another space you own")
            target = into.id
        if not await self.store.delete_space(reach.user_id, space.id, target):
            raise NotFound(f"no space with id {space.id}")

    async def sharing(self, reach: Reach, space_id: object) -> Sharing:
        space = self._space(reach, space_id)
        members = tuple(await self.store.members(space.id))
        invited = tuple(await self.store.invitations(space.id)) if space.role == "owner" else ()
        return Sharing(space, members, invited)

    async def invite(self, reach: Reach, space_id: object, email: object, role: object) -> Invitation | Member:
        """Invite ``email`` as ``role``; for an account already a member, change its role instead."""
        space = self._owned(reach, space_id, "share it")
        address, wanted = email_field(email), role_field(role)
        invitee = await self.stores.users.get_user_by_email(address)
        if invitee is not None and invitee.id == reach.user_id:
            raise InvalidInput("you own this space already; invite another account")
        if invitee is not None:
            member = next((m for m in await self.store.members(space.id) if m.user_id == invitee.id), None)
            if member is not None:
                await self.store.set_member(space.id, invitee.id, wanted)
                return Member(space.id, invitee.id, member.email, wanted, member.added_at)
        return await self.store.invite(space.id, address, wanted, reach.user_id)

    async def remove(self, reach: Reach, space_id: object, email: object) -> None:
        """The owner removes a member or cancels an invitation; a member removes themself (leaves)."""
        space = self._space(reach, space_id)
        address = email_field(email)
        account = await self.stores.users.get_user_by_email(address)
        leaving = account is not None and account.id == reach.user_id
        if space.owner_id != reach.user_id and not leaving:
            raise Forbidden(f"space '{space.name}': only its owner can remove other members")
        if leaving and space.owner_id == reach.user_id:
            raise InvalidInput("the owner cannot leave their own space (delete it instead)")
        removed = account is not None and await self.store.remove_member(space.id, account.id)
        cancelled = await self.store.cancel_invitation(space.id, address)
        if not removed and not cancelled:
            raise NotFound(f"{address} is neither a member of nor invited to space '{space.name}'")
        if removed and account is not None:
            await self._forget(account.id, space.id)

    async def _forget(self, user_id: str, space_id: str) -> None:
        """The former member's keys and apps stop naming the space, so being invited back does not give it to them
        again unasked (their person gives it anew, as the first time)."""
        for key in await self.stores.api_keys.list_keys(user_id):
            if key.revoked_at is None and key.spaces is not None and space_id in key.spaces:
                await self.store.set_key_reach(user_id, key.id, _without(Reachable(key.spaces, key.write_space),
                                                                         space_id))
        for app in await self.stores.oauth.list_connected_apps(user_id):
            given = await self.store.grant_reach(user_id, app.client_id)
            if given is not None and given.spaces is not None and space_id in given.spaces:
                await self.store.set_grant_reach(user_id, app.client_id, _without(given, space_id))

    async def invitations(self, user_id: str) -> builtins.list[Invitation]:
        user = await self.stores.users.get_user(user_id)
        return await self.store.invitations_for(user.email) if user is not None else []

    async def answer(self, user_id: str, invitation_id: object, accept: bool) -> Space | None:
        """Accept (the space, now reachable by the person; their connections still need it granted) or decline."""
        if (not isinstance(invitation_id, str) or not invitation_id.strip() or len(invitation_id) > 64
                or not invitation_id.isprintable()):  # PostgreSQL text cannot hold NUL: never ask it about one
            raise InvalidInput("invitation ids are strings like those GET /api/v1/invitations lists")
        user = await self.stores.users.get_user(user_id)
        if user is None:
            raise NotFound("no such account")
        if accept:
            space = await self.store.accept_invitation(invitation_id.strip(), user_id, user.email)
            if space is None:
                raise NotFound(f"no pending invitation {invitation_id.strip()} for {user.email}")
            return space
        if not await self.store.decline_invitation(invitation_id.strip(), user.email):
            raise NotFound(f"no pending invitation {invitation_id.strip()} for {user.email}")
        return None

    async def activity(self, reach: Reach, space_id: object, limit: int = 50) -> builtins.list[Activity]:
        space = self._space(reach, space_id)
        return await self.store.activity(space.id, max(1, min(limit, 200)))


def _without(given: Reachable, space_id: str) -> Reachable:
    """``given`` less one space (an empty list reaches nothing: it never becomes "every own space")."""
    assert given.spaces is not None
    return Reachable(tuple(s for s in given.spaces if s != space_id),
                     None if given.write_space == space_id else given.write_space)
