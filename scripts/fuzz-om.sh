#!/usr/bin/env bash
# Fuzzes the .om reader with libFuzzer + AddressSanitizer.
#   scripts/fuzz-om.sh [seconds=60] [extra libFuzzer options...]
# Configures a separate clang build folder (build/fuzz, or $GS_FUZZ_BUILD), builds the fuzzer and
# the seed generator, writes a few valid .om files as seeds, and runs for the given time. New
# interesting inputs accumulate in build/fuzz/om-corpus; crashes land in build/fuzz/om-artifacts.
# Exit status: 0 when no crash was found.
set -euo pipefail

seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GS_FUZZ_BUILD:-$root/build/fuzz}
jobs=${GS_FUZZ_JOBS:-2}

# Debian 12's clang 14 cannot compile libstdc++ 12's <expected>; the force-included shim supplies a
# compatible std::expected for this build only (see the header's comment).
cxxflags="-include $root/tests/om/clang14_expected.h -fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer"

if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGS_WERROR=OFF \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer" \
    -DCMAKE_CXX_FLAGS="$cxxflags"
fi
cmake --build "$build" --target fuzz_om_reader om_seed_gen -j"$jobs"

seeds="$build/om-seeds"
corpus="$build/om-corpus"
artifacts="$build/om-artifacts"
mkdir -p "$seeds" "$corpus" "$artifacts"
ASAN_OPTIONS=detect_leaks=0 "$build/tests/om/om_seed_gen" "$seeds"

# Read-write corpus first (libFuzzer adds new inputs there), seeds second.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} "$build/tests/om/fuzz_om_reader" \
  -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$corpus" "$seeds"
