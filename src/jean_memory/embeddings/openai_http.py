"""An OpenAI-compatible ``/v1/embeddings`` client, for deployments that already run an embedding service."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import numpy as np

from ..errors import StorageError
from .protocol import normalise


class OpenAIEmbedder:
    def __init__(self, base_url: str, api_key: str, model: str, dimensions: int = 1536) -> None:
        if not base_url:
            raise ValueError("JEAN_MEMORY_EMBEDDING_URL is required when JEAN_MEMORY_EMBEDDER=openai")
        self.name = model
        self.dimensions = dimensions
        self._url = base_url.rstrip("/") + "/embeddings"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._model = model

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        async with httpx.AsyncClient(timeout=30) as client:
            try:
                response = await client.post(
                    self._url, headers=self._headers, json={"model": self._model, "input": list(texts)}
                )
                response.raise_for_status()
                data = sorted(response.json()["data"], key=lambda d: d["index"])
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                raise StorageError(f"the embedding service did not answer: {exc}") from exc
        matrix = normalise(np.array([d["embedding"] for d in data], dtype=np.float32))
        self.dimensions = matrix.shape[1]
        return matrix
