#!/usr/bin/python3
"""Compares GearStudio with ONNX Runtime on the int8 variants of the PP-OCR models.

For each variant (scripts/variants/quantize.py output) and a few deterministic synthetic text-page
inputs: ONNX Runtime's outputs on the int8 file, GearStudio's (gearbench, static gear) on the same
file, and ONNX Runtime's on the fp32 original. Prints per output max|GS - ORT|, max|ORT int8 - ORT
fp32| (the quantization error itself), max|ref|, and for class scores (cls, rec) how often the argmax
agrees. A line is "ok" when GearStudio's difference to ONNX Runtime on the same int8 file is at most a
tenth of the quantization error, and the argmaxes agree where the fp32 model is confident.
Exit status 1 when a line is not ok.

usage: compare_int8.py [--build build/release] [--ort .cache/ort-anchor] [--variants .cache/variants]
                       [--models .cache/models] [--samples 2] [--threads 2] [--modes qdq,dynamic]
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quantize import text_page  # noqa: E402

MODELS = [
    ("ch_PP-OCRv4_det_infer", [1, 3, 640, 640]),
    ("ch_PP-OCRv4_rec_infer", [4, 3, 48, 320]),
    ("ch_ppocr_mobile_v2.0_cls_infer", [8, 3, 48, 192]),
]


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(cmd), r.stderr[-3000:]))


def outputs(folder):
    return {os.path.basename(f)[:-4]: np.load(f) for f in sorted(glob.glob(os.path.join(folder, "*.npy")))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--build", default=os.path.join(root, "build/release"))
    ap.add_argument("--ort", default=os.path.join(root, ".cache/ort-anchor"))
    ap.add_argument("--variants", default=os.path.join(root, ".cache/variants"))
    ap.add_argument("--models", default=os.path.join(root, ".cache/models"))
    ap.add_argument("--samples", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--modes", default="qdq,dynamic")
    a = ap.parse_args()
    gearbench = os.path.join(a.build, "app/gearbench/gearbench")
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, shape in MODELS:
            for mode in a.modes.split(","):
                variant = os.path.join(a.variants, "%s_int8_%s.onnx" % (name, mode))
                if not os.path.exists(variant):
                    print("skip %s (no %s; run quantize.py)" % (name, variant))
                    continue
                for s in range(a.samples):
                    d = os.path.join(tmp, "%s_%s_%d" % (name, mode, s))
                    for sub in ("in", "ort", "gs", "fp32"):
                        os.makedirs(os.path.join(d, sub))
                    np.save(os.path.join(d, "in", "x.npy"), text_page(shape, 7000 + s))
                    run(["node", os.path.join(a.ort, "ort_run.js"), variant, d + "/in", d + "/ort"])
                    run(["node", os.path.join(a.ort, "ort_run.js"), os.path.join(a.models, name + ".onnx"),
                         d + "/in", d + "/fp32"])
                    run([gearbench, "--model=" + variant, "--input_shape=x:" + ",".join(map(str, shape)),
                         "--input=" + d + "/in", "--output=" + d + "/gs", "--loop=1", "--warmup=0",
                         "--threads=%d" % a.threads])
                    ort, gs, fp = outputs(d + "/ort"), outputs(d + "/gs"), outputs(d + "/fp32")
                    for k, ref in ort.items():
                        got = gs.get(k)
                        if got is None or got.shape != ref.shape:
                            print("FAIL %-30s %-7s sample %d %s: missing or shape %s" % (name, mode, s, k,
                                                                                       None if got is None else got.shape))
                            status = 1
                            continue
                        diff = float(np.abs(got.astype(np.float64) - ref).max())
                        qerr = float(np.abs(ref.astype(np.float64) - fp[k]).max()) if k in fp else float("nan")
                        mref = float(np.abs(ref).max())
                        line = "max|GS-ORT| %.3e  mean %.2e  max|ORTint8-fp32| %.3e  max|ref| %.3e" % (
                            diff, float(np.abs(got - ref).mean()), qerr, mref)
                        ok = diff <= 0.1 * qerr + 1e-6 * mref
                        if name != "ch_PP-OCRv4_det_infer" and ref.ndim >= 2:
                            # Class scores: argmax agreement where the fp32 model is sure (top-1 > 0.5).
                            sure = fp[k].max(axis=-1) > 0.5
                            agree = (got.argmax(axis=-1) == ref.argmax(axis=-1))[sure]
                            line += "  argmax agrees %d/%d" % (int(agree.sum()), int(agree.size))
                            ok = ok and agree.all()
                        print("%s %-30s %-7s sample %d %-14s %s" % ("ok  " if ok else "FAIL", name, mode, s, k, line))
                        status |= 0 if ok else 1
    return status


if __name__ == "__main__":
    sys.exit(main())
