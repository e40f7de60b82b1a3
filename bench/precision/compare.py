#!/usr/bin/env python3
"""Accuracy of the int8 build against the fp32 build on the evaluation samples: per output the mean
and lowest cosine similarity over samples (flattened outputs) and, for class-score outputs (rank <= 3,
last dim 2..10000), the top-1 agreement over every row (cls: per image; rec: per time step).

usage: compare.py REF_DIR TEST_DIR   (each: one folder per sample with NAME.npy per output)
Prints one JSON object per output.
"""
import json
import os
import sys

import numpy as np


def main():
    ref_dir, test_dir = sys.argv[1], sys.argv[2]
    samples = sorted(d for d in os.listdir(test_dir) if os.path.isdir(os.path.join(ref_dir, d)))
    stats = {}
    for s in samples:
        for f in sorted(os.listdir(os.path.join(ref_dir, s))):
            if not f.endswith(".npy"):
                continue
            r = np.load(os.path.join(ref_dir, s, f)).astype(np.float64)
            t = np.load(os.path.join(test_dir, s, f)).astype(np.float64)
            st = stats.setdefault(f[:-4], {"cos": [], "agree": 0, "rows": 0, "max_abs": 0.0})
            a, b = r.ravel(), t.ravel()
            denom = np.linalg.norm(a) * np.linalg.norm(b)
            st["cos"].append(float(a @ b / denom) if denom > 0 else (1.0 if np.array_equal(a, b) else 0.0))
            st["max_abs"] = max(st["max_abs"], float(np.abs(a - b).max()))
            if r.ndim <= 3 and 2 <= r.shape[-1] <= 10000:  # class scores, not an image-like map
                rr, tt = r.reshape(-1, r.shape[-1]), t.reshape(-1, t.shape[-1])
                st["agree"] += int((rr.argmax(1) == tt.argmax(1)).sum())
                st["rows"] += rr.shape[0]
    for name, st in stats.items():
        out = {"output": name, "samples": len(st["cos"]), "cosine_mean": float(np.mean(st["cos"])),
               "cosine_min": float(np.min(st["cos"])), "max_abs_error": st["max_abs"]}
        if st["rows"]:
            out["top1_agreement"] = st["agree"] / st["rows"]
            out["top1_rows"] = st["rows"]
        print(json.dumps(out))


if __name__ == "__main__":
    main()
