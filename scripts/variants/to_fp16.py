#!/usr/bin/python3
"""Makes float16 (and bfloat16) variants of float32 ONNX models the way deployment engineers get them
from converters such as onnxconverter-common's convert_float_to_float16(keep_io_types=True):

- float32 weights (initializers and Constant nodes) become float16 / bfloat16 (float16 saturates at
  +-65504 instead of turning into infinity; values below its range become subnormals or zero),
- the graph inputs and outputs stay float32: a Cast to the 16-bit type after each float input, a Cast
  back to float32 before each float output,
- ops converters keep in float32 (Resize, Upsample, Range, TopK, NonMaxSuppression, RoiAlign, CumSum,
  Min, Max: their default block list) get Casts to float32 before and to the 16-bit type after; so do
  nodes whose float32 weights exceed float16's range (what a user passes as node_block_list),
- Cast nodes to float32 inside the graph cast to the 16-bit type instead,
- the Cast nodes the conversion adds are appended at the end of the node list, so the graph is not
  topologically sorted (as such converters emit it; ONNX Runtime and GearStudio sort on load).

--bf16 also writes a bfloat16 variant. ONNX allows bfloat16 in Add, Mul, MatMul, Gemm, Relu, Softmax ...
from opset 13 but in Conv, pools and normalisations only from opset 22, which ONNX 1.12 (Debian 12)
does not know: use it for models of the former ops at opset >= 13; the result is not converted to a
newer opset here.

usage: to_fp16.py [--bf16] [--force] MODEL.onnx... OUT_DIR   (writes OUT_DIR/<name>_fp16.onnx / _bf16.onnx)
Needs python3-onnx and python3-numpy (Debian); run with /usr/bin/python3.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

BLOCKED = {"Resize", "Upsample", "Range", "TopK", "NonMaxSuppression", "RoiAlign", "CumSum", "Min", "Max"}
FLOAT = TensorProto.FLOAT


def to_16bit(arr, dtype):
    """float32 ndarray -> TensorProto payload of the 16-bit type (raw bytes), round to nearest even."""
    arr = np.asarray(arr, dtype=np.float32)
    if dtype == TensorProto.FLOAT16:
        return np.clip(arr, -65504.0, 65504.0).astype(np.float16).tobytes()
    u = np.ascontiguousarray(arr).view(np.uint32).astype(np.uint64)
    sixteen = np.uint64(16)
    r = ((u + np.uint64(0x7FFF) + ((u >> sixteen) & np.uint64(1))) >> sixteen).astype(np.uint16)
    return r.tobytes()


def convert_tensor(t, dtype):
    if t.data_type != FLOAT:
        return t
    arr = numpy_helper.to_array(t)
    out = TensorProto()
    out.name = t.name
    out.dims.extend(t.dims)
    out.data_type = dtype
    out.raw_data = to_16bit(arr, dtype)
    return out


def convert(model, dtype):
    g = model.graph
    suffix = "fp16" if dtype == TensorProto.FLOAT16 else "bf16"
    consumers = {}
    for n in g.node:
        for i, name in enumerate(n.input):
            if name:
                consumers.setdefault(name, []).append((n, i))
    for o in g.output:
        consumers.setdefault(o.name, []).append((None, -1))

    # Constants: initializers and Constant outputs, as float32 arrays where they are float.
    inits = {t.name: t for t in g.initializer}
    const_values = {t.name: numpy_helper.to_array(t) for t in g.initializer if t.data_type == FLOAT}
    constant_outputs = set(inits)
    for n in g.node:
        if n.op_type == "Constant":
            constant_outputs.add(n.output[0])
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == FLOAT:
                    const_values[n.output[0]] = numpy_helper.to_array(a.t)

    # Nodes kept in float32: the block list's ops, and (like a node_block_list a careful user passes)
    # nodes whose float weights do not fit float16's range (PP-OCRv4 det has a BatchNormalization with
    # running variances near 1e8: saturated to 65504 they would change its output by a factor of 40).
    blocked_nodes = set()
    for n in g.node:
        if n.op_type in BLOCKED:
            blocked_nodes.add(id(n))
        elif n.op_type not in ("Constant", "Cast") and dtype == TensorProto.FLOAT16:
            big = [x for x in n.input if x in const_values and const_values[x].size and
                   float(np.abs(const_values[x]).max()) > 65504.0]
            if big:
                blocked_nodes.add(id(n))
                print(f"kept in float32: {n.op_type} '{n.name}' ({', '.join(big)} beyond float16's range)",
                      file=sys.stderr)

    def blocked_only(name):
        cs = consumers.get(name, [])
        return bool(cs) and all(n is not None and id(n) in blocked_nodes for n, _ in cs)

    appended = []  # Cast nodes the conversion adds: appended last (unsorted, like converters)

    # Weights: initializers and Constant nodes.
    for i, t in enumerate(list(g.initializer)):
        if t.data_type == FLOAT and not blocked_only(t.name):
            g.initializer[i].CopyFrom(convert_tensor(t, dtype))
    for n in g.node:
        if n.op_type in ("Constant", "ConstantOfShape"):
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == FLOAT and not (n.op_type == "Constant" and blocked_only(n.output[0])):
                    a.t.CopyFrom(convert_tensor(a.t, dtype))
        if n.op_type == "Cast" and n.op_type not in BLOCKED:
            for a in n.attribute:
                if a.name == "to" and a.i == FLOAT and not blocked_only(n.output[0]):
                    a.i = dtype

    # Nodes kept in float32: Casts around their float data inputs (not constants; Resize's input 0,
    # every input of Min/Max, ...) and their float outputs.
    float_inputs = {"Resize": [0], "Upsample": [0], "TopK": [0], "RoiAlign": [0, 1], "CumSum": [0],
                    "NonMaxSuppression": [0, 1], "Range": [0, 1, 2]}
    for n in g.node:
        if id(n) not in blocked_nodes:
            continue
        slots = float_inputs.get(n.op_type, range(len(n.input)))
        for i in slots:
            if i < len(n.input) and n.input[i] and n.input[i] not in constant_outputs:
                src = n.input[i]
                name = f"{src}_{n.name or n.op_type}_{i}_to_fp32"
                appended.append(helper.make_node("Cast", [src], [name], name=name + "_cast", to=FLOAT))
                n.input[i] = name
        for j, out in enumerate(n.output):
            if n.op_type == "TopK" and j == 1:
                continue
            if not out:
                continue
            name = f"{out}_fp32"
            n.output[j] = name
            appended.append(helper.make_node("Cast", [name], [out], name=out + "_to_" + suffix, to=dtype))

    # Graph inputs stay float32: cast them once to the 16-bit type.
    for inp in g.input:
        if inp.name in inits or inp.type.tensor_type.elem_type != FLOAT:
            continue
        cast_out = f"{inp.name}_{suffix}"
        for n in g.node:
            for i, name in enumerate(n.input):
                if name == inp.name:
                    n.input[i] = cast_out
        appended.append(helper.make_node("Cast", [inp.name], [cast_out], name=f"graph_input_cast_{inp.name}", to=dtype))

    # Graph outputs stay float32: the producer writes a 16-bit value, a Cast makes the float32 output.
    for out in g.output:
        if out.type.tensor_type.elem_type != FLOAT:
            continue
        inner = f"{out.name}_{suffix}"
        for n in list(g.node) + appended:
            for j, name in enumerate(n.output):
                if name == out.name:
                    n.output[j] = inner
            for i, name in enumerate(n.input):
                if name == out.name:
                    n.input[i] = inner
        appended.append(helper.make_node("Cast", [inner], [out.name], name=f"graph_output_cast_{out.name}", to=FLOAT))

    for vi in g.value_info:
        if vi.type.tensor_type.elem_type == FLOAT:
            vi.type.tensor_type.elem_type = dtype
    g.node.extend(appended)
    return model


def main(argv):
    kinds = ["fp16"]
    force = False
    args = []
    for a in argv:
        if a == "--bf16":
            kinds.append("bf16")
        elif a == "--force":
            force = True
        else:
            args.append(a)
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = args[-1]
    os.makedirs(out_dir, exist_ok=True)
    for path in args[:-1]:
        base = os.path.splitext(os.path.basename(path))[0]
        for kind in kinds:
            out = os.path.join(out_dir, f"{base}_{kind}.onnx")
            if os.path.exists(out) and not force:
                print(f"{out} exists (--force rewrites it)")
                continue
            model = onnx.load(path)
            dtype = TensorProto.FLOAT16
            if kind == "bf16":
                dtype = TensorProto.BFLOAT16
            convert(model, dtype)
            onnx.save(model, out)
            print(f"{out}: {len(model.graph.node)} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
