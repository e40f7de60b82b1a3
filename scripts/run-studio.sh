#!/usr/bin/env bash
# Opens the studio on a model; says plainly what to do when there is no display.
set -euo pipefail
bin=$1; model=$2
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<TXT
No display is available (DISPLAY and WAYLAND_DISPLAY are unset), so the studio window cannot open.
Headless alternatives:
  xvfb-run -a $bin "$model"                 # the studio on a virtual display
  $bin --export-graph=graph.png "$model"    # render the graph without a window
  build/release/app/gearatc/gearatc --mode=1 --framework=5 --model="$model" --json=model.json
  build/release/app/gearbench/gearbench --model="$model" --input_shape="x:1,3,640,640"
TXT
  exit 2
fi
# OpenMP threads sleep instead of spinning between runs: on a desktop shared with the GUI thread this
# is measurably faster (see bench/README.md, "Runtime vs ONNX Runtime"). A user's own setting wins.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
exec "$bin" "$model"
