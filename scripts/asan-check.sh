#!/usr/bin/env bash
# Runs GearStudio under AddressSanitizer + UBSan (+ LeakSanitizer): builds gearatc and gearbench with
# the `asan` preset, runs `gearbench --check` over the ONNX backend conformance folders and compiles
# and runs the PP-OCR sample models (three gears each, a dynamic-shape model each, --profile, and
# --compare-strategies on cls). Prints one line per step and a summary; exits 1 when any step has a
# sanitizer finding or fails, 2 on a usage or setup error.
#
# A finding is a sanitizer report in a step's output, a step killed by a signal, or a --check case
# that crashed (gearbench captures each forked case's output and marks a case with a signal, an exit
# without a result or a sanitizer report as crashed; see docs/gearbench.md).
#
# usage: scripts/asan-check.sh [BUILD_DIR]       (default build/asan, configured with --preset asan)
# env:   JOBS        build parallelism (default 2)
#        CHECK_JOBS  gearbench --check --jobs (default 2)
#        TIMEOUT     seconds per conformance case (default 120: sanitizers slow the kernels down)
#        FOLDERS     conformance folders under the ONNX test data (default: node simple
#                    pytorch-converted pytorch-operator; empty skips them)
#        ONNX_DATA   the ONNX backend test data (default /usr/share/libonnx-testdata/data)
#        MODELS_DIR  the PP-OCR .onnx files (default .cache/models; missing models are skipped)
#        WORK_DIR    where logs, JSON and .om files go (default a fresh temporary folder, kept)
#        CTEST=1     also build everything and run `ctest --preset asan` without the `conformance` label
#        NO_BUILD=1  use the binaries already in BUILD_DIR
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$(realpath -m "${1:-$ROOT/build/asan}")"
JOBS="${JOBS:-2}"
CHECK_JOBS="${CHECK_JOBS:-2}"
TIMEOUT="${TIMEOUT:-120}"
FOLDERS="${FOLDERS-node simple pytorch-converted pytorch-operator}"
ONNX_DATA="$(realpath -m "${ONNX_DATA:-/usr/share/libonnx-testdata/data}")"
MODELS_DIR="$(realpath -m "${MODELS_DIR:-$ROOT/.cache/models}")"
WORK_DIR="${WORK_DIR:-$(mktemp -d -t gs-asan-check.XXXXXX)}"
mkdir -p "$WORK_DIR" || exit 2
WORK_DIR="$(realpath "$WORK_DIR")"
cd "$ROOT" || exit 2

# Leaks on (children run their own check), stop at the first report so it cannot scroll away.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export OMP_WAIT_POLICY=PASSIVE # spinning OpenMP workers only slow the sanitized kernels down

if [[ -z "${NO_BUILD:-}" ]]; then
  if [[ "$BUILD" == "$ROOT/build/asan" && ! -f "$BUILD/build.ninja" ]]; then
    cmake --preset asan >"$WORK_DIR/configure.log" 2>&1 ||
      { cat "$WORK_DIR/configure.log" >&2; exit 2; }
  fi
  cmake --build "$BUILD" --target gearatc gearbench -j"$JOBS" >"$WORK_DIR/build.log" 2>&1 ||
    { tail -50 "$WORK_DIR/build.log" >&2; exit 2; }
fi
GEARATC="$BUILD/app/gearatc/gearatc"
GEARBENCH="$BUILD/app/gearbench/gearbench"
[[ -x "$GEARATC" && -x "$GEARBENCH" ]] || { echo "gearatc/gearbench not found under $BUILD" >&2; exit 2; }

# As core/session/conformance.cpp: a report, or a sanitizer that failed itself (no clean run then).
MARKERS='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer|WARNING: MemorySanitizer'
MARKERS+='|Sanitizer has encountered a fatal error|Sanitizer CHECK failed'
findings=0
errors=0
cases=0
failed_steps=()

# step NAME CMD...: runs CMD with its output in $WORK_DIR/NAME.log; a sanitizer report or a signal is a
# finding, another non-zero exit an error.
step() {
  local name="$1"
  shift
  local log="$WORK_DIR/$name.log" rc t0 t1 verdict
  t0=$(date +%s)
  "$@" >"$log" 2>&1
  rc=$?
  t1=$(date +%s)
  local reports
  reports=$(grep -cE "$MARKERS" "$log")
  if ((reports > 0 || rc >= 128)); then
    verdict="SANITIZER FINDING (exit $rc): $(grep -m1 -E "$MARKERS" "$log" | sed 's/^==[0-9]*==//')"
    findings=$((findings + 1))
    failed_steps+=("$name")
  elif ((rc != 0)); then
    verdict="ERROR (exit $rc): $(tail -1 "$log")"
    errors=$((errors + 1))
    failed_steps+=("$name")
  else
    verdict="ok"
  fi
  printf '%-40s %5ss  %s\n' "$name" "$((t1 - t0))" "$verdict"
}

echo "asan-check: $BUILD, logs in $WORK_DIR"
echo "ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS"

# --- conformance folders ---------------------------------------------------------------------------
declare -a check_lines
for folder in $FOLDERS; do
  dir="$ONNX_DATA/$folder"
  [[ -d "$dir" ]] || { echo "no conformance folder $dir" >&2; exit 2; }
  name="check-$folder"
  log="$WORK_DIR/$name.log"
  t0=$(date +%s)
  "$GEARBENCH" --check="$dir" --jobs="$CHECK_JOBS" --timeout="$TIMEOUT" --json="$WORK_DIR/$name.json" >"$log" 2>&1
  rc=$?
  t1=$(date +%s)
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1)
  crashed=$(sed -nE 's/^([0-9]+) of the failures crashed.*/\1/p' "$log" | tail -1)
  crashed=${crashed:-0}
  # Reports from the parent itself (not under a case's "    | " excerpt), e.g. a leak at its exit.
  parent=$(grep -vE '^    \| ' "$log" | grep -cE "$MARKERS")
  n=$(awk '{print $1 + $3 + $5}' <<<"$summary")
  cases=$((cases + ${n:-0}))
  found=$((crashed + parent))
  if ((rc >= 128)) || [[ -z "$summary" ]]; then found=$((found + 1)); fi
  if ((found > 0)); then
    findings=$((findings + found))
    failed_steps+=("$name")
  elif ((rc != 0)); then
    errors=$((errors + 1))
    failed_steps+=("$name")
  fi
  line=$(printf '%-40s %5ss  %s cases: %s; crashed %s, parent reports %s, exit %s' "$name" "$((t1 - t0))" \
    "${n:-?}" "${summary:-no summary}" "$crashed" "$parent" "$rc")
  echo "$line"
  check_lines+=("$line")
  grep -E '^FAILED .*(crashed|sanitizer)' "$log" | sed 's/^/    /'
done

# --- sample models ---------------------------------------------------------------------------------
# name | input | gear options | dynamic (range) shape | a shape inside the range
MODELS=(
  "det|ch_PP-OCRv4_det_infer.onnx|--input_shape=x:1,3,-1,-1 --dynamic_image_size=320,320;480,640;640,640|x:1,3,320~640,320~640|x:1,3,480,320"
  "rec|ch_PP-OCRv4_rec_infer.onnx|--input_shape=x:-1,3,48,-1 --dynamic_dims=1,320;4,320;1,640|x:1~4,3,48,160~640|x:2,3,48,480"
  "cls|ch_ppocr_mobile_v2.0_cls_infer.onnx|--input_shape=x:-1,3,48,192 --dynamic_batch_size=1,4,8|x:1~8,3,48,192|x:3,3,48,192"
)
RUN=(--loop=2 --warmup=1 --threads=2)
for entry in "${MODELS[@]}"; do
  IFS='|' read -r m file gears range inside <<<"$entry"
  onnx="$MODELS_DIR/$file"
  if [[ ! -f "$onnx" ]]; then
    echo "$m: $onnx not found, skipped (scripts/fetch-models.sh fetches the sample models)"
    continue
  fi
  read -r -a gear_args <<<"$gears"
  step "$m-compile-gears" "$GEARATC" --framework=5 --model="$onnx" --output="$WORK_DIR/$m-gears" \
    "${gear_args[@]}" --soc_version=Ascend310P3
  step "$m-info" "$GEARATC" --mode=6 --om="$WORK_DIR/$m-gears.om"
  step "$m-om-json" "$GEARATC" --mode=1 --om="$WORK_DIR/$m-gears.om" --json="$WORK_DIR/$m-gears.json"
  step "$m-bench-gears" "$GEARBENCH" --model="$WORK_DIR/$m-gears.om" --gear=all "${RUN[@]}" \
    --json="$WORK_DIR/$m-bench-gears.json"
  step "$m-profile" "$GEARBENCH" --model="$WORK_DIR/$m-gears.om" --gear=0 --profile "${RUN[@]}"
  step "$m-compile-dynamic" "$GEARATC" --framework=5 --model="$onnx" --output="$WORK_DIR/$m-dyn" \
    --input_shape="$range" --soc_version=Ascend310P3
  step "$m-bench-dynamic" "$GEARBENCH" --model="$WORK_DIR/$m-dyn.om" --gear="$inside" --profile "${RUN[@]}"
  step "$m-bench-dynamic-max" "$GEARBENCH" --model="$WORK_DIR/$m-dyn.om" "${RUN[@]}"
  step "$m-bench-onnx" "$GEARBENCH" --model="$onnx" "${gear_args[@]}" --gear=all "${RUN[@]}"
  if [[ "$m" == cls ]]; then
    step "$m-compare-strategies" "$GEARBENCH" --compare-strategies --model="$onnx" "${gear_args[@]}" \
      --loop=2 --threads=2 --json="$WORK_DIR/$m-strategies.json"
  fi
done

# --- unit tests (optional) -------------------------------------------------------------------------
if [[ -n "${CTEST:-}" ]]; then
  step build-tests cmake --build "$BUILD" -j"$JOBS"
  # The preset's environment (leak checks off: Qt's own allocations) applies to the test binaries.
  step ctest ctest --preset asan -LE conformance
fi

echo
echo "asan-check summary ($WORK_DIR)"
for line in "${check_lines[@]}"; do echo "  $line"; done
echo "  conformance cases run: $cases"
echo "  failed steps: ${failed_steps[*]:-none}"
echo "  errors (non-zero exits without a sanitizer report) = $errors"
echo "  sanitizer findings = $findings"
((findings == 0 && errors == 0)) || exit 1
