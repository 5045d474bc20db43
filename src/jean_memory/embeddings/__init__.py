"""Embedders: the ``Embedder`` Protocol, the local MiniLM default and an OpenAI-compatible HTTP client."""

from __future__ import annotations

from ..settings import Settings
from .protocol import Embedder, SyncEmbedder


def open_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "openai":
        from .openai_http import OpenAIEmbedder

        return OpenAIEmbedder(settings.embedding_url, settings.embedding_api_key, settings.embedding_model)
    if settings.embedder == "local":
        from .minilm import MiniLMEmbedder

        return MiniLMEmbedder.shared()
    raise ValueError("JEAN_MEMORY_EMBEDDER must be 'local' or 'openai'")


__all__ = ["Embedder", "SyncEmbedder", "open_embedder"]
