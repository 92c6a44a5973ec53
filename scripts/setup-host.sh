#!/usr/bin/env bash
# Installs what building and testing on the host needs (Debian/Ubuntu):
# the compiler tool chain, GoogleTest, GDAL (3.6 on bookworm) and debootstrap
# for the modern-GDAL testing root. Quiet and idempotent: installs only what
# is missing. The optional packages (clang's sanitizer and fuzzer runtime,
# Debian's archive key for debootstrap on Ubuntu) are named differently or
# absent on some releases: their absence is reported, not fatal, and the
# test script skips what needs them.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

required=(g++ cmake ninja-build pkg-config libgtest-dev libgdal-dev gdal-bin
          python3 python3-gdal python3-numpy python3-pil fonts-dejavu-core
          debootstrap util-linux)
optional=(clang libclang-rt-dev debian-archive-keyring)

missing_of() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

mapfile -t missing < <(missing_of "${required[@]}")
mapfile -t missing_optional < <(missing_of "${optional[@]}")
if [ "${#missing[@]}" -gt 0 ] || [ "${#missing_optional[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq >/dev/null
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
for p in "${missing_optional[@]}"; do
  echo "setup-host: installing $p (optional)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$p" \
    >/dev/null 2>&1 || echo "setup-host: $p is not available here: skipped"
done
