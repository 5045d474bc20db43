"""``SpaceService`` at the edges, on both backends: input PostgreSQL cannot hold, and names that differ only in case
beyond ASCII."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jean_memory.accounts.api_keys import KEY_SCOPES, Principal
from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.errors import Conflict, InvalidInput
from jean_memory.runtime import Runtime, build_runtime
from jean_memory.settings import Settings
from jean_memory.spaces.manage import SpaceService
from jean_memory.spaces.resolve import reach_for, reach_of_person
from tests.conftest import Account, make_account

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def rt(request: pytest.FixtureRequest, settings: Settings, embedder: MiniLMEmbedder
             ) -> AsyncIterator[Runtime]:
    if request.param == "postgres":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("postgres_url")})
    runtime = build_runtime(settings, embedder)
    await runtime.stores.database.migrate()
    try:
        yield runtime
    finally:
        await runtime.stores.database.close()


@pytest.fixture
async def anna(rt: Runtime) -> Account:
    return await make_account(rt, "anna@example.com")


async def test_an_invitation_id_with_nul_or_control_characters_is_refused(rt: Runtime, anna: Account) -> None:
    svc = SpaceService(rt.stores)
    for bad in ("\x00", "a\x00b", "inv\n1"):
        for accept in (True, False):
            with pytest.raises(InvalidInput, match="invitation ids"):
                await svc.answer(anna.user_id, bad, accept)


async def test_names_are_unique_case_insensitively_beyond_ascii(rt: Runtime, anna: Account) -> None:
    """SQLite's NOCASE folds ASCII only and PostgreSQL's lower() has no ß -> ss, while a space argument is matched by
    ``casefold``: two such names made ``space="ärzte"`` pick one of the two silently."""
    svc = SpaceService(rt.stores)
    reach = await reach_of_person(rt.stores, anna.user_id)
    first = await svc.create(reach, "Ärzte")
    street = await svc.create(reach, "Straße")
    for twin in ("äRZTE", "STRASSE"):
        with pytest.raises(Conflict, match="already have a space named"):
            await svc.create(reach, twin)
    with pytest.raises(Conflict):
        await svc.rename(await reach_of_person(rt.stores, anna.user_id), street.id, "ärzte")
    renamed = await svc.rename(await reach_of_person(rt.stores, anna.user_id), first.id, "ÄRZTE")  # itself: fine
    assert renamed.name == "ÄRZTE"
    names = {s.name for s in await rt.stores.spaces.spaces_of(anna.user_id)}
    assert names == {"personal", "Straße", "ÄRZTE"}


async def test_a_removed_member_invited_back_must_give_the_space_to_their_keys_again(rt: Runtime, anna: Account
                                                                                   ) -> None:
    ben = await make_account(rt, "ben@example.com")
    svc = SpaceService(rt.stores)
    owner = await reach_of_person(rt.stores, anna.user_id)
    trip = await svc.create(owner, "trip")
    owner = await reach_of_person(rt.stores, anna.user_id)

    async def join() -> None:
        invited = await svc.invite(owner, trip.id, "ben@example.com", "writer")
        await svc.answer(ben.user_id, invited.id, True)

    await join()
    both = await rt.stores.api_keys.create_key(ben.user_id, "both", "hash-both", "jm_b", spaces=(ben.user_id, trip.id),
                                               write_space=trip.id)
    only = await rt.stores.api_keys.create_key(ben.user_id, "only", "hash-only", "jm_o", spaces=(trip.id,),
                                               write_space=trip.id)
    await svc.remove(owner, trip.id, "ben@example.com")
    await join()  # invited back and accepted: his keys do not reach it until he gives it to them again
    keys = {k.name: k for k in await rt.stores.api_keys.list_keys(ben.user_id)}
    assert (keys["both"].spaces, keys["both"].write_space) == ((ben.user_id,), None)
    assert (keys["only"].spaces, keys["only"].write_space) == ((), None)  # nothing, never "every own space"
    for key in (both, only):
        principal = Principal(ben.user_id, KEY_SCOPES, f"api-key:{key.id}", "api_key")
        assert trip.id not in (await reach_for(rt.stores, principal)).ids
