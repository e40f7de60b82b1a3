#!/usr/bin/env bash
# Compares GearStudio's outputs with ONNX Runtime's (CPU EP) on the PP-OCR sample models, three gears
# each: random inputs (fixed seed) -> ONNX Runtime reference outputs and gearbench outputs -> for every
# output, max |diff| <= TOL x max |reference| (1e-3; 1e-2 for the float16 variants). Prints one line
# per model/gear/output and exits 1 when any comparison fails.
#
# usage: scripts/compare-ort.sh [BUILD_DIR]         (default build/release)
# env:   ORT_ANCHOR   folder with ort_run.js and its node_modules (default /tmp/ort-anchor)
#        MODELS_DIR   folder with the PP-OCR .onnx files (default .cache/models)
#        WORK_DIR     scratch folder (default a fresh temporary folder)
#        THREADS      gearbench --threads (default 2)
#        INPUT        text (default: a synthetic page of dark character blocks, normalised like PP-OCR's
#                     preprocessing) or noise (uniform [0,1) values)
#        VARIANT      fp16: compare the float16 variants (.cache/variants/<model>_fp16.onnx, made by
#                     scripts/variants/to_fp16.py when missing), both runtimes on the same file
#        TOL          max |diff| / max |reference| allowed (default 1e-3; 1e-2 with VARIANT=fp16)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$ROOT/build/release}"
ORT_ANCHOR="${ORT_ANCHOR:-/tmp/ort-anchor}"
MODELS_DIR="${MODELS_DIR:-$ROOT/.cache/models}"
WORK_DIR="${WORK_DIR:-$(mktemp -d)}"
THREADS="${THREADS:-2}"
INPUT="${INPUT:-text}"
VARIANT="${VARIANT:-}"
if [ -n "$VARIANT" ]; then TOL="${TOL:-1e-2}"; else TOL="${TOL:-1e-3}"; fi
VARIANTS_DIR="${VARIANTS_DIR:-$ROOT/.cache/variants}"
GEARBENCH="$BUILD/app/gearbench/gearbench"
[ -x "$GEARBENCH" ] || GEARBENCH="$(find "$BUILD" -name gearbench -type f -perm -u+x | head -1)"
[ -x "$GEARBENCH" ] || { echo "gearbench not found under $BUILD" >&2; exit 2; }
[ -f "$ORT_ANCHOR/ort_run.js" ] || { echo "ort_run.js not found in $ORT_ANCHOR (see bench/README.md)" >&2; exit 2; }

# Small .npy helpers in node (the reference runs in node already): gen writes a float32 input from a
# seeded LCG (see INPUT); cmp prints max|diff| and max|ref| of two float32 .npy files.
NPY_JS="$WORK_DIR/npy.js"
mkdir -p "$WORK_DIR"
cat > "$NPY_JS" <<'JS'
const fs = require('fs');
function read(file) {
  const b = fs.readFileSync(file);
  const major = b[6], len = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8), off = major === 1 ? 10 : 12;
  const h = b.toString('latin1', off, off + len);
  if (!/'descr':\s*'<f4'/.test(h)) throw new Error(file + ': not float32');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(h)[1].split(',').map(s => s.trim()).filter(Boolean).map(Number);
  const d = b.subarray(off + len); const c = new Uint8Array(d.length); c.set(d);
  return { shape, data: new Float32Array(c.buffer) };
}
function write(file, shape, data) {
  const s = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let h = `{'descr': '<f4', 'fortran_order': False, 'shape': ${s}, }`;
  h += ' '.repeat((64 - ((10 + h.length + 1) % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10); pre.write('\x93NUMPY', 0, 'latin1'); pre[6] = 1; pre.writeUInt16LE(h.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(h, 'latin1'), Buffer.from(data.buffer)]));
}
const [cmd, ...a] = process.argv.slice(2);
if (cmd === 'gen') {
  const shape = a[1].split(',').map(Number), n = shape.reduce((x, y) => x * y, 1);
  let s = Number(a[2]) >>> 0; const d = new Float32Array(n);
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s >>> 8) / 16777216; };
  if (a[3] !== 'text') {
    for (let i = 0; i < n; ++i) d[i] = rnd();
  } else {
    // A synthetic page: dark character-like blocks in text lines on a light background, normalised
    // like PP-OCR's preprocessing ((v - mean) / std per channel), so the detector and recogniser
    // see image-like input and produce outputs with a real dynamic range.
    const [N, C, H, W] = shape, mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    for (let b = 0; b < N; ++b) {
      const img = new Float32Array(H * W).fill(0.95);
      const lineH = Math.max(8, Math.round(H / (H <= 64 ? 2 : 8)));
      for (let y0 = Math.round(lineH / 2); y0 + lineH <= H; y0 += lineH * 2) {
        for (let x = 4 + Math.floor(rnd() * 8); x < W - 4;) {
          const w = 3 + Math.floor(rnd() * lineH * 0.6);
          if (rnd() < 0.75) {
            const v = 0.05 + 0.15 * rnd();
            for (let y = y0; y < y0 + lineH; ++y) for (let xx = x; xx < Math.min(W - 4, x + w); ++xx) img[y * W + xx] = v;
          }
          x += w + 2 + Math.floor(rnd() * 4);
        }
      }
      for (let c = 0; c < C; ++c)
        for (let i = 0; i < H * W; ++i) d[(b * C + c) * H * W + i] = (img[i] - mean[c % 3]) / std[c % 3];
    }
  }
  write(a[0], shape, d);
} else if (cmd === 'cmp') {
  const r = read(a[0]), g = read(a[1]);
  if (r.shape.join(',') !== g.shape.join(',')) { console.log(`shape ${g.shape} vs reference ${r.shape}`); process.exit(1); }
  let md = 0, mr = 0, nonfinite = 0;
  for (let i = 0; i < r.data.length; ++i) {
    if (!Number.isFinite(g.data[i])) ++nonfinite;
    md = Math.max(md, Math.abs(r.data[i] - g.data[i])); mr = Math.max(mr, Math.abs(r.data[i]));
  }
  const ok = nonfinite === 0 && md <= Number(a[2]) * mr;
  console.log(`${ok ? 'ok  ' : 'FAIL'} max|diff| ${md.toExponential(3)}  max|ref| ${mr.toExponential(3)}  ratio ${(md / (mr || 1)).toExponential(3)}`);
  process.exit(ok ? 0 : 1);
}
JS

# model | input name | shape option | gear option | gear shapes (;-separated, as x's dims)
CASES=(
  "ch_PP-OCRv4_det_infer.onnx|x|--input_shape=x:1,3,-1,-1|--dynamic_image_size=320,320;480,640;640,640|1,3,320,320;1,3,480,640;1,3,640,640"
  "ch_PP-OCRv4_rec_infer.onnx|x|--input_shape=x:-1,3,48,-1|--dynamic_dims=1,320;4,320;1,640|1,3,48,320;4,3,48,320;1,3,48,640"
  "ch_ppocr_mobile_v2.0_cls_infer.onnx|x|--input_shape=x:-1,3,48,192|--dynamic_batch_size=1,4,8|1,3,48,192;4,3,48,192;8,3,48,192"
)

status=0
for c in "${CASES[@]}"; do
  IFS='|' read -r model input shapeOpt gearOpt gearShapes <<< "$c"
  [ -f "$MODELS_DIR/$model" ] || { echo "skip $model (not in $MODELS_DIR)"; continue; }
  if [ -n "$VARIANT" ]; then
    [ "$VARIANT" = fp16 ] || { echo "VARIANT=$VARIANT: only fp16 is made here" >&2; exit 2; }
    variant="$VARIANTS_DIR/${model%.onnx}_$VARIANT.onnx"
    [ -f "$variant" ] || /usr/bin/python3 "$ROOT/scripts/variants/to_fp16.py" "$MODELS_DIR/$model" "$VARIANTS_DIR" >&2
    modelPath="$variant"
  else
    modelPath="$MODELS_DIR/$model"
  fi
  IFS=';' read -r -a shapes <<< "$gearShapes"
  for g in "${!shapes[@]}"; do
    dir="$WORK_DIR/${model%.onnx}/gear_$g"
    mkdir -p "$dir/in" "$dir/ort" "$dir/gs"
    node "$NPY_JS" gen "$dir/in/$input.npy" "${shapes[$g]}" $((1000 + g)) "$INPUT"
    node "$ORT_ANCHOR/ort_run.js" "$modelPath" "$dir/in" "$dir/ort" > /dev/null
    "$GEARBENCH" --model="$modelPath" "$shapeOpt" "$gearOpt" --gear="$input:${shapes[$g]}" \
      --input="$dir/in" --output="$dir/gs" --loop=1 --warmup=0 --threads="$THREADS" > /dev/null
    for ref in "$dir"/ort/*.npy; do
      name="$(basename "$ref")"
      if line="$(node "$NPY_JS" cmp "$ref" "$dir/gs/$name" "$TOL")"; then :; else status=1; fi
      printf '%-38s gear %d x:%-14s %-24s %s\n' "$(basename "$modelPath")" "$g" "${shapes[$g]}" "${name%.npy}" "$line"
    done
  done
done
exit $status
