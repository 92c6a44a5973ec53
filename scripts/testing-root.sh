#!/usr/bin/env bash
# The modern-GDAL environment: a Debian testing root file system with GDAL
# 3.13, created once and cached outside the work tree, then used to run a
# command with the checkout visible at the same path.
#
#   scripts/testing-root.sh                 # just make sure it exists
#   scripts/testing-root.sh CMD [ARGS...]   # run CMD inside, in $PWD
#
# Cache: $MRAST_CACHE_DIR (default /var/cache/merge-rasterize)/testing-root.
# Safe to run twice at once (a lock guards creation; each run mounts in its
# own private mount namespace, so nothing leaks or needs unmounting) and after
# an interrupted run (the root is built under a temporary name and renamed
# only when complete). Needs root (debootstrap, chroot, mount).
set -euo pipefail

CACHE=${MRAST_CACHE_DIR:-/var/cache/merge-rasterize}
ROOT=$CACHE/testing-root
MIRROR=${MRAST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Extra packages are installed into an existing root when this list grows.
PACKAGES=(libgdal-dev gdal-bin python3-gdal python3-numpy cmake g++ ninja-build
          libgtest-dev pkg-config
          # QGIS for the Processing provider's headless test (qgis_process):
          # about 1.3 GB and a few minutes the first time.
          qgis python3-qgis qgis-providers
          python3-dask python3-distributed)

log() { echo "testing-root: $*" >&2; }

# Run a command inside ROOT (or another root dir) with /proc, /dev and the
# checkout mounted, in a private mount namespace.
in_root() {
  local root=$1; shift
  local here; here=$(pwd -P)
  local data=${MRAST_DATA_DIR:-$CACHE/data}
  unshare --mount --propagation private /bin/bash -s -- "$root" "$here" "$data" "$@" <<'INNER'
set -euo pipefail
root=$1 here=$2 data=$3; shift 3
mount --bind /proc "$root/proc"
mount --rbind /dev "$root/dev"
mkdir -p "$root$here"
mount --bind "$here" "$root$here"
if [ -d "$data" ]; then mkdir -p "$root$data"; mount --bind "$data" "$root$data"; fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
exec chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  MRAST_DATA_DIR="$data" MRAST_IN_TESTING_ROOT=1 \
  /bin/bash -c 'cd "$0" && exec "$@"' "$here" "$@"
INNER
}

apt_in_root() {
  local root=$1; shift
  in_root "$root" /bin/bash -c "
    export DEBIAN_FRONTEND=noninteractive
    apt-get -qq -o Acquire::Check-Valid-Until=false update >/dev/null &&
    apt-get install -y -qq --no-install-recommends $* >/dev/null"
}

missing_packages() {
  local root=$1 p out=()
  for p in "${PACKAGES[@]}"; do
    [ -e "$root/var/lib/dpkg/info/$p.list" ] || [ -e "$root/var/lib/dpkg/info/$p:amd64.list" ] || out+=("$p")
  done
  echo "${out[*]}"
}

ensure_root() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/testing-root.lock"
  flock 9
  if [ ! -e "$ROOT/.mrast-complete" ]; then
    log "creating Debian testing root in $ROOT (about a minute)"
    command -v debootstrap >/dev/null || { log "debootstrap missing: run scripts/setup-host.sh"; exit 1; }
    local tmp="$CACHE/testing-root.partial"
    rm -rf "$tmp" "$ROOT"
    debootstrap --variant=minbase testing "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
      || { log "debootstrap failed, see $CACHE/debootstrap.log"; exit 1; }
    apt_in_root "$tmp" "${PACKAGES[*]}"
    touch "$tmp/.mrast-complete"
    mv "$tmp" "$ROOT"
  else
    local missing; missing=$(missing_packages "$ROOT")
    if [ -n "$missing" ]; then
      log "installing $missing"
      apt_in_root "$ROOT" "$missing"
    fi
  fi
  flock -u 9
}

ensure_root
if [ "$#" -gt 0 ]; then
  in_root "$ROOT" "$@"
fi
