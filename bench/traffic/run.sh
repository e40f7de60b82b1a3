#!/usr/bin/env bash
# Gear planning from traffic on PP-OCRv4 rec (input x:1,3,48,W), one command (bench/README.md,
# "Traffic"). The project makes its own width trace (a log-normal mixture of words, phrases and full
# lines, widths 16..1280), then measures with gearbench:
#   1. the optimizer's exactness (its expected latency vs brute force over the same candidates),
#   2. the cost model's honesty (replayed mean vs the optimizer's expected mean, 4 and 8 gears),
#   3. optimized 4 gears vs uniform 320/640/960/1280, and 8 gears vs 4 (replay mean latency),
#   4. the dispatch overhead (choose, pad, crop) as a share of the gear's own latency,
#   5. static-at-largest vs multi-gear vs dynamic shape with each request's own shape,
#   6. ONNX Runtime replaying the same requests on their exact shapes (the outside anchor; every figure
#      above is also printed as a ratio to it).
#
# usage: bench/traffic/run.sh [BUILD_DIR]     (default build/release; needs gearbench)
# env:   REQUESTS (replayed per strategy, default 200), TRACE_REQUESTS (trace length, default 2000),
#        THREADS (default 1), SEED (default 2026), STEP (default 32), OUT (default .cache/bench_traffic),
#        MODEL (default .cache/models/ch_PP-OCRv4_rec_infer.onnx), ORT=0 to skip ONNX Runtime,
#        ORT_DIR (default .cache/ort-anchor), ORT_ANCHOR_SRC (default ../shared/tools/ort-anchor)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build/release}"
MODEL="${MODEL:-$ROOT/.cache/models/ch_PP-OCRv4_rec_infer.onnx}"
OUT="${OUT:-$ROOT/.cache/bench_traffic}"
REQUESTS="${REQUESTS:-200}"
TRACE_REQUESTS="${TRACE_REQUESTS:-2000}"
THREADS="${THREADS:-1}"
SEED="${SEED:-2026}"
STEP="${STEP:-32}"
ORT="${ORT:-1}"
ORT_DIR="${ORT_DIR:-$ROOT/.cache/ort-anchor}"
ORT_ANCHOR_SRC="${ORT_ANCHOR_SRC:-$ROOT/../shared/tools/ort-anchor}"
GEARBENCH="$BUILD/app/gearbench/gearbench"
[ -x "$GEARBENCH" ] || { echo "gearbench not found under $BUILD (build it first)" >&2; exit 2; }
[ -f "$MODEL" ] || { echo "$MODEL missing (scripts/fetch-models.sh)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed to read the JSON reports" >&2; exit 2; }
if [ "$ORT" = 1 ] && ! command -v node >/dev/null; then echo "node is needed for ONNX Runtime (ORT=0 skips it)" >&2; exit 2; fi
mkdir -p "$OUT"
rm -f "$OUT/ort.json"
SHAPE="x:1,3,48,-1"
COMMON=(--model="$MODEL" --threads="$THREADS" --seed="$SEED")

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Words (~90 px at height 48), phrases (~300 px) and full lines (~1100 px).
"$GEARBENCH" --gen-trace="$OUT/widths.csv" --input_shape="$SHAPE" --requests="$TRACE_REQUESTS" --seed="$SEED" \
  --dist="0.5*lognormal(4.5,0.35) + 0.3*lognormal(5.7,0.25) + 0.2*normal(1100,120); clamp=16..1280"

plan() { # K -> plan_K.json
  "$GEARBENCH" --plan-gears="$1" --trace="$OUT/widths.csv" "${COMMON[@]}" --input_shape="$SHAPE" --step="$STEP" \
    --calibrate=8 --loop=10 --warmup=2 --json="$OUT/plan_$1.json"
}
dims_of() { # plan json [gear count] -> "w1;w2;..." (the recommendation, or that Pareto point)
  python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
gears = p["gears"]
if len(sys.argv) > 2:
    gears = next(q["gears"] for q in p["pareto"] if q["gear_count"] == int(sys.argv[2]))
print(";".join(str(g[0]) for g in gears))' "$@"
}
replay() { # name dynamic_dims
  "$GEARBENCH" "${COMMON[@]}" --input_shape="$SHAPE" --dynamic_dims="$2" \
    --trace="$OUT/widths.csv" --dispatch=pad --requests="$REQUESTS" --json="$OUT/replay_$1.json"
}

# plan_4 checks the optimizer against brute force at K=4; the 4- and 8-gear sets replayed both come from
# plan_8 (its Pareto front holds the best 4-gear set), so one calibration, one cost model, judges both.
plan 4
plan 8
G4="$(dims_of "$OUT/plan_8.json" 4)"
G8="$(dims_of "$OUT/plan_8.json")"
replay opt4 "$G4"
replay uniform4 "320;640;960;1280"
replay opt8 "$G8"
"$GEARBENCH" --compare-strategies --trace="$OUT/widths.csv" "${COMMON[@]}" --input_shape="$SHAPE" \
  --dynamic_dims="$G4" --requests="$REQUESTS" --loop=5 --warmup=1 --json="$OUT/compare.json"

if [ "$ORT" = 1 ]; then
  # onnxruntime-node, set up once as in bench/vs_ort/run.sh (its install script would fetch a GPU add-on).
  if [ ! -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ]; then
    [ -f "$ORT_ANCHOR_SRC/package.json" ] || { echo "ort-anchor not found at $ORT_ANCHOR_SRC (ORT=0 skips it)" >&2; exit 2; }
    mkdir -p "$ORT_DIR" && cp -r "$ORT_ANCHOR_SRC/." "$ORT_DIR/"
    (cd "$ORT_DIR" && npm install --ignore-scripts --no-audit --no-fund >&2)
  fi
  # The same requests gearbench replayed (the trace's first REQUESTS, counts expanded), exact shapes.
  python3 - "$OUT/widths.csv" "$REQUESTS" > "$OUT/ort_shapes.txt" <<'EOF'
import sys
shapes, want = [], int(sys.argv[2])
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith('"'):
        continue
    spec, count = line[1:].split('"', 1)
    shapes += [spec] * int(count.lstrip(',') or 1)
while len(shapes) < want:  # gearbench cycles through a shorter trace
    shapes += shapes
print("\n".join(shapes[:want]))
EOF
  node "$ROOT/bench/traffic/ort_replay.js" "$ORT_DIR/node_modules/onnxruntime-node" "$MODEL" "$OUT/ort_shapes.txt" \
    "$THREADS" > "$OUT/ort.json"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]
j = lambda n: json.load(open(os.path.join(out, n)))
p4, p8 = j("plan_4.json"), j("plan_8.json")
r = {n: j(f"replay_{n}.json")["replay"] for n in ("opt4", "uniform4", "opt8")}
c = j("compare.json")
print("\n== Traffic bench (PP-OCRv4 rec, widths trace) ==")
for k, p in (("4", p4), ("8", p8)):
    bf = p["brute_force_expected_ms"]
    print(f"plan {k}: gears {[g[0] for g in p['gears']]}, expected {p['expected_mean_ms']:.3f} ms, "
          f"brute force {bf if bf is None else round(bf, 3)} ms, optimizer {p['optimizer_ms']:.1f} ms")
e4 = next(q["expected_mean_ms"] for q in p8["pareto"] if q["gear_count"] == 4)
print(f"opt4 (plan 8's 4-gear Pareto point): gears {[g[0] for g in next(q for q in p8['pareto'] if q['gear_count'] == 4)['gears']]}")
for n, exp in (("opt4", e4), ("opt8", p8["expected_mean_ms"])):
    m = r[n]["mean_ms"]
    print(f"{n}: replay mean {m:.3f} ms vs expected {exp:.3f} ms ({100*(m-exp)/exp:+.1f}%)")
print(f"uniform4 (320/640/960/1280): replay mean {r['uniform4']['mean_ms']:.3f} ms")
print(f"opt4 vs uniform4: {r['opt4']['mean_ms']/r['uniform4']['mean_ms']:.3f}x latency; "
      f"opt8 vs opt4: {r['opt8']['mean_ms']/r['opt4']['mean_ms']:.3f}x")
for n in r:
    print(f"{n}: dispatch overhead {r[n]['mean_overhead_ms']:.4f} ms = {r[n]['overhead_pct']:.2f}% of run; "
          f"padding waste {100*r[n]['padding_waste']:.1f}%; p50/p90/p99 {r[n]['p50_ms']:.2f}/{r[n]['p90_ms']:.2f}/{r[n]['p99_ms']:.2f}")
for s in c["strategies"]:
    if "replay" in s:
        rp = s["replay"]
        print(f"{s['strategy']}: mean {rp['mean_ms']:.3f} ms, p99 {rp['p99_ms']:.3f} ms, waste {100*rp['padding_waste']:.1f}%, "
              f"compile {s['compile_ms']:.0f} ms")
    else:
        print(f"{s['strategy']}: failed: {s.get('error')}")
print("fastest:", c["fastest"])
if os.path.exists(os.path.join(out, "ort.json")):
    o = j("ort.json")
    print(f"ONNX Runtime, exact shapes, same requests: mean {o['mean_ms']:.3f} ms, p99 {o['p99_ms']:.3f} ms "
          f"({o['distinct_shapes']} distinct shapes)")
    print("ratio to ONNX Runtime (mean latency, < 1: GearStudio faster):")
    for n in r:
        print(f"  {n}: {r[n]['mean_ms'] / o['mean_ms']:.3f}")
    for s in c["strategies"]:
        if "replay" in s:
            print(f"  {s['strategy']}: {s['replay']['mean_ms'] / o['mean_ms']:.3f}")
EOF
