#!/usr/bin/python3
"""Benchmark models for bench/vs_ort: realistic architectures and shapes, random weights.

usage: /usr/bin/python3 bench/models/make_models.py OUT_DIR [NAME ...]
       (no NAME: every model; a model whose file exists is kept as it is)

Needs python3-onnx and python3-numpy (Debian). Weights come from a fixed seed, scaled so activations
stay in a sane range, so two runs write the same files. Every model is written with opset 17 and
symbolic batch/sequence dimensions where the architecture allows them, so gearatc can compile both
one static gear and a dynamic model from it.

Models (file name = NAME.onnx):
  bert4       BERT-base-like encoder: 4 layers, hidden 768, 12 heads, FFN 3072 (MatMul+Add, Softmax,
              LayerNormalization, GELU through Erf, attention Reshape/Transpose); inputs
              hidden [B,S,768] (embeddings) and mask [B,1,1,S] (additive attention mask)
  resnet50    ResNet-50 (bottleneck blocks 3-4-6-3, BatchNormalization, Relu, MaxPool, GlobalAveragePool,
              Gemm); input x [B,3,224,224]
  mobilenetv2 MobileNetV2 1.0 (inverted residuals, depthwise 3x3, Clip 0..6); input x [B,3,224,224]
  lstm        2-layer LSTM, input 128, hidden 256, then a MatMul head; input x [T,B,128]
  gru         2-layer GRU, same shapes as lstm
  melspec     audio front end: STFT as Conv1d (n_fft 400, hop 160, real and imaginary filters), Pow 2,
              power = re^2 + im^2, mel filter bank MatMul (201 -> 80), Add eps, Log; input
              wave [B,1,16000]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []
        self.count = 0

    def name(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def const(self, array, base="w"):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def weight(self, shape, fan_in, base="w"):
        w = self.rng.standard_normal(shape).astype(np.float32) * np.float32(np.sqrt(2.0 / fan_in))
        return self.const(w, base)

    def op(self, op_type, inputs, outputs=1, **attrs):
        outs = [self.name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self.name(op_type), **attrs))
        return outs[0] if outputs == 1 else outs

    def model(self, graph_name, inputs, outputs):
        graph = helper.make_graph(self.nodes, graph_name, inputs, outputs, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="gearstudio-bench")
        m.ir_version = 8
        onnx.checker.check_model(m)
        return m


def f32_input(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


# ---- transformer encoder -------------------------------------------------------------------------

def bert(layers=4, hidden=768, heads=12, ffn=3072):
    b = Builder(17)
    head_dim = hidden // heads
    x = "hidden"
    shape_bshd = b.const(np.array([0, 0, heads, head_dim], np.int64), "shape_bshd")
    shape_bsh = b.const(np.array([0, 0, hidden], np.int64), "shape_bsh")
    scale = b.const(np.array(1.0 / np.sqrt(head_dim), np.float32), "scale")
    sqrt2 = b.const(np.array(np.sqrt(2.0), np.float32), "sqrt2")
    one = b.const(np.array(1.0, np.float32), "one")
    half = b.const(np.array(0.5, np.float32), "half")

    def linear(inp, n_in, n_out):
        w = b.weight([n_in, n_out], n_in * 2)
        bias = b.const(b.rng.standard_normal(n_out).astype(np.float32) * 0.02, "bias")
        return b.op("Add", [b.op("MatMul", [inp, w]), bias])

    def layer_norm(inp):
        g = b.const(np.ones(hidden, np.float32) + b.rng.standard_normal(hidden).astype(np.float32) * 0.01, "ln_g")
        beta = b.const(b.rng.standard_normal(hidden).astype(np.float32) * 0.01, "ln_b")
        return b.op("LayerNormalization", [inp, g, beta], axis=-1, epsilon=1e-12)

    for _ in range(layers):
        def heads_of(t, perm):
            return b.op("Transpose", [b.op("Reshape", [t, shape_bshd])], perm=perm)
        q = heads_of(linear(x, hidden, hidden), [0, 2, 1, 3])      # B,H,S,D
        k = heads_of(linear(x, hidden, hidden), [0, 2, 3, 1])      # B,H,D,S
        v = heads_of(linear(x, hidden, hidden), [0, 2, 1, 3])      # B,H,S,D
        scores = b.op("Add", [b.op("Mul", [b.op("MatMul", [q, k]), scale]), "mask"])
        probs = b.op("Softmax", [scores], axis=-1)
        ctx = b.op("Transpose", [b.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = b.op("Reshape", [ctx, shape_bsh])
        x = layer_norm(b.op("Add", [linear(ctx, hidden, hidden), x]))
        h = linear(x, hidden, ffn)
        # GELU as exported by PyTorch/transformers: 0.5 * x * (1 + erf(x / sqrt(2)))
        gelu = b.op("Mul", [b.op("Mul", [h, b.op("Add", [b.op("Erf", [b.op("Div", [h, sqrt2])]), one])]), half])
        x = layer_norm(b.op("Add", [linear(gelu, ffn, hidden), x]))
    b.nodes[-1].output[0] = "output"
    return b.model("bert_encoder", [f32_input("hidden", ["B", "S", hidden]), f32_input("mask", ["B", 1, 1, "S"])],
                   [f32_input("output", ["B", "S", hidden])])


# ---- convolutional classifiers -------------------------------------------------------------------

def conv_bn(b, x, cin, cout, k, stride=1, group=1, act="Relu"):
    w = b.weight([cout, cin // group, k, k], cin // group * k * k)
    y = b.op("Conv", [x, w], kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, group=group)
    scale = b.const((1.0 + 0.1 * b.rng.standard_normal(cout)).astype(np.float32), "bn_s")
    bias = b.const((0.1 * b.rng.standard_normal(cout)).astype(np.float32), "bn_b")
    mean = b.const((0.1 * b.rng.standard_normal(cout)).astype(np.float32), "bn_m")
    var = b.const((1.0 + 0.1 * np.abs(b.rng.standard_normal(cout))).astype(np.float32), "bn_v")
    y = b.op("BatchNormalization", [y, scale, bias, mean, var], epsilon=1e-5)
    if act == "Relu":
        y = b.op("Relu", [y])
    elif act == "Relu6":
        y = b.op("Clip", [y, b.const(np.array(0.0, np.float32), "lo"), b.const(np.array(6.0, np.float32), "hi")])
    return y


def classifier_head(b, x, channels, classes=1000):
    pooled = b.op("Flatten", [b.op("GlobalAveragePool", [x])], axis=1)
    w = b.weight([channels, classes], channels)
    bias = b.const(np.zeros(classes, np.float32), "fc_b")
    out = b.op("Gemm", [pooled, w, bias])
    b.nodes[-1].output[0] = "logits"
    return out


def resnet50():
    b = Builder(50)
    x = conv_bn(b, "x", 3, 64, 7, stride=2)
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for blocks, width, stride in [(3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2)]:
        for i in range(blocks):
            s = stride if i == 0 else 1
            cout = width * 4
            y = conv_bn(b, x, cin, width, 1)
            y = conv_bn(b, y, width, width, 3, stride=s)
            y = conv_bn(b, y, width, cout, 1, act=None)
            short = conv_bn(b, x, cin, cout, 1, stride=s, act=None) if (s != 1 or cin != cout) else x
            x = b.op("Relu", [b.op("Add", [y, short])])
            cin = cout
    classifier_head(b, x, cin)
    return b.model("resnet50", [f32_input("x", ["N", 3, 224, 224])], [f32_input("logits", ["N", 1000])])


def mobilenetv2():
    b = Builder(2)
    x = conv_bn(b, "x", 3, 32, 3, stride=2, act="Relu6")
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                       (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            y = x if t == 1 else conv_bn(b, x, cin, hidden, 1, act="Relu6")
            y = conv_bn(b, y, hidden, hidden, 3, stride=stride, group=hidden, act="Relu6")
            y = conv_bn(b, y, hidden, c, 1, act=None)
            x = b.op("Add", [y, x]) if (stride == 1 and cin == c) else y
            cin = c
    x = conv_bn(b, x, cin, 1280, 1, act="Relu6")
    classifier_head(b, x, 1280)
    return b.model("mobilenetv2", [f32_input("x", ["N", 3, 224, 224])], [f32_input("logits", ["N", 1000])])


# ---- recurrent -----------------------------------------------------------------------------------

def recurrent(kind, layers=2, inp=128, hidden=256, out=64):
    b = Builder(7 if kind == "LSTM" else 8)
    gates = 4 if kind == "LSTM" else 3
    x = "x"
    n_in = inp
    for _ in range(layers):
        w = b.weight([1, gates * hidden, n_in], n_in + hidden)
        r = b.weight([1, gates * hidden, hidden], n_in + hidden)
        bias = b.const((0.05 * b.rng.standard_normal([1, 2 * gates * hidden])).astype(np.float32), "rnn_b")
        attrs = {"hidden_size": hidden}
        if kind == "GRU":
            attrs["linear_before_reset"] = 1   # the form PyTorch exports
        y = b.op(kind, [x, w, r, bias], **attrs)                   # [T, 1, B, H]
        x = b.op("Squeeze", [y, b.const(np.array([1], np.int64), "axes")])
        n_in = hidden
    w = b.weight([hidden, out], hidden)
    b.op("MatMul", [x, w])
    b.nodes[-1].output[0] = "y"
    return b.model(kind.lower(), [f32_input("x", ["T", "B", inp])], [f32_input("y", ["T", "B", out])])


# ---- audio front end -----------------------------------------------------------------------------

def melspec(n_fft=400, hop=160, n_mels=80, sample_rate=16000):
    b = Builder(16)
    bins = n_fft // 2 + 1
    n = np.arange(n_fft)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / n_fft)               # periodic Hann
    k = np.arange(bins)[:, None]
    real = (np.cos(2 * np.pi * k * n / n_fft) * window).astype(np.float32)
    imag = (-np.sin(2 * np.pi * k * n / n_fft) * window).astype(np.float32)
    filters = np.concatenate([real, imag])[:, None, :]               # [2*bins, 1, n_fft]
    spec = b.op("Conv", ["wave", b.const(filters, "stft")], kernel_shape=[n_fft], strides=[hop],
                pads=[n_fft // 2, n_fft // 2])                        # [B, 2*bins, frames]
    sq = b.op("Pow", [spec, b.const(np.array(2.0, np.float32), "two")])
    re2, im2 = b.op("Split", [sq, b.const(np.array([bins, bins], np.int64), "split")], outputs=2, axis=1)
    power = b.op("Transpose", [b.op("Add", [re2, im2])], perm=[0, 2, 1])   # [B, frames, bins]

    # Slaney-style triangular mel filters
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = np.linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2), n_mels + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    freqs = np.linspace(0, sample_rate / 2, bins)
    fb = np.zeros((bins, n_mels), np.float32)
    for m in range(n_mels):
        lo, mid, hi = hz[m], hz[m + 1], hz[m + 2]
        fb[:, m] = np.maximum(0, np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)))
    mel = b.op("MatMul", [power, b.const(fb, "melfb")])
    b.op("Log", [b.op("Add", [mel, b.const(np.array(1e-6, np.float32), "eps")])])
    b.nodes[-1].output[0] = "logmel"
    return b.model("melspec", [f32_input("wave", ["B", 1, "L"])], [f32_input("logmel", ["B", "F", n_mels])])


MODELS = {
    "bert4": bert,
    "resnet50": resnet50,
    "mobilenetv2": mobilenetv2,
    "lstm": lambda: recurrent("LSTM"),
    "gru": lambda: recurrent("GRU"),
    "melspec": melspec,
}


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    out_dir = argv[1]
    names = argv[2:] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        print(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(MODELS)}", file=sys.stderr)
        return 2
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        path = os.path.join(out_dir, name + ".onnx")
        if os.path.exists(path):
            continue
        model = MODELS[name]()
        tmp = path + ".tmp"
        onnx.save(model, tmp)
        os.replace(tmp, path)
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
