# Shared by scripts/check-deb.sh and scripts/check-fresh.sh (sourced, not run): a pristine Debian 12
# (bookworm) root made once with `debootstrap --variant=minbase`, cached as a tarball and unpacked afresh
# for every check, plus helpers to run commands in it and to tear it down.
#
# The caller sets before sourcing:
#   CHECK_NAME   prefix of every message (e.g. check-deb)
#   WORK         where the root is unpacked (must be under /var/tmp or /tmp; removed at the end)
#   OUT          where logs go (created)
#   SRC          the repository root (the tarball is cached in $SRC/.cache/clean-root/)
# and may set GS_DEBIAN_MIRROR (default: the Debian mirror of this host's apt sources) and
# GS_KEEP_ROOT=1 (keep the root after the check).
# shellcheck shell=bash

SUITE=bookworm
CACHE=$SRC/.cache/clean-root
TARBALL=$CACHE/$SUITE-minbase.tar.gz
# Downloaded .deb files, kept between checks so a rerun does not download them again (every package is
# still installed afresh in the clean root). GS_APT_ARCHIVES=none downloads everything every time.
APT_ARCHIVES=${GS_APT_ARCHIVES:-$CACHE/apt-archives}

fail() {
  echo "$CHECK_NAME: FAIL: $*" >&2
  exit 1
}
say() { echo "$CHECK_NAME: $*"; }

case $WORK in
  /var/tmp/?* | /tmp/?*) ;;
  *) fail "the root folder must be under /var/tmp or /tmp (got '$WORK')" ;;
esac
[[ $(id -u) -eq 0 ]] || fail "needs root (debootstrap, chroot, mount); run as root or with sudo"
mkdir -p "$CACHE" "$OUT"

# Mounts under $WORK, deepest first.
mounts_under() { awk -v p="$1" '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/self/mounts | sort -r; }
unmount_all() {
  local m
  for m in $(mounts_under "$WORK"); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
}
remove_root() {
  unmount_all
  [[ -z $(mounts_under "$WORK") ]] || fail "something is still mounted under $WORK; not removing it"
  rm -rf "$WORK"
}
# Processes running inside the root (their / is $WORK).
root_pids() {
  local d
  for d in /proc/[0-9]*; do
    [[ $(readlink "$d/root" 2>/dev/null) == "$WORK" ]] && echo "${d#/proc/}"
  done
  return 0
}
cleanup_root() {
  local rc=$?
  # Processes the check left running in the root (an X server, the studio) hold its mounts.
  local pid
  for pid in $(root_pids); do kill -9 "$pid" 2>/dev/null || true; done
  sleep 1
  unmount_all
  if [[ ${GS_KEEP_ROOT:-0} == 1 ]]; then
    say "kept the root at $WORK (GS_KEEP_ROOT=1)"
  elif [[ -z $(mounts_under "$WORK") ]]; then
    rm -rf "$WORK"
  fi
  exit $rc
}

# The Debian mirror this host uses (one-line or deb822 sources), unless GS_DEBIAN_MIRROR says otherwise.
host_uri() {
  local suffix=$1
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v '^[[:space:]]*#' | grep -oE '(https?|file)://[^[:space:]]+' | sed 's|/*$||' |
    grep -E "/${suffix}\$" | head -n1 || true
}
MIRROR=${GS_DEBIAN_MIRROR:-$(host_uri debian)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY=$(host_uri debian-security)
SECURITY=${SECURITY:-http://deb.debian.org/debian-security}

# Unpacks the cached pristine root into $WORK (making it with debootstrap the first time), points its
# apt at the host's mirror, copies resolv.conf and mounts /proc, /dev, /dev/pts and the .deb cache.
prepare_root() {
  remove_root
  if [[ ! -f $TARBALL ]]; then
    if ! command -v debootstrap >/dev/null; then
      say "installing debootstrap on this host (needed once to make the clean root)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >"$OUT/debootstrap-install.log" 2>&1 ||
        fail "cannot install debootstrap; see $OUT/debootstrap-install.log"
    fi
    say "creating a clean $SUITE root with debootstrap from $MIRROR (once; cached in $TARBALL)"
    debootstrap --variant=minbase "$SUITE" "$WORK" "$MIRROR" >"$OUT/debootstrap.log" 2>&1 ||
      fail "debootstrap failed; see $OUT/debootstrap.log"
    cat >"$WORK/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY $SUITE-security main
EOF
    rm -rf "$WORK"/var/cache/apt/archives/*.deb
    tar -C "$WORK" --numeric-owner -czf "$TARBALL.tmp" . || fail "cannot write $TARBALL"
    mv "$TARBALL.tmp" "$TARBALL"
  else
    say "unpacking the cached clean root $TARBALL"
    mkdir -p "$WORK"
    tar -C "$WORK" --numeric-owner -xzf "$TARBALL" || fail "cannot unpack $TARBALL"
  fi
  # The host's apt settings that make its mirror usable (e.g. snapshot mirrors whose Release files are
  # past their Valid-Until), not its package choices.
  local f
  for f in /etc/apt/apt.conf.d/*; do
    grep -q 'Acquire::' "$f" 2>/dev/null && cp "$f" "$WORK/etc/apt/apt.conf.d/"
  done
  cp /etc/resolv.conf "$WORK/etc/resolv.conf"
  mount -t proc proc "$WORK/proc" || fail "cannot mount /proc in $WORK"
  mount --bind /dev "$WORK/dev" || fail "cannot bind /dev in $WORK"
  mkdir -p "$WORK/dev/pts"
  mount --bind /dev/pts "$WORK/dev/pts" 2>/dev/null || true
  if [[ $APT_ARCHIVES != none ]]; then
    mkdir -p "$APT_ARCHIVES/partial" "$WORK/var/cache/apt/archives"
    mount --bind "$APT_ARCHIVES" "$WORK/var/cache/apt/archives" || fail "cannot bind $APT_ARCHIVES in $WORK"
  fi
}

# in_root_try LOG COMMAND...: runs a command in the root like in_root and returns its status.
in_root_try() {
  local log=$1
  shift
  chroot "$WORK" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive /bin/bash -c "cd ${ROOT_CWD:-/} && $*" >"$OUT/$log.log" 2>&1
}

# in_root LOG WHAT COMMAND...: runs a command in the root with a bare environment (no DISPLAY, no
# LD_LIBRARY_PATH from this host) in $ROOT_CWD (default /); its output goes to $OUT/LOG.log, and a
# failure names the step and shows the log's tail.
in_root() {
  local log=$1 what=$2
  shift 2
  if ! in_root_try "$log" "$@"; then
    tail -n 25 "$OUT/$log.log" >&2
    fail "$what (full log: $OUT/$log.log)"
  fi
}

png_ok() { # file, minimum bytes: a PNG signature and more than a blank picture would take
  [[ -f $1 && $(od -An -tx1 -N8 "$1" | tr -d ' \n') == 89504e470d0a1a0a && $(stat -c %s "$1") -ge $2 ]]
}
