"""``SpaceService`` at the edges, on both backends: input PostgreSQL cannot hold, and names that differ only in case
beyond ASCII."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.errors import Conflict, InvalidInput
from jean_memory.runtime import Runtime, build_runtime
from jean_memory.settings import Settings
from jean_memory.spaces.manage import SpaceService
from jean_memory.spaces.resolve import reach_of_person
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
