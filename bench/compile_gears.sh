#!/usr/bin/env bash
# Compile-time and .om-size scaling with the gear count: PP-OCRv4 det compiled with 1 (static),
# 4 and 16 image-size gears. Each configuration is compiled RUNS times (default 5) under
# /usr/bin/time; the medians of wall time and of CPU time (user + sys, which stays meaningful on a
# loaded machine) are reported, then the ratios 16/1 for compile time (target <= 4) and .om size
# (target <= 1.10). Usage: bench/compile_gears.sh [path/to/gearatc] (env: RUNS, MODEL, OUT).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
gearatc="${1:-${GEARATC:-$here/build/release/app/gearatc/gearatc}}"
model="${MODEL:-$here/.cache/models/ch_PP-OCRv4_det_infer.onnx}"
runs="${RUNS:-5}"
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"

[[ -x "$gearatc" ]] || { echo "gearatc not found at $gearatc (pass its path as the first argument)" >&2; exit 2; }
[[ -f "$model" ]] || { echo "model not found: $model" >&2; exit 2; }

# Image sizes are multiples of 32 (the detector downsamples by 32).
sizes=(320 480 640 960)
gears4=""
for s in "${sizes[@]}"; do gears4+="${gears4:+;}$s,$s"; done
gears16=""
for h in "${sizes[@]}"; do for w in "${sizes[@]}"; do gears16+="${gears16:+;}$h,$w"; done; done

declare -A args
args[1]="--input_shape=x:1,3,640,640"
args[4]="--input_shape=x:1,3,-1,-1 --dynamic_image_size=$gears4"
args[16]="--input_shape=x:1,3,-1,-1 --dynamic_image_size=$gears16"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

declare -A wall cpu bytes
for g in 1 4 16; do
  walls=()
  cpus=()
  for ((r = 0; r < runs; r++)); do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S" -o "$out/time_$g" \
      "$gearatc" --model="$model" --framework=5 --output="$out/det_$g" ${args[$g]} --soc_version=Ascend310P3 \
      >/dev/null 2>"$out/det_$g.log" || { cat "$out/det_$g.log" >&2; exit 1; }
    read -r e u s <"$out/time_$g"
    walls+=("$(awk -v e="$e" 'BEGIN {print e * 1000}')")
    cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {print (u + s) * 1000}')")
  done
  wall[$g]=$(printf '%s\n' "${walls[@]}" | median)
  cpu[$g]=$(printf '%s\n' "${cpus[@]}" | median)
  bytes[$g]=$(stat -c %s "$out/det_$g.om")
  printf 'gears=%-3s median wall %7.0f ms, cpu %7.0f ms over %d runs   .om %10d bytes\n' "$g" "${wall[$g]}" \
    "${cpu[$g]}" "$runs" "${bytes[$g]}"
done

awk -v w1="${wall[1]}" -v w16="${wall[16]}" -v c1="${cpu[1]}" -v c16="${cpu[16]}" -v b1="${bytes[1]}" \
  -v b16="${bytes[16]}" 'BEGIN {
  printf "compile time ratio 16/1: %.2f wall, %.2f cpu (target <= 4)\n", w16 / w1, c16 / c1
  printf ".om size ratio 16/1:     %.3f (target <= 1.10)\n", b16 / b1
}'
[[ -n "${OUT:-}" ]] || rm -rf "$out"
