"""What one add costs: a text already stored is not embedded again; one new text is embedded once, inside the
store's candidate call (no separate hop to a worker thread for the embedding)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from jean_memory.embeddings.minilm import MiniLMEmbedder
from jean_memory.memory.service import MemoryService
from jean_memory.runtime import Runtime
from tests.conftest import Account

pytestmark = pytest.mark.anyio


class _Counting:
    """The shared model, counting batches: ``embed`` (a hop of its own) and ``embed_sync`` (called in a store's
    worker thread)."""

    name = "counting"

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.dimensions = inner.dimensions
        self.batches: list[tuple[str, int]] = []

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(("embed", len(texts)))
        return await self.inner.embed(texts)

    def embed_sync(self, texts: Sequence[str]) -> np.ndarray:
        self.batches.append(("embed_sync", len(texts)))
        return self.inner.embed_sync(texts)


async def test_an_add_embeds_each_new_text_once_and_a_stored_one_never(runtime: Runtime, alice: Account,
                                                                        embedder: MiniLMEmbedder) -> None:
    counting = _Counting(embedder)
    service = MemoryService(runtime.stores, counting)
    first = await service.add(alice.user_id, "My sister Anna lives in Berlin")
    assert counting.batches == [("embed_sync", 1)]
    counting.batches.clear()
    again = await service.add(alice.user_id, "my sister anna lives in berlin!")
    assert counting.batches == [] and again[0].memory.id == first[0].memory.id and not again[0].created
    moved = await service.add(alice.user_id, "My sister Anna lives in Munich now")
    assert counting.batches == [("embed_sync", 1)]
    assert [m.id for m in moved[0].replaced] == [first[0].memory.id]
    assert (await runtime.stores.memories.get(alice.user_id, [moved[0].memory.id]))[0].text.endswith("Munich now")
    counting.batches.clear()
    both = await service.add(alice.user_id, ["I drink green tea", "My cat is called Miso"])
    assert counting.batches == [("embed", 2)] and all(r.created for r in both)
