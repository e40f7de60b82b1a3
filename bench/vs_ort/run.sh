#!/usr/bin/env bash
# GearStudio vs ONNX Runtime (CPU EP) on the rows of bench/vs_ort/rows.json, one command (see
# bench/README.md, "Runtime vs ONNX Runtime"). Sets up onnxruntime-node once in .cache/ort-anchor (copied
# from ../shared/tools/ort-anchor next to the repository), then runs bench/vs_ort/vs_ort.js, which writes
# missing generated models (bench/models/make_models.py, into GEN_DIR), compiles the .om files with
# gearatc, interleaves the runtimes and prints the table.
#
# usage: bench/vs_ort/run.sh [BUILD_DIR]      (default build/release; must hold gearatc and gearbench)
# env:   REPS, THREADS, ROWS, ROWS_FILE, ITERS_SCALE, JSON (see vs_ort.js), MODELS_DIR (default
#        .cache/models), GEN_DIR (default .cache/bench-models), BENCH_PYTHON (default /usr/bin/python3,
#        with python3-onnx), ORT_ANCHOR_SRC (default ../shared/tools/ort-anchor), WORK_DIR (default
#        .cache/vs_ort)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build/release}"
MODELS_DIR="${MODELS_DIR:-$ROOT/.cache/models}"
ORT_ANCHOR_SRC="${ORT_ANCHOR_SRC:-$ROOT/../shared/tools/ort-anchor}"
ORT_DIR="$ROOT/.cache/ort-anchor"
WORK_DIR="${WORK_DIR:-$ROOT/.cache/vs_ort}"
GEN_DIR="${GEN_DIR:-$ROOT/.cache/bench-models}"

find_tool() {
  local t="$BUILD/app/$1/$1"
  [ -x "$t" ] || t="$(find "$BUILD" -name "$1" -type f -perm -u+x 2>/dev/null | head -1)"
  [ -n "$t" ] && [ -x "$t" ] || { echo "$1 not found under $BUILD (build it first)" >&2; exit 2; }
  echo "$t"
}
GEARATC="$(find_tool gearatc)"
GEARBENCH="$(find_tool gearbench)"
for m in ch_PP-OCRv4_det_infer ch_PP-OCRv4_rec_infer ch_ppocr_mobile_v2.0_cls_infer; do
  [ -f "$MODELS_DIR/$m.onnx" ] || { echo "$MODELS_DIR/$m.onnx missing (scripts/fetch-models.sh)" >&2; exit 2; }
done
# The float16 variants of the vs_ort rows (det-fp16 ...), made once next to the models.
VARIANTS_DIR="$(dirname "$MODELS_DIR")/variants"
for m in ch_PP-OCRv4_det_infer ch_PP-OCRv4_rec_infer ch_ppocr_mobile_v2.0_cls_infer; do
  [ -f "$VARIANTS_DIR/${m}_fp16.onnx" ] ||
    /usr/bin/python3 "$ROOT/scripts/variants/to_fp16.py" "$MODELS_DIR/$m.onnx" "$VARIANTS_DIR" >&2 ||
    echo "warning: no float16 variant of $m (needs python3-onnx): its -fp16 row cannot run" >&2
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }

# onnxruntime-node: its install script would fetch an optional GPU add-on, so it is skipped; the
# package ships the CPU library itself.
if [ ! -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ]; then
  [ -f "$ORT_ANCHOR_SRC/package.json" ] || { echo "ort-anchor not found at $ORT_ANCHOR_SRC" >&2; exit 2; }
  mkdir -p "$ORT_DIR"
  cp -r "$ORT_ANCHOR_SRC/." "$ORT_DIR/"
  (cd "$ORT_DIR" && npm install --ignore-scripts --no-audit --no-fund >&2)
fi

# int8 rows (det-int8, ...): the variants are made once by scripts/variants/quantize.py (calibrated in
# ONNX Runtime) into .cache/variants next to the models folder.
VARIANTS="$MODELS_DIR/../variants"
mkdir -p "$VARIANTS"
for spec in ch_PP-OCRv4_det_infer:1,3,640,640 ch_PP-OCRv4_rec_infer:1,3,48,320 ch_ppocr_mobile_v2.0_cls_infer:1,3,48,192; do
  m="${spec%%:*}"
  for mode in qdq dynamic; do
    [ -f "$VARIANTS/${m}_int8_$mode.onnx" ] && continue
    case ",${ROWS:-int8}," in *int8*) ;; *) continue ;; esac
    /usr/bin/python3 "$ROOT/scripts/variants/quantize.py" --mode "$mode" --ort "$ORT_DIR" --shape "${spec#*:}" \
      "$MODELS_DIR/$m.onnx" "$VARIANTS/${m}_int8_$mode.onnx" >&2
  done
done

exec node "$ROOT/bench/vs_ort/vs_ort.js" "$GEARATC" "$GEARBENCH" "$ORT_DIR/node_modules/onnxruntime-node" \
  "$MODELS_DIR" "$WORK_DIR" "$GEN_DIR"
