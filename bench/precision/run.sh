#!/usr/bin/env bash
# int8 calibration on the PP-OCR models (issue targets: int8 latency <= 0.60x fp32 on det and rec,
# cosine >= 0.99, cls top-1 agreement >= 99%). For det, rec and cls: N_CAL calibration and N_EVAL
# evaluation samples (synthetic text pages, bench/precision/make_samples.py, written as npy folders),
# gearatc builds fp32 and --quantize=int8 --calibration=CAL .om files (the int8 build also writes
# NAME_int8.onnx), gearbench runs both on every evaluation sample (accuracy: compare.py) and measures
# both back to back REPS times (latency: median of each run, ratio int8/fp32 per repetition). With
# the ort-anchor tooling set up in .cache/ort-anchor (bench/vs_ort/run.sh does that), ONNX Runtime
# also runs each quantized .onnx on one sample (it must load and agree with GearStudio's int8 run).
#
# usage: bench/precision/run.sh [BUILD_DIR]     (default build/release)
# env:   MODELS (default "det rec cls"), METHOD (minmax|percentile|entropy, default minmax),
#        N_CAL / N_EVAL (32 / 32), THREADS (1), LOOP (20), REPS (3), WORK_DIR (.cache/precision),
#        MODELS_DIR (.cache/models)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build/release}"
GEARATC="$BUILD/app/gearatc/gearatc"
GEARBENCH="$BUILD/app/gearbench/gearbench"
PY=/usr/bin/python3
MODELS="${MODELS:-det rec cls}"
METHOD="${METHOD:-minmax}"
N_CAL="${N_CAL:-32}"
N_EVAL="${N_EVAL:-32}"
THREADS="${THREADS:-1}"
LOOP="${LOOP:-20}"
REPS="${REPS:-3}"
WORK="${WORK_DIR:-$ROOT/.cache/precision}"
MODELS_DIR="${MODELS_DIR:-$ROOT/.cache/models}"
ORT_DIR="$ROOT/.cache/ort-anchor"
for t in "$GEARATC" "$GEARBENCH"; do [ -x "$t" ] || { echo "$t missing (build gearatc and gearbench)" >&2; exit 2; }; done

declare -A FILE=([det]=ch_PP-OCRv4_det_infer [rec]=ch_PP-OCRv4_rec_infer [cls]=ch_ppocr_mobile_v2.0_cls_infer)
declare -A SHAPE=([det]=1,3,640,640 [rec]=1,3,48,320 [cls]=1,3,48,192)

median_ms() { # gearbench output -> the median latency in ms
  sed -n 's/.*latency (ms) *median \([0-9.]*\).*/\1/p' | head -1
}

echo "# int8 calibration bench: method $METHOD, $N_CAL calibration / $N_EVAL evaluation samples, $THREADS thread(s)"
echo "# $(uptime)"
for m in $MODELS; do
  f="${FILE[$m]}"; s="${SHAPE[$m]}"; w="$WORK/$m"
  mkdir -p "$w"
  [ -d "$w/cal" ] || $PY "$ROOT/bench/precision/make_samples.py" "$w/cal" "$s" "$N_CAL" 1000
  [ -d "$w/eval" ] || $PY "$ROOT/bench/precision/make_samples.py" "$w/eval" "$s" "$N_EVAL" 5000
  "$GEARATC" --model="$MODELS_DIR/$f.onnx" --framework=5 --output="$w/fp32" --input_shape="x:$s" >/dev/null 2>&1
  start=$(date +%s.%N)
  "$GEARATC" --model="$MODELS_DIR/$f.onnx" --framework=5 --output="$w/$METHOD" --input_shape="x:$s" \
    --quantize=int8 --calibration="$w/cal" --calibration_method="$METHOD" 2>/dev/null | grep "quantized model"
  echo "$m: int8 build (calibration + quantization + compile) $(echo "$(date +%s.%N) - $start" | bc) s"
  rm -rf "$w/out_fp32" "$w/out_$METHOD"
  for d in "$w/eval"/*/; do
    k="$(basename "$d")"
    "$GEARBENCH" --model="$w/fp32.om" --input="$d" --output="$w/out_fp32/$k" --loop=1 --warmup=0 >/dev/null
    "$GEARBENCH" --model="$w/$METHOD.om" --input="$d" --output="$w/out_$METHOD/$k" --loop=1 --warmup=0 >/dev/null
  done
  $PY "$ROOT/bench/precision/compare.py" "$w/out_fp32" "$w/out_$METHOD" | sed "s/^/$m accuracy: /"
  ratios=()
  for r in $(seq "$REPS"); do
    a=$("$GEARBENCH" --model="$w/fp32.om" --loop="$LOOP" --warmup=3 --threads="$THREADS" | median_ms)
    b=$("$GEARBENCH" --model="$w/$METHOD.om" --loop="$LOOP" --warmup=3 --threads="$THREADS" | median_ms)
    ratio=$(echo "scale=3; $b / $a" | bc)
    ratios+=("$ratio")
    echo "$m latency rep $r: fp32 $a ms, int8 $b ms, ratio $ratio"
  done
  echo "$m latency ratio int8/fp32 (median of reps): $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (REPS + 1) / 2 ))p")"
  if [ -f "$ORT_DIR/ort_run.js" ] && [ -d "$ORT_DIR/node_modules/onnxruntime-node" ]; then
    first="$(ls "$w/eval" | head -1)"
    rm -rf "$w/ort"
    mkdir -p "$w/ort/$first" "$w/gs/$first"
    if node "$ORT_DIR/ort_run.js" "$w/${METHOD}_int8.onnx" "$w/eval/$first" "$w/ort/$first" >/dev/null 2>"$w/ort.log"; then
      cp "$w/out_$METHOD/$first"/*.npy "$w/gs/$first/"
      $PY "$ROOT/bench/precision/compare.py" "$w/ort" "$w/gs" | sed "s/^/$m ONNX Runtime vs GearStudio on ${METHOD}_int8.onnx: /"
    else
      echo "$m: ONNX Runtime could not run ${METHOD}_int8.onnx: $(tail -3 "$w/ort.log")"
    fi
  fi
done
echo "# $(uptime)"
