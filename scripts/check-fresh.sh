#!/usr/bin/env bash
# Proves the README's two commands on a fresh machine: in a clean Debian 12 root (debootstrap
# --variant=minbase, see scripts/lib/clean-root.sh) that gets only `make git ca-certificates`, it clones
# this repository's committed HEAD, runs `make test`, then `make run` under Xvfb for a few seconds and
# checks that the screen it drew is not blank. Prints the time of each step; exits non-zero on any
# failure.
#
#   scripts/check-fresh.sh        (as root; `make fresh-check`; not part of `make test`)
#
# Only committed work is checked (the clone comes from a git bundle of HEAD); uncommitted changes are
# named and left out. The sample models come from npm inside the root when the root can reach the
# registry on its own; where npm reaches it only through this host's own configuration (a proxy or a
# certificate the clean root does not have), the root's .cache/models is seeded with the files
# `make models` fetched here, and the output says so (scripts/fetch-models.sh itself is exercised on
# this host by `make models`).
#
# Environment: GS_CHECK_ROOT (default /var/tmp/gs-fresh), GS_KEEP_ROOT=1, GS_DEBIAN_MIRROR,
# JOBS (build parallelism in the root, default nproc), RUN_SECONDS (how long `make run` is given to
# draw before the screen is taken, default 25). Logs and the screenshot land in .cache/check-fresh/.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
CHECK_NAME=check-fresh
WORK=${GS_CHECK_ROOT:-/var/tmp/gs-fresh}
OUT=$SRC/.cache/check-fresh
JOBS=${JOBS:-$(nproc)}
RUN_SECONDS=${RUN_SECONDS:-25}
# shellcheck source=lib/clean-root.sh
. "$SRC/scripts/lib/clean-root.sh"

rm -f "$OUT"/*
command -v git >/dev/null || fail "git is missing on this host"
command -v python3 >/dev/null || fail "python3 is missing on this host (it converts the screenshot)"
head=$(git -C "$SRC" rev-parse --short HEAD) || fail "$SRC is not a git repository"
if [[ -n $(git -C "$SRC" status --porcelain --untracked-files=no) ]]; then
  say "note: uncommitted changes in $SRC are not part of this check (it clones HEAD $head)"
fi
trap cleanup_root EXIT

T0=$SECONDS
step_start=$SECONDS
step_done() { # name
  local s=$((SECONDS - step_start))
  say "$(printf '%-44s %4d s (%dm%02ds)' "$1" "$s" $((s / 60)) $((s % 60)))"
  step_start=$SECONDS
}

# ---- 1. the clean root, plus only what the README asks a user to have ----
prepare_root
step_done "clean root ready"
in_root apt-update "apt-get update in the clean root failed" apt-get update
in_root apt-min "installing make git ca-certificates failed" \
  apt-get install -y --no-install-recommends make git ca-certificates
step_done "apt-get install make git ca-certificates"

# ---- 2. git clone ----
git -C "$SRC" bundle create "$WORK/tmp/gearstudio.bundle" HEAD >"$OUT/bundle.log" 2>&1 ||
  fail "git bundle of HEAD failed; see $OUT/bundle.log"
in_root clone "git clone failed" git clone /tmp/gearstudio.bundle /root/gearstudio
rm -f "$WORK/tmp/gearstudio.bundle"
ROOT_CWD=/root/gearstudio
step_done "git clone (HEAD $head)"

# ---- 3. make test, as the README says; deps and models first so each gets its own time ----
in_root make-deps "make deps (scripts/install-deps.sh) failed in the clean root" make deps
step_done "make deps (Debian packages)"
if in_root_try make-models timeout 300 make models; then
  step_done "make models (npm, from the clean root)"
else
  [[ -d $SRC/.cache/models ]] || fail "the clean root cannot fetch the models and this host has none (run 'make models' here)"
  mkdir -p "$WORK/root/gearstudio/.cache/models"
  cp "$SRC"/.cache/models/*.onnx "$WORK/root/gearstudio/.cache/models/"
  say "note: npm in the clean root could not reach its registry (see $OUT/make-models.log);"
  say "      seeded its .cache/models with this host's $(ls "$SRC"/.cache/models/*.onnx | wc -l) files from 'make models'"
  step_done "models seeded from this host"
fi
in_root make-test "make test failed in the clean root" make test JOBS="$JOBS"
summary=$(grep -E 'tests passed|tests failed' "$OUT/make-test.log" | tail -n1)
step_done "make test (build + ctest: ${summary:-?})"

# ---- 4. make run under Xvfb: the studio must draw a window ----
mkdir -p "$WORK/tmp/fb"
chroot "$WORK" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 /bin/bash -c \
  "cd /root/gearstudio && timeout $((RUN_SECONDS + 60)) xvfb-run -a -s '-screen 0 1600x1000x24 -fbdir /tmp/fb' make run" \
  >"$OUT/make-run.log" 2>&1 &
runner=$!
sleep "$RUN_SECONDS"
kill -0 "$runner" 2>/dev/null || { tail -n 25 "$OUT/make-run.log" >&2; fail "make run exited within $RUN_SECONDS s (full log: $OUT/make-run.log)"; }
[[ -f $WORK/tmp/fb/Xvfb_screen0 ]] || fail "Xvfb wrote no frame buffer (see $OUT/make-run.log)"
cp "$WORK/tmp/fb/Xvfb_screen0" "$OUT/make-run.xwd"
studio=no
for pid in $(root_pids); do
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == gearstudio ]] && studio=yes
done
[[ $studio == yes ]] || fail "the studio is not running after $RUN_SECONDS s (see $OUT/make-run.log)"
for pid in $(root_pids); do kill "$pid" 2>/dev/null || true; done
wait "$runner" 2>/dev/null || true
shot=$(python3 "$SRC/scripts/xwd2png.py" "$OUT/make-run.xwd" "$OUT/make-run.png") ||
  fail "the screen under 'make run' is blank or unreadable ($shot; $OUT/make-run.png)"
rm -f "$OUT/make-run.xwd"
step_done "make run under Xvfb ($shot)"

say "OK: a clean Debian $SUITE root with make, git and ca-certificates passes 'make test' and opens the"
say "    studio with 'make run' (HEAD $head, $(((SECONDS - T0) / 60)) min in all; screenshot $OUT/make-run.png)"
