#!/usr/bin/env bash
# Installs a GearStudio .deb on a clean Debian 12 (bookworm) root and checks that it works there:
# apt resolves the package's Depends from the mirror, then the CLIs compile and run a sample model and
# the studio starts (offscreen), exports a graph and takes a screenshot after a build.
#
#   scripts/check-deb.sh [path/to/gearstudio_*.deb]      (as root; `make deb-check` builds the .deb first)
#
# The pristine root (scripts/lib/clean-root.sh: debootstrap --variant=minbase, cached as
# .cache/clean-root/bookworm-minbase.tar.gz) is unpacked afresh for every run into $GS_CHECK_ROOT
# (default /var/tmp/gs-clean), which is removed at the end unless GS_KEEP_ROOT=1. Logs, the graph and the screenshot land in .cache/check-deb/.
# Environment: GS_DEBIAN_MIRROR (default: the Debian mirror in this host's apt sources).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
CHECK_NAME=check-deb
WORK=${GS_CHECK_ROOT:-/var/tmp/gs-clean}
OUT=$SRC/.cache/check-deb
MODEL=$SRC/.cache/models/ch_ppocr_mobile_v2.0_cls_infer.onnx
# shellcheck source=lib/clean-root.sh
. "$SRC/scripts/lib/clean-root.sh"

# ---- arguments and prerequisites ----
DEB=${1:-}
if [[ -z $DEB ]]; then
  # shellcheck disable=SC2012 # newest first; the names are ours
  DEB=$(ls -t "$SRC"/build/release/packages/gearstudio_*.deb 2>/dev/null | head -n1 || true)
  [[ -n $DEB ]] || fail "no package given and none in build/release/packages/ (run 'make deb' first)"
fi
[[ -f $DEB ]] || fail "package '$DEB' does not exist"
DEB=$(readlink -f "$DEB")
[[ -f $MODEL ]] || fail "sample model $MODEL is missing (run 'make models')"
rm -f "$OUT"/*
trap cleanup_root EXIT

# ---- 1. the clean root ----
prepare_root
mkdir -p "$WORK/tmp/gs-check"
cp "$DEB" "$MODEL" "$WORK/tmp/gs-check/"
PKG=/tmp/gs-check/$(basename "$DEB")
M=/tmp/gs-check/$(basename "$MODEL")
ROOT_CWD=/tmp/gs-check

# ---- 2. install: apt must find every dependency from Depends alone ----
say "installing $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB) with apt (Depends only, no Recommends)"
in_root apt-update "apt-get update in the clean root failed" apt-get update
in_root apt-install "apt-get install of the package failed (a missing or wrong Depends?)" \
  apt-get install -y --no-install-recommends "$PKG"
pulled=$(grep -oE '[0-9]+ newly installed' "$OUT/apt-install.log" | cut -d' ' -f1 || true)
space=$(grep -oE 'After this operation, .* of additional disk space will be used' "$OUT/apt-install.log" |
  sed 's/After this operation, //; s/ of additional.*//' || true)
in_root installed-size "dpkg does not list gearstudio as installed" \
  "dpkg-query -W -f='\${Status} \${Installed-Size}\n' gearstudio | grep -q '^install ok installed'"
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
isize=$(chroot "$WORK" dpkg-query -W -f='${Installed-Size}' gearstudio)
say "installed: gearstudio itself ${isize} KiB; apt pulled ${pulled:-?} packages, ${space:-?} in all"

# ---- 3. files and libraries ----
for f in /usr/bin/gearstudio /usr/bin/gearatc /usr/bin/gearbench /usr/share/applications/gearstudio.desktop \
  /usr/share/icons/hicolor/scalable/apps/gearstudio.svg /usr/share/mime/packages/gearstudio.xml \
  /usr/share/doc/gearstudio/copyright /usr/share/doc/gearstudio/changelog.gz \
  /usr/share/man/man1/gearstudio.1.gz /usr/share/man/man1/gearatc.1.gz /usr/share/man/man1/gearbench.1.gz; do
  [[ -e $WORK$f ]] || fail "the installed package lacks $f"
done
# shellcheck disable=SC2016 # expanded in the root, not here
in_root ldd "a binary or a Qt plugin has an unresolved library" \
  'for f in /usr/bin/gear* /usr/lib/*/qt6/plugins/*/*.so; do ldd "$f" | grep "not found" && echo "in $f" && exit 1; done; true'
say "files and libraries: OK"

# ---- 4. the CLIs ----
in_root gearatc-help "gearatc --help failed" gearatc --help
in_root gearbench-help "gearbench --help failed" gearbench --help
in_root gearstudio-help "gearstudio --help failed" gearstudio --help
in_root gearatc "gearatc could not compile the sample model" \
  gearatc --framework=5 --model="$M" --output=/tmp/gs-check/cls --input_shape=x:-1,3,48,192 \
  --dynamic_batch_size=1,4,16 '&&' gearatc --mode=6 --om=/tmp/gs-check/cls.om
in_root gearbench "gearbench could not run the compiled model" \
  gearbench --model=/tmp/gs-check/cls.om --gear=all --loop=5 --warmup=1 --threads=2 --json=/tmp/gs-check/bench.json
[[ -s $WORK/tmp/gs-check/bench.json ]] || fail "gearbench wrote no JSON report"
say "gearatc: $(grep -m1 '^wrote' "$OUT/gearatc.log" || echo 'compiled')"
say "gearbench: $(grep -c '^=== gear' "$OUT/gearbench.log") gear(s) run"

# ---- 5. the studio, offscreen ----
in_root studio-export "gearstudio --export-graph failed" \
  QT_QPA_PLATFORM=offscreen gearstudio --export-graph=/tmp/gs-check/graph.png "$M"
png_ok "$WORK/tmp/gs-check/graph.png" 10000 || fail "gearstudio --export-graph wrote no usable PNG"
in_root studio-screenshot "gearstudio did not start, build and take a screenshot" \
  QT_QPA_PLATFORM=offscreen timeout 180 gearstudio \
  "--atc='atc --model=$M --framework=5 --output=/tmp/gs-check/studio --input_shape=x:-1,3,48,192 --dynamic_batch_size=1,4,16'" \
  --compile --screenshot=/tmp/gs-check/studio.png "$M"
png_ok "$WORK/tmp/gs-check/studio.png" 20000 || fail "the studio's screenshot is missing or blank"
grep -q '\[gs.compiler\].* gear 2: ' "$OUT/studio-screenshot.log" || fail "the studio did not build the 3 gears"
cp "$WORK"/tmp/gs-check/{graph.png,studio.png,bench.json} "$OUT/"
say "studio: started offscreen, exported the graph and built 3 gears; pictures in $OUT/"

say "OK: $(basename "$DEB") installs and runs on a clean Debian $SUITE root"
