#!/usr/bin/env bash
# Do the studio and gearbench report the same latency for the same model and gears? Compiles one
# multi-gear .om with gearatc, then alternates `gearbench` and a scripted `gearstudio --profile` on the
# same ATC options (order reversed every pair, so slow phases of a shared machine hit both alike) and
# prints, per gear and pair, both medians with their 95% intervals, whether the intervals overlap, and
# the median ratio studio / gearbench over the pairs. A run's bootstrap interval covers only the
# run-to-run noise inside one process; a new process also lands on different memory placement and
# clock states (2-5% between processes here), so the verdict compares each side's interval over its
# processes: [min, max] of the PAIRS process medians, a distribution-free interval for the median
# process (coverage 1 - 2 / 2^PAIRS: 94% at 5). See bench/README.md.
#
# usage: bench/studio_vs_gearbench/run.sh [BUILD_DIR]     (default build/release)
# env:   PAIRS (default 5), LOOPS (measured runs per gear, default 200), THREADS (default 1),
#        MODEL (default .cache/models/ch_ppocr_mobile_v2.0_cls_infer.onnx),
#        ATC (the shape options, default "--input_shape=x:-1,3,48,192 --dynamic_batch_size=1,4"),
#        WORK_DIR (default .cache/studio_vs_gearbench)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build/release}"
PAIRS="${PAIRS:-5}"
LOOPS="${LOOPS:-200}"
THREADS="${THREADS:-1}"
MODEL="${MODEL:-$ROOT/.cache/models/ch_ppocr_mobile_v2.0_cls_infer.onnx}"
ATC="${ATC:---input_shape=x:-1,3,48,192 --dynamic_batch_size=1,4}"
WORK="${WORK_DIR:-$ROOT/.cache/studio_vs_gearbench}"

for t in gearatc gearbench gearstudio; do
  [ -x "$BUILD/app/$t/$t" ] || { echo "$BUILD/app/$t/$t not found (build it first)" >&2; exit 2; }
done
[ -f "$MODEL" ] || { echo "$MODEL missing (scripts/fetch-models.sh)" >&2; exit 2; }
mkdir -p "$WORK"
# shellcheck disable=SC2086 # ATC is a list of options
"$BUILD/app/gearatc/gearatc" --model="$MODEL" --framework=5 $ATC --output="$WORK/model" >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

gearbench_side() {
  "$BUILD/app/gearbench/gearbench" --model="$WORK/model.om" --gear=all --threads="$THREADS" --loop="$LOOPS" \
    --json="$WORK/gearbench_$1.json" >/dev/null
}
studio_side() {
  # The studio fills its form from the same ATC options and profiles every gear.
  QT_QPA_PLATFORM=offscreen timeout 600 "$BUILD/app/gearstudio/gearstudio" "$MODEL" \
    --atc="atc --model=m.onnx --framework=5 $ATC --output=o" --profile=1 --loops="$LOOPS" \
    --threads="$THREADS" --export-report="$WORK/studio_$1.json" >/dev/null 2>"$WORK/studio_$1.log" ||
    { echo "gearstudio failed (see $WORK/studio_$1.log)" >&2; exit 1; }
}
for ((i = 0; i < PAIRS; i++)); do
  if ((i % 2 == 0)); then gearbench_side "$i"; studio_side "$i"; else studio_side "$i"; gearbench_side "$i"; fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$WORK" "$PAIRS" <<'PY'
import json, statistics, sys
work, pairs = sys.argv[1], int(sys.argv[2])
ratios, overlaps, total = {}, 0, 0
sides = {}  # label -> ([gearbench medians], [studio medians])
print(f"{'pair':>4}  {'gear':<16} {'gearbench ms [95% CI]':<28} {'studio ms [95% CI]':<28} overlap")
for i in range(pairs):
    gb = json.load(open(f"{work}/gearbench_{i}.json"))["gears"]
    st = json.load(open(f"{work}/studio_{i}.json"))["profile"]["gears"]
    if len(gb) != len(st):
        sys.exit(f"pair {i}: gearbench measured {len(gb)} gears, the studio {len(st)}")
    for g, s in zip(gb, st):
        label = s["label"]
        bm, bci = g["latency_ms"]["median"], g["median_ci_ms"]
        sm, sci = s["latency"]["median_ms"], s["median_ci_ms"]
        ov = bci[0] <= sci[1] and sci[0] <= bci[1]
        overlaps += ov
        total += 1
        ratios.setdefault(label, []).append(sm / bm)
        sides.setdefault(label, ([], []))
        sides[label][0].append(bm)
        sides[label][1].append(sm)
        print(f"{i:>4}  {label:<16} {bm:8.3f} [{bci[0]:.3f}, {bci[1]:.3f}]{'':6} "
              f"{sm:8.3f} [{sci[0]:.3f}, {sci[1]:.3f}]{'':6} {'yes' if ov else 'no'}")
print()
for label, r in ratios.items():
    print(f"{label}: studio / gearbench median ratio {statistics.median(r):.3f} "
          f"(pairs: {', '.join(f'{x:.3f}' for x in r)})")
print(f"within-process intervals overlap in {overlaps} of {total} gear measurements")
print()
coverage = 1 - 2 / 2 ** pairs
print(f"across processes ([min, max] of {pairs} process medians, coverage {coverage:.0%}):")
agree = 0
for label, (gb, st) in sides.items():
    ov = min(gb) <= max(st) and min(st) <= max(gb)
    agree += ov
    print(f"  {label:<16} gearbench [{min(gb):.3f}, {max(gb):.3f}]  studio [{min(st):.3f}, {max(st):.3f}]  "
          f"{'agree' if ov else 'DIFFER'}")
print(f"the studio and gearbench agree within their across-process intervals on {agree} of {len(sides)} gears")
PY
