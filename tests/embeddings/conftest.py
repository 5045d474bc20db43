from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from onnx import TensorProto, helper


@pytest.fixture
def plain_model(tmp_path: Path) -> Path:
    """A one-``MatMul`` float model: not MiniLM, nothing to rewrite or fuse."""
    weight = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], [1.0, 0.0, 0.0, 1.0])
    node = helper.make_node("MatMul", ["x", "w"], ["y"], name="plain")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], [weight])
    path = tmp_path / "plain.onnx"
    onnx.save(helper.make_model(graph), str(path))
    return path
