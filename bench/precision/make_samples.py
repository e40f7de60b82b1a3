#!/usr/bin/env python3
"""Calibration and evaluation samples for the int8 bench: synthetic text pages (the generator of
scripts/variants/quantize.py, normalised as PP-OCR's preprocessing does), one folder per sample with
NAME.npy per input -- the layout of gearatc --calibration=DIR and gearbench --input=DIR.

usage: make_samples.py OUT_DIR N,C,H,W COUNT SEED [INPUT_NAME]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "variants"))
from quantize import text_page  # noqa: E402


def main():
    if len(sys.argv) not in (5, 6):
        raise SystemExit(__doc__)
    out, shape, count, seed = sys.argv[1], tuple(int(v) for v in sys.argv[2].split(",")), int(sys.argv[3]), int(sys.argv[4])
    name = sys.argv[5] if len(sys.argv) == 6 else "x"
    for i in range(count):
        d = os.path.join(out, "%03d" % i)
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, name + ".npy"), text_page(shape, seed + i))


if __name__ == "__main__":
    main()
