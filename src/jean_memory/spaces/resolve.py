"""``Reach`` for a request: read from the database every time, so a removed member, a narrowed key or a changed
grant acts on the next request (two indexed reads)."""

from __future__ import annotations

from ..accounts.api_keys import Principal
from ..store import Stores
from ..store.space_records import Reachable
from .reach import Reach, allowed

KEY_CLIENT_PREFIX = "api-key:"  # ``Principal.client_id`` of an API key: this prefix and the key's id


async def given(stores: Stores, principal: Principal) -> Reachable:
    """What the principal's connection was given: its API key's or OAuth grant's spaces (every owned space for a
    connection with neither; the local stdio server is the person themself: ``reach_of_person``)."""
    client = principal.client_id or ""
    found: Reachable | None = None
    if principal.via == "api_key" and client.startswith(KEY_CLIENT_PREFIX):
        found = await stores.spaces.key_reach(client.removeprefix(KEY_CLIENT_PREFIX))
        if found is None:  # revoked since this process cached it (the CLI, another replica): it reaches nothing
            return Reachable(())
    elif principal.via == "oauth" and client:
        found = await stores.spaces.grant_reach(principal.user_id, client)
    return found or Reachable()


async def reach_for(stores: Stores, principal: Principal) -> Reach:
    """The spaces this request may read and its default write space."""
    spaces = await stores.spaces.spaces_of(principal.user_id)
    grant = await given(stores, principal)
    readable = allowed(spaces, grant.spaces, principal.user_id)
    write = grant.write_space or principal.user_id
    write_id = write if any(s.id == write for s in readable) else None
    return Reach(principal.user_id, readable, write_id, principal.client_id)


async def reach_of_person(stores: Stores, user_id: str) -> Reach:
    """Everything the person signed in to the dashboard may reach: their own spaces and those shared with them;
    new memories go to their personal space."""
    spaces = tuple(await stores.spaces.spaces_of(user_id))
    return Reach(user_id, spaces, user_id)
