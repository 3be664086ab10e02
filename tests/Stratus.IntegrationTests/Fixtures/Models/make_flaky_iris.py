#!/usr/bin/python3
"""Writes flaky-iris.onnx: iris's input (Features, float [N, 4]) and a 'label' output, failing at run time whenever
the first row's first feature is exactly 3.0 (a Reshape to [3, -1] of 4 values), and answering otherwise.

A canary test needs a challenger that fails a chosen share of calls while control serves the same requests; this
model fails exactly on the requests the test marks. Needs Debian's python3-onnx:
    /usr/bin/python3 tests/Stratus.IntegrationTests/Fixtures/Models/make_flaky_iris.py
"""
import os

import onnx
from onnx import TensorProto, helper

nodes = [
    helper.make_node("Slice", ["Features", "zero2", "one2"], ["first2"]),
    helper.make_node("Reshape", ["first2", "one1"], ["first"]),
    helper.make_node("Equal", ["first", "three"], ["is_three"]),
    helper.make_node("Cast", ["is_three"], ["is_three_int"], to=TensorProto.INT64),
    helper.make_node("Mul", ["is_three_int", "two"], ["twice"]),
    helper.make_node("Add", ["twice", "one1"], ["rows"]),
    helper.make_node("Concat", ["rows", "minus_one"], ["shape"], axis=0),
    helper.make_node("Reshape", ["Features", "shape"], ["reshaped"]),
    helper.make_node("ArgMax", ["reshaped"], ["label"], axis=1, keepdims=0),
]
initializers = [
    helper.make_tensor("zero2", TensorProto.INT64, [2], [0, 0]),
    helper.make_tensor("one2", TensorProto.INT64, [2], [1, 1]),
    helper.make_tensor("one1", TensorProto.INT64, [1], [1]),
    helper.make_tensor("two", TensorProto.INT64, [1], [2]),
    helper.make_tensor("minus_one", TensorProto.INT64, [1], [-1]),
    helper.make_tensor("three", TensorProto.FLOAT, [1], [3.0]),
]
graph = helper.make_graph(
    nodes,
    "flaky_iris",
    [helper.make_tensor_value_info("Features", TensorProto.FLOAT, ["N", 4])],
    [helper.make_tensor_value_info("label", TensorProto.INT64, ["N"])],
    initializers,
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="stratus-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(os.path.dirname(os.path.abspath(__file__)), "flaky-iris.onnx"))
