#!/usr/bin/env bash
# Regenerates the conformance gate's expected-pass lists (tests/conformance/expected-pass-<suite>.txt)
# from a run of `gearbench --check` over each ONNX backend suite: every case that passes now is
# listed, and the CTest tests gearbench_check_<suite> then fail when any listed case stops passing.
# Run it after a change that makes more cases pass (it prints the lists' differences), review the
# diff, and commit the lists with the change.
#
# usage: scripts/update-conformance-lists.sh [BUILD_DIR]   (default build/release; gearbench must be built)
# env:   JOBS       gearbench --check --jobs (default 2)
#        TIMEOUT    seconds per case (default 60)
#        SUITES     default: node simple pytorch-converted pytorch-operator
#        ONNX_DATA  the ONNX backend test data (default /usr/share/libonnx-testdata/data)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build/release}"
bench="$build/app/gearbench/gearbench"
data="${ONNX_DATA:-/usr/share/libonnx-testdata/data}"
lists="$root/tests/conformance"
if [[ ! -x "$bench" ]]; then
  echo "update-conformance-lists: no gearbench at $bench (build it: cmake --build --preset release --target gearbench)" >&2
  exit 2
fi
mkdir -p "$lists"
status=0
for suite in ${SUITES:-node simple pytorch-converted pytorch-operator}; do
  if [[ ! -d "$data/$suite" ]]; then
    echo "update-conformance-lists: no suite folder $data/$suite" >&2
    status=2
    continue
  fi
  list="$lists/expected-pass-$suite.txt"
  new="$(mktemp)"
  # The exit status only says whether cases of the old list regressed; the new list is written anyway.
  "$bench" --check="$data/$suite" --jobs="${JOBS:-2}" --timeout="${TIMEOUT:-60}" --write-pass-list="$new" \
    | tail -n 1 | sed "s/^/$suite: /"
  if [[ -f "$list" ]]; then
    gone="$(comm -23 <(grep -v '^#' "$list" | sort) <(grep -v '^#' "$new" | sort) | tr '\n' ' ')"
    added="$(comm -13 <(grep -v '^#' "$list" | sort) <(grep -v '^#' "$new" | sort) | wc -l)"
    echo "$suite: $added newly passing case(s) added"
    [[ -n "$gone" ]] && echo "$suite: NO LONGER PASSING (removed from the list; check why before committing): $gone"
  fi
  mv "$new" "$list"
  chmod 644 "$list"
done
exit $status
