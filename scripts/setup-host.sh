#!/usr/bin/env bash
# Installs what building and testing on the host needs (Debian/Ubuntu):
# the compiler tool chain, GoogleTest, GDAL (3.6 on bookworm) and debootstrap
# for the modern-GDAL testing root. Quiet and idempotent: installs only what
# is missing.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

packages=(g++ cmake ninja-build pkg-config libgtest-dev libgdal-dev gdal-bin
          python3 python3-gdal python3-numpy python3-pil fonts-dejavu-core
          debootstrap util-linux clang libclang-rt-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
