#!/usr/bin/python3
"""Output check of the generated benchmark models: GearStudio against ONNX Runtime.

usage: /usr/bin/python3 bench/models/compare_ort.py [ROW ...]      (default: every generated row)
env:   BUILD (default build/release), GEN_DIR (default .cache/bench-models), ORT_NODE (default
       .cache/ort-anchor/node_modules/onnxruntime-node), ORT_RUN (default ../shared/tools/ort-anchor/ort_run.js),
       THREADS (default 1), TOL (default 1e-3)

For each row of bench/vs_ort/rows.json whose model is generated: inputs uniform in [0, 1) (fixed seed;
the additive attention mask zero), ONNX Runtime's outputs (ort_run.js), gearbench's outputs on the
row's static gear; passes when max |gs - ort| <= TOL * max |ort| and every value is finite.
Exit status 1 when a row fails.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main(argv):
    build = os.environ.get("BUILD", os.path.join(ROOT, "build", "release"))
    gen = os.environ.get("GEN_DIR", os.path.join(ROOT, ".cache", "bench-models"))
    ort_node = os.environ.get("ORT_NODE", os.path.join(ROOT, ".cache", "ort-anchor", "node_modules", "onnxruntime-node"))
    ort_run = os.environ.get("ORT_RUN", os.path.join(ROOT, "..", "shared", "tools", "ort-anchor", "ort_run.js"))
    tol = float(os.environ.get("TOL", "1e-3"))
    threads = os.environ.get("THREADS", "1")
    gearbench = os.path.join(build, "app", "gearbench", "gearbench")
    with open(os.path.join(ROOT, "bench", "vs_ort", "rows.json")) as f:
        rows = [r for r in json.load(f)["rows"] if r.get("dir") == "generated"]
    if argv[1:]:
        rows = [r for r in rows if r["name"] in argv[1:] or r.get("group") in argv[1:]]
    failed = 0
    rng = np.random.default_rng(1234)
    for r in rows:
        model = os.path.join(gen, r["model"])
        if not os.path.exists(model):
            subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "models", "make_models.py"), gen,
                            r["generate"]], check=True)
        with tempfile.TemporaryDirectory() as tmp:
            ind, ref, out = (os.path.join(tmp, d) for d in ("in", "ref", "out"))
            for d in (ind, ref, out):
                os.mkdir(d)
            for name, dims in r["inputs"].items():
                x = rng.random(dims, dtype=np.float32)
                if name == "mask":
                    x[...] = 0
                np.save(os.path.join(ind, name + ".npy"), x)
            subprocess.run(["node", ort_run, model, ind, ref], check=True, env={**os.environ, "ORT_NODE": ort_node},
                           stdout=subprocess.DEVNULL)
            shape = ";".join(f"{n}:{','.join(map(str, d))}" for n, d in r["inputs"].items())
            subprocess.run([gearbench, f"--model={model}", f"--input_shape={shape}", f"--input={ind}",
                            f"--output={out}", "--loop=1", "--warmup=0", f"--threads={threads}"], check=True,
                           stdout=subprocess.DEVNULL)
            for fname in sorted(os.listdir(ref)):
                a = np.load(os.path.join(ref, fname))
                b = np.load(os.path.join(out, fname))
                diff = float(np.max(np.abs(a.astype(np.float64) - b))) if a.shape == b.shape else float("inf")
                scale = float(np.max(np.abs(a)))
                ok = a.shape == b.shape and bool(np.all(np.isfinite(b))) and diff <= tol * scale
                failed += not ok
                print(f"{'ok  ' if ok else 'FAIL'} {r['name']:16} {fname:12} max|diff| {diff:.3g}  max|ref| {scale:.3g}  "
                      f"ratio {diff / scale if scale else diff:.3g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
