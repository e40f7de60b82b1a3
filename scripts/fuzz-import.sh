#!/usr/bin/env bash
# Fuzzes the ONNX front door (import, shape inference, compile of one static gear) with libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer.
#   scripts/fuzz-import.sh [seconds=60] [extra libFuzzer options...]
# Configures a separate clang build folder (build/fuzz-import, or $GS_FUZZ_BUILD), builds the
# target, seeds it with the sample models (.cache/models) and the ONNX conformance models (small
# ones only: -max_len caps what a mutation may grow to), and runs for the given time. New
# interesting inputs accumulate in build/fuzz-import/corpus; crashes land in
# build/fuzz-import/artifacts (turn each into a regression file under tests/importer/data/fuzz).
# Exit status: 0 when no crash was found.
set -euo pipefail

seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GS_FUZZ_BUILD:-$root/build/fuzz-import}
jobs=${GS_FUZZ_JOBS:-2}
max_len=${GS_FUZZ_MAX_LEN:-65536}
testdata=${GS_ONNX_TESTDATA:-/usr/share/libonnx-testdata/data}

# Debian 12's clang 14 cannot compile libstdc++ 12's <expected>; the force-included shim supplies a
# compatible std::expected for this build only (see the header's comment).
san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cxxflags="-include $root/tests/om/clang14_expected.h $san"

if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGS_WERROR=OFF \
    -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$cxxflags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
fi
cmake --build "$build" --target fuzz_import import_seed_gen -j"$jobs"

seeds="$build/seeds"
corpus="$build/corpus"
artifacts="$build/artifacts"
mkdir -p "$seeds" "$corpus" "$artifacts"
# Seeds: every conformance model that fits max_len, the skeletons of the sample models (their
# large weights turned into inputs, see import_seed_gen.cpp), and the regression files of earlier
# findings.
n=0
while IFS= read -r -d '' f; do
  if (( $(stat -c %s "$f") <= max_len )); then
    cp "$f" "$seeds/$(echo "${f#"$testdata"/}" | tr / _)"
    n=$((n + 1))
  fi
done < <(find "$testdata" -name '*.onnx' -print0)
if compgen -G "$root/.cache/models/*.onnx" > /dev/null; then
  ASAN_OPTIONS=detect_leaks=0 "$build/tests/importer/import_seed_gen" "$seeds" "$root"/.cache/models/*.onnx
  n=$((n + $(ls "$root"/.cache/models/*.onnx | wc -l)))
fi
if [[ -d "$root/tests/importer/data/fuzz" ]]; then
  cp "$root/tests/importer/data/fuzz/"* "$seeds/" 2>/dev/null || true
fi
echo "fuzz-import: $n seed models"

# Read-write corpus first (libFuzzer adds new inputs there), seeds second.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  "$build/tests/importer/fuzz_import" \
  -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=3072 -malloc_limit_mb=2048 -timeout=20 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$corpus" "$seeds"
