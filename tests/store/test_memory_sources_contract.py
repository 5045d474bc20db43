"""Contract of ``MemoryStore.sources`` (the apps a user's memories came from), run against every backend."""

from __future__ import annotations

import time

import pytest

from jean_memory.store import Stores
from jean_memory.store.oauth import OAuthClient
from jean_memory.store.records import Document, MemorySource, NewMemory
from tests.store.vectors import unit_vector

pytestmark = pytest.mark.anyio




def _memory(n: int, client_id: str | None) -> NewMemory:
    return NewMemory(f"fact number {n}", f"k{n}", unit_vector(n), client_id=client_id)


async def _client(stores: Stores, client_id: str, name: str) -> None:
    await stores.oauth.save_client(OAuthClient(client_id, name, ("https://example.com/cb",), "none",
                                               ("authorization_code",), "memory:read", {}, time.time()))


async def test_sources_are_the_distinct_apps_of_live_memories(stores: Stores) -> None:
    a = await stores.users.create_user("a@example.com", None)
    b = await stores.users.create_user("b@example.com", None)
    await _client(stores, "oauth-claude", "Claude")
    await _client(stores, "oauth-unnamed", "")
    assert await stores.memories.sources(a.id) == []

    await stores.memories.insert(a.id, [
        _memory(1, "oauth-claude"), _memory(2, "oauth-claude"), _memory(3, "dashboard"), _memory(4, "api-key:k1"),
        _memory(5, "oauth-unnamed"), _memory(6, None),
    ])
    [gone] = await stores.memories.insert(a.id, [_memory(7, "deleted-app")])
    await stores.memories.delete(a.id, [gone.id])
    now = time.time()
    await stores.documents.insert_document(
        Document("d1", a.id, "Notes", "text", "text", None, "document-app", {}, now, now),
        [NewMemory("a chunk of notes", "c0", unit_vector(8), client_id="document-app", document_id="d1")])
    await stores.memories.insert(b.id, [_memory(9, "bobs-app"), _memory(10, "oauth-claude")])

    # Ordered by name, else client id, case-insensitively; deleted memories, chunks and client-less ones left out.
    assert await stores.memories.sources(a.id) == [
        MemorySource("api-key:k1", None, 1),
        MemorySource("oauth-claude", "Claude", 2),
        MemorySource("dashboard", None, 1),
        MemorySource("oauth-unnamed", None, 1),
    ]
    assert await stores.memories.sources(b.id) == [MemorySource("bobs-app", None, 1),
                                                   MemorySource("oauth-claude", "Claude", 1)]
    assert await stores.memories.sources("no-such-user") == []
