#!/usr/bin/env python3
# Writes v1_fused.onnx (standard library + protoc only): a small CNN that exercises every fusion of
# the compiler (Conv+Relu, Conv+Add+Relu residual, Conv+HardSigmoid with a scalar affine after it,
# the Conv+HardSwish pattern, MaxPool/ConvTranspose/GlobalAveragePool in a channels-last region,
# Gemm+Relu, MatMul+Tanh).
# v1_fused.om next to it was compiled from this model by gearatc of .om format 1.0 (commit e08907f),
# whose compiled graphs carried gs_* attributes on ONNX ops:
#   gearatc --model=v1_fused.onnx --framework=5 --output=v1_fused \
#           --input_shape="x:1,3,-1,-1" --dynamic_image_size="8,8;12,12"
# v1_fused_ref.txt holds the outputs that version computed for the input of fixedInput() in
# tests/om/test_om_upgrade.cpp. The files test that newer readers translate version-1 files.
import os
import random
import subprocess

rng = random.Random(7)
here = os.path.dirname(os.path.abspath(__file__))
inits, nodes = [], []


def tensor(name, dims, values):
    s = 'initializer { name: "%s" data_type: 1 ' % name
    s += " ".join("dims: %d" % d for d in dims)
    s += " " + " ".join("float_data: %.8g" % v for v in values) + " }"
    inits.append(s)


def w(name, *shape):
    n = 1
    for d in shape:
        n *= d
    tensor(name, shape, [rng.gauss(0.0, 0.3) for _ in range(n)])


def node(op, ins, outs, name, **attrs):
    s = 'node { name: "%s" op_type: "%s" ' % (name, op)
    s += " ".join('input: "%s"' % i for i in ins) + " "
    s += " ".join('output: "%s"' % o for o in outs)
    for k, v in attrs.items():
        if isinstance(v, list):
            s += ' attribute { name: "%s" type: INTS %s }' % (k, " ".join("ints: %d" % i for i in v))
        elif isinstance(v, float):
            s += ' attribute { name: "%s" type: FLOAT f: %.8g }' % (k, v)
        else:
            s += ' attribute { name: "%s" type: INT i: %d }' % (k, v)
    nodes.append(s + " }")


w("W1", 4, 3, 3, 3); w("B1", 4)
w("W2", 4, 4, 3, 3); w("B2", 4)
w("W3", 4, 4, 1, 1)
w("W4", 4, 4, 3, 3); w("B4", 4)
w("Wt", 4, 4, 2, 2)
w("Wg", 4, 5); w("Bg", 5)
w("Wm", 4, 3)
tensor("two", [], [2.0])
tensor("half", [], [0.5])
node("Conv", ["x", "W1", "B1"], ["c1"], "conv1", pads=[1, 1, 1, 1])
node("Relu", ["c1"], ["r1"], "relu1")
node("Conv", ["r1", "W2", "B2"], ["c2"], "conv2", pads=[1, 1, 1, 1])
node("Add", ["c2", "r1"], ["a2"], "add2")
node("Relu", ["a2"], ["r2"], "relu2")
node("Conv", ["r2", "W3"], ["c3"], "conv3")
node("HardSigmoid", ["c3"], ["h3"], "hsig3")
node("Mul", ["h3", "two"], ["m3"], "mul3")
node("Add", ["m3", "half"], ["p3"], "add3")
node("Conv", ["p3", "W4", "B4"], ["c4"], "conv4", pads=[1, 1, 1, 1])
node("HardSigmoid", ["c4"], ["hs4"], "hsig4", alpha=1.0 / 6, beta=0.5)
node("Mul", ["c4", "hs4"], ["s4"], "hswish4")
node("MaxPool", ["s4"], ["mp"], "pool", kernel_shape=[2, 2], strides=[2, 2])
node("ConvTranspose", ["mp", "Wt"], ["ct"], "deconv", strides=[2, 2])
node("Sigmoid", ["ct"], ["sg"], "sig")
node("GlobalAveragePool", ["sg"], ["gap"], "gap")
node("Flatten", ["gap"], ["flat"], "flatten")
node("Gemm", ["flat", "Wg", "Bg"], ["g"], "gemm")
node("Relu", ["g"], ["y"], "relu_y")
node("MatMul", ["flat", "Wm"], ["mm"], "matmul")
node("Tanh", ["mm"], ["z"], "tanh_z")


def vi(name, dims):
    d = " ".join(('dim { dim_value: %d }' % x) if isinstance(x, int) else ('dim { dim_param: "%s" }' % x)
                 for x in dims)
    return '{ name: "%s" type { tensor_type { elem_type: 1 shape { %s } } } }' % (name, d)


text = 'ir_version: 8 producer_name: "make_v1_fused" opset_import { domain: "" version: 17 }\n'
text += 'graph { name: "v1_fused"\n' + "\n".join(nodes) + "\n" + "\n".join(inits) + "\n"
text += "input " + vi("x", [1, 3, "H", "W"]) + "\n"
text += "output " + vi("y", [1, 5]) + "\noutput " + vi("z", [1, 3]) + "\n}\n"
out = subprocess.run(["protoc", "--proto_path=/usr/include", "--encode=onnx.ModelProto", "onnx/onnx.proto"],
                     input=text.encode(), capture_output=True, check=True).stdout
with open(os.path.join(here, "v1_fused.onnx"), "wb") as f:
    f.write(out)
