"""The parts one running service is made of, built once by ``create_app`` (or the CLI) and shared."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from . import llm
from .embeddings import Embedder, open_embedder
from .memory.service import MemoryService
from .memory.validation import Limits
from .settings import Settings
from .store import Stores, open_store


@dataclass(slots=True)
class Runtime:
    settings: Settings
    stores: Stores
    embedder: Embedder
    memory: MemoryService
    extras: dict[str, Any] = field(default_factory=dict)


def build_runtime(settings: Settings, embedder: Embedder | None = None) -> Runtime:
    stores = open_store(settings)
    emb = embedder or open_embedder(settings)
    limits = Limits(settings.max_memory_bytes, settings.max_document_bytes, settings.max_batch)
    confirm = partial(llm.confirm_replacement, settings) if settings.llm_url else None
    return Runtime(settings, stores, emb, MemoryService(stores, emb, limits, confirm=confirm))
