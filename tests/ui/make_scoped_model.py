#!/usr/bin/env python3
"""Writes a synthetic ONNX model with PyTorch-style name scopes for the graph view's navigation tests
and screenshots: /backbone/stage1..4, /neck/fpn and /head/cls, each a chain of residual blocks of five
nodes (/conv1/Conv, /relu/Relu, /conv2/Conv, /Add, /gate/Sigmoid), about 11,000 nodes by default.
All convolutions share one 1x1 weight, so the file stays small.

usage: make_scoped_model.py OUT.onnx [--blocks-per-stage N]
"""
import argparse

import onnx
from onnx import TensorProto, helper


def build(blocks_per_stage: int) -> onnx.ModelProto:
    channels = 4
    nodes = []
    weight = helper.make_tensor("shared.weight", TensorProto.FLOAT, [channels, channels, 1, 1],
                                [0.25] * (channels * channels))
    scopes = [f"/backbone/stage{s}" for s in range(1, 5)] + ["/neck/fpn", "/head/cls"]
    counts = [blocks_per_stage] * 4 + [max(1, blocks_per_stage // 5)] * 2
    x = "images"
    for scope, count in zip(scopes, counts):
        for b in range(count):
            p = f"{scope}/block{b}"
            t = f"{p}/"
            nodes.append(helper.make_node("Conv", [x, "shared.weight"], [t + "conv1_out"], name=p + "/conv1/Conv"))
            nodes.append(helper.make_node("Relu", [t + "conv1_out"], [t + "relu_out"], name=p + "/relu/Relu"))
            nodes.append(helper.make_node("Conv", [t + "relu_out", "shared.weight"], [t + "conv2_out"],
                                          name=p + "/conv2/Conv"))
            nodes.append(helper.make_node("Add", [t + "conv2_out", x], [t + "add_out"], name=p + "/Add"))
            nodes.append(helper.make_node("Sigmoid", [t + "add_out"], [t + "out"], name=p + "/gate/Sigmoid"))
            x = t + "out"
    graph = helper.make_graph(
        nodes, "scoped_blocks",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", channels, 8, 8])],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["N", channels, 8, 8])],
        [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_scoped_model")
    model.ir_version = 8
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--blocks-per-stage", type=int, default=500)
    args = parser.parse_args()
    model = build(args.blocks_per_stage)
    onnx.checker.check_model(model)
    onnx.save(model, args.out)
    print(f"{args.out}: {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main()
