#!/usr/bin/python3
"""Makes int8 variants of an fp32 ONNX model, in the forms ONNX Runtime's quantizer emits.

  qdq      static QDQ: QuantizeLinear -> DequantizeLinear on the activations read and written by
           Conv / MatMul / Gemm (uint8, asymmetric, per tensor, from min/max calibration), int8
           symmetric per-output-channel weights and int32 biases behind DequantizeLinear.
  dynamic  dynamic quantization: DynamicQuantizeLinear on the activation, ConvInteger / MatMulInteger
           with uint8 weights (zero point 128, symmetric range, per tensor), Cast, Mul by the scales,
           Add of the float bias.

Calibration runs the fp32 model in ONNX Runtime (node, ort_run.js of the ort-anchor tooling) on a few
deterministic synthetic text-page inputs, with the calibrated tensors added as graph outputs.
BatchNormalization after a Conv is folded into it first, and Constant nodes become initializers;
models below opset 14 are converted to 14 (per-axis DequantizeLinear needs 13, HardSwish 14).

usage: quantize.py --mode qdq|dynamic MODEL.onnx OUT.onnx --shape 1,3,640,640 [--ort DIR] [--samples 3]
Needs python3-onnx and numpy (Debian); --mode qdq needs node and the ort-anchor folder.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def constants_to_initializers(model):
    g = model.graph
    keep = []
    for n in g.node:
        if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value":
            t = onnx.TensorProto()
            t.CopyFrom(n.attribute[0].t)
            t.name = n.output[0]
            g.initializer.append(t)
        else:
            keep.append(n)
    del g.node[:]
    g.node.extend(keep)


def inits(model):
    return {i.name: i for i in model.graph.initializer}


def set_init(model, name, array):
    g = model.graph
    for i, t in enumerate(g.initializer):
        if t.name == name:
            g.initializer[i].CopyFrom(numpy_helper.from_array(array, name))
            return
    g.initializer.append(numpy_helper.from_array(array, name))


def consumers(model):
    c = {}
    for n in model.graph.node:
        for i in n.input:
            c.setdefault(i, []).append(n)
    return c


def fold_batchnorm(model):
    """Conv -> BatchNormalization (the Conv's only reader) becomes one Conv."""
    g = model.graph
    init = inits(model)
    cons = consumers(model)
    prod = {o: n for n in g.node for o in n.output}
    outputs = {o.name for o in g.output}
    drop = []
    for bn in g.node:
        if bn.op_type != "BatchNormalization" or bn.input[0] not in prod:
            continue
        conv = prod[bn.input[0]]
        if conv.op_type != "Conv" or len(cons.get(conv.output[0], [])) != 1 or conv.output[0] in outputs:
            continue
        if conv.input[1] not in init or any(x not in init for x in bn.input[1:5]):
            continue
        eps = next((a.f for a in bn.attribute if a.name == "epsilon"), 1e-5)
        gamma, beta, mean, var = (numpy_helper.to_array(init[x]).astype(np.float64) for x in bn.input[1:5])
        w = numpy_helper.to_array(init[conv.input[1]]).astype(np.float64)
        b = numpy_helper.to_array(init[conv.input[2]]).astype(np.float64) if len(conv.input) > 2 and conv.input[2] else np.zeros(w.shape[0])
        f = gamma / np.sqrt(var + eps)
        w = w * f.reshape(-1, *([1] * (w.ndim - 1)))
        b = (b - mean) * f + beta
        wname, bname = conv.output[0] + "_w_bn", conv.output[0] + "_b_bn"
        set_init(model, wname, w.astype(np.float32))
        set_init(model, bname, b.astype(np.float32))
        x = conv.input[0]
        del conv.input[:]
        conv.input.extend([x, wname, bname])
        conv.output[0] = bn.output[0]
        drop.append(bn)
    for n in drop:
        g.node.remove(n)


def upgrade(model, opset=14):
    cur = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if cur >= opset:
        return model
    from onnx import version_converter
    # The converter's Softmax adapter needs the input's rank, which these exported graphs leave
    # unknown; Softmax over the last axis (all these models have) means the same in every opset, so
    # it travels as Identity and gets its explicit axis back.
    softmax = {}
    for n in model.graph.node:
        if n.op_type == "Softmax":
            softmax[n.output[0]] = next((a.i for a in n.attribute if a.name == "axis"), 1)
            n.op_type = "Identity"
            del n.attribute[:]
    model = version_converter.convert_version(model, opset)
    for n in model.graph.node:
        if n.op_type == "Identity" and n.output[0] in softmax:
            n.op_type = "Softmax"
            n.attribute.append(helper.make_attribute("axis", softmax[n.output[0]]))
    return model


def text_page(shape, seed):
    """A synthetic page: dark character-like blocks in text lines on a light background, normalised
    like PP-OCR's preprocessing ((v - mean) / std per channel), so the models see image-like input
    and produce outputs with a real dynamic range."""
    rng = np.random.default_rng(seed)
    n, c, h, w = shape
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    out = np.empty(shape, np.float32)
    for b in range(n):
        img = np.full((h, w), 0.95, np.float32)
        line_h = max(8, round(h / (2 if h <= 64 else 8)))
        y0 = line_h // 2
        while y0 + line_h <= h:
            x = 4 + int(rng.integers(0, 8))
            while x < w - 4:
                cw = 3 + int(rng.integers(0, max(1, int(line_h * 0.6))))
                if rng.random() < 0.75:
                    img[y0:y0 + line_h, x:min(w - 4, x + cw)] = 0.05 + 0.15 * rng.random()
                x += cw + 2 + int(rng.integers(0, 4))
            y0 += line_h * 2
        for ch in range(c):
            out[b, ch] = (img - mean[ch % 3]) / std[ch % 3]
    return out


def calibrate(model, tensors, input_name, shape, ort_dir, samples):
    """min / max of each tensor over the calibration inputs (ONNX Runtime runs the model)."""
    aug = onnx.ModelProto()
    aug.CopyFrom(model)
    have = {o.name for o in aug.graph.output}
    for t in tensors:
        if t not in have:
            aug.graph.output.append(helper.make_empty_tensor_value_info(t))
    ranges = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "aug.onnx")
        onnx.save(aug, path)
        for s in range(samples):
            ind, outd = os.path.join(tmp, "in%d" % s), os.path.join(tmp, "out%d" % s)
            os.makedirs(ind)
            os.makedirs(outd)
            np.save(os.path.join(ind, input_name + ".npy"), text_page(shape, 1000 + s))
            r = subprocess.run(["node", os.path.join(ort_dir, "ort_run.js"), path, ind, outd],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                raise SystemExit("quantize.py: calibration run failed:\n" + r.stderr[-2000:])
            for t in tensors:
                a = np.load(os.path.join(outd, t.replace("/", "_").replace(":", "_") + ".npy"))
                lo, hi = float(a.min()), float(a.max())
                if t in ranges:
                    lo, hi = min(lo, ranges[t][0]), max(hi, ranges[t][1])
                ranges[t] = (lo, hi)
    return ranges


def uint8_params(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero = int(np.clip(np.rint(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zero)


def per_channel_int8(w, axis):
    moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    scale = np.abs(moved).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def quantizable(model):
    """(node, activation input, weight initializer, weight axis) of every Conv / MatMul / Gemm with
    constant weights."""
    init = inits(model)
    out = []
    for n in model.graph.node:
        if n.op_type == "Conv" and n.input[1] in init and n.input[0] not in init:
            out.append((n, 0))
        elif n.op_type == "MatMul" and n.input[1] in init and n.input[0] not in init and init[n.input[1]].dims.__len__() == 2:
            out.append((n, 1))
        elif n.op_type == "Gemm" and n.input[1] in init and n.input[0] not in init:
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            if attrs.get("transA", 0) == 0:
                out.append((n, 0 if attrs.get("transB", 0) else 1))
    return out


def qdq(model, input_name, shape, ort_dir, samples):
    targets = quantizable(model)
    graph_outputs = {o.name for o in model.graph.output}
    acts = []
    for n, _ in targets:
        for t in (n.input[0], n.output[0]):
            if t not in acts and t not in graph_outputs:
                acts.append(t)
    ranges = calibrate(model, acts, input_name, shape, ort_dir, samples)
    init = inits(model)
    g = model.graph
    params = {}
    new_nodes = []
    for t in acts:
        s, z = uint8_params(*ranges[t])
        params[t] = float(s)
        set_init(model, t + "_scale", np.array(s, np.float32))
        set_init(model, t + "_zero_point", np.array(z, np.uint8))
        new_nodes.append(helper.make_node("QuantizeLinear", [t, t + "_scale", t + "_zero_point"], [t + "_quantized"],
                                          name=t + "_QuantizeLinear"))
        new_nodes.append(helper.make_node("DequantizeLinear", [t + "_quantized", t + "_scale", t + "_zero_point"],
                                          [t + "_dequantized"], name=t + "_DequantizeLinear"))
    qset = set(acts)
    for n in g.node:
        for i, x in enumerate(n.input):
            if x in qset:
                n.input[i] = x + "_dequantized"
    for n, axis in targets:
        wname = n.input[1]
        w = numpy_helper.to_array(init[wname]).astype(np.float32)
        q, ws = per_channel_int8(w, axis)
        set_init(model, wname + "_quantized", q)
        set_init(model, wname + "_scale", ws)
        new_nodes.append(helper.make_node("DequantizeLinear", [wname + "_quantized", wname + "_scale"],
                                          [wname + "_dequantized"], name=wname + "_DequantizeLinear", axis=axis))
        n.input[1] = wname + "_dequantized"
        if len(n.input) > 2 and n.input[2] in init:
            bname = n.input[2]
            b = numpy_helper.to_array(init[bname]).astype(np.float64)
            x = n.input[0][: -len("_dequantized")]
            bs = (params[x] * ws.astype(np.float64)).astype(np.float32)
            if b.ndim == 1 and b.shape[0] == bs.shape[0]:
                bq = np.clip(np.rint(b / bs), -2**31, 2**31 - 1).astype(np.int32)
                set_init(model, bname + "_quantized", bq)
                set_init(model, bname + "_scale", bs)
                new_nodes.append(helper.make_node("DequantizeLinear", [bname + "_quantized", bname + "_scale"],
                                                  [bname + "_dequantized"], name=bname + "_DequantizeLinear", axis=0))
                n.input[2] = bname + "_dequantized"
    nodes = list(g.node) + new_nodes
    del g.node[:]
    g.node.extend(topo_sort(nodes, {i.name for i in g.input} | {i.name for i in g.initializer}))
    remove_unused_initializers(model)


def dynamic(model):
    targets = quantizable(model)
    init = inits(model)
    g = model.graph
    out_nodes = []
    replaced = {}
    for n, axis in targets:
        if n.op_type == "Gemm":
            continue  # ONNX Runtime's quantize_dynamic keeps Gemm float unless asked otherwise
        x, wname = n.input[0], n.input[1]
        w = numpy_helper.to_array(init[wname]).astype(np.float32)
        scale = max(float(np.abs(w).max()) / 127.0, 1e-12)
        wq = (np.clip(np.rint(w / scale), -127, 127) + 128).astype(np.uint8)
        base = n.name or n.output[0]
        set_init(model, wname + "_quantized", wq)
        set_init(model, wname + "_scale", np.array(scale, np.float32))
        set_init(model, wname + "_zero_point", np.array(128, np.uint8))
        xq, xs, xz = x + "_quantized", x + "_scale", x + "_zero_point"
        if x not in replaced:
            out_nodes.append(helper.make_node("DynamicQuantizeLinear", [x], [xq, xs, xz], name=x + "_DynamicQuantizeLinear"))
            replaced[x] = True
        integer = "ConvInteger" if n.op_type == "Conv" else "MatMulInteger"
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute} if n.op_type == "Conv" else {}
        out_nodes.append(helper.make_node(integer, [xq, wname + "_quantized", xz, wname + "_zero_point"],
                                          [base + "_int32"], name=base + "_" + integer, **attrs))
        out_nodes.append(helper.make_node("Cast", [base + "_int32"], [base + "_float"], to=TensorProto.FLOAT,
                                          name=base + "_Cast"))
        out_nodes.append(helper.make_node("Mul", [xs, wname + "_scale"], [base + "_scale"], name=base + "_ScaleMul"))
        has_bias = n.op_type == "Conv" and len(n.input) > 2 and n.input[2] in init
        scaled = base + "_scaled" if has_bias else n.output[0]
        out_nodes.append(helper.make_node("Mul", [base + "_float", base + "_scale"], [scaled], name=base + "_OutMul"))
        if has_bias:
            b = numpy_helper.to_array(init[n.input[2]]).astype(np.float32)
            set_init(model, n.input[2] + "_reshaped", b.reshape(1, -1, 1, 1))
            out_nodes.append(helper.make_node("Add", [scaled, n.input[2] + "_reshaped"], [n.output[0]],
                                              name=base + "_BiasAdd"))
        n.op_type = "__removed__"
    nodes = [n for n in g.node if n.op_type != "__removed__"] + out_nodes
    del g.node[:]
    g.node.extend(topo_sort(nodes, {i.name for i in g.input} | {i.name for i in g.initializer}))
    remove_unused_initializers(model)


def topo_sort(nodes, available):
    avail = set(available) | {""}
    done, out = [False] * len(nodes), []
    progress = True
    while progress:
        progress = False
        for i, n in enumerate(nodes):
            if not done[i] and all(x in avail for x in n.input):
                out.append(n)
                avail.update(n.output)
                done[i] = progress = True
    if not all(done):
        raise SystemExit("quantize.py: graph has a cycle or reads an undefined tensor")
    return out


def remove_unused_initializers(model):
    used = {x for n in model.graph.node for x in n.input} | {o.name for o in model.graph.output}
    keep = [t for t in model.graph.initializer if t.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(keep)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["qdq", "dynamic"], required=True)
    ap.add_argument("--shape", default="1,3,640,640", help="calibration input shape (qdq)")
    ap.add_argument("--ort", default=os.environ.get("ORT_ANCHOR", "/tmp/ort-anchor"), help="ort-anchor folder")
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("model")
    ap.add_argument("out")
    a = ap.parse_args()
    model = onnx.load(a.model)
    constants_to_initializers(model)
    fold_batchnorm(model)
    remove_unused_initializers(model)
    model = upgrade(model)
    input_name = model.graph.input[0].name
    if a.mode == "qdq":
        qdq(model, input_name, [int(v) for v in a.shape.split(",")], a.ort, a.samples)
    else:
        dynamic(model)
    onnx.checker.check_model(model)
    onnx.save(model, a.out)
    print("%s: %s variant written to %s" % (os.path.basename(a.model), a.mode, a.out))


if __name__ == "__main__":
    sys.exit(main())
