"""The ``Embedder`` Protocol: texts in, L2-normalised float32 rows out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


class Embedder(Protocol):
    name: str
    dimensions: int

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text."""
        ...


@runtime_checkable
class SyncEmbedder(Embedder, Protocol):
    """An embedder that can also run in the caller's thread (a local model): a search then embeds its query
    in the same worker-thread call as the store's work."""

    def embed_sync(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    out: np.ndarray = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return out
