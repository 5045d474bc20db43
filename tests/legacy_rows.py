"""Rows as the service stored them before the JSON rules (issue 12): written straight through the store."""

from __future__ import annotations

import time
import uuid

import numpy as np

from jean_memory.memory.text import dedup_key
from jean_memory.runtime import Runtime
from jean_memory.store import Stores
from jean_memory.store.records import Document, NewMemory

LEGACY_TEXT = "The garden shed key hangs behind the kitchen door"
LEGACY_TITLE = "Shed inventory"


def nested(depth: int) -> dict[str, object]:
    value: dict[str, object] = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def legacy_metadata() -> dict[str, object]:
    return {"k": "\udfff", "\udc80key": 1, "deep": nested(900)}


async def store_legacy_rows(runtime: Runtime, user_id: str) -> str:
    """One memory (lone surrogates in its metadata and a tag, metadata 900 levels deep) and one such document;
    the memory's id."""
    vector = np.asarray((await runtime.memory.embedder.embed([LEGACY_TEXT]))[0], dtype=np.float32).tobytes()
    return await insert_legacy_rows(runtime.stores, user_id, vector)


async def insert_legacy_rows(stores: Stores, user_id: str, vector: bytes) -> str:
    [memory] = await stores.memories.insert(user_id, [NewMemory(
        LEGACY_TEXT, dedup_key(LEGACY_TEXT), vector, ("garden", "odd\udfff"), None, legacy_metadata())])
    now = time.time()
    await stores.documents.insert_document(Document(
        str(uuid.uuid4()), user_id, LEGACY_TITLE, "A rake, two spades.", "note", None, None, legacy_metadata(),
        now, now), [])
    return memory.id
