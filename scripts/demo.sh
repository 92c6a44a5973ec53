#!/usr/bin/env bash
# README command 1: build gdal_merge_rasterize and run it on the bundled real
# data with every merge mode, writing GeoTIFFs and PNG quick-looks to
# out/demo/. Does its own set-up (apt packages) and reuses the build.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
OUT=$REPO/out/demo
mkdir -p "$OUT"

bash scripts/setup-host.sh
echo "== building (build/host)"
cmake -S . -B build/host -G Ninja -DCMAKE_BUILD_TYPE=Release -DMRAST_ENABLE_CUDA=OFF >/dev/null
cmake --build build/host --target gdal_merge_rasterize >/dev/null
CLI=$REPO/build/host/plugin/gdal_merge_rasterize
PY=/usr/bin/python3

QUAKES=data/samples/earthquakes_usgs_week.geojson
COUNTRIES=data/samples/countries_ne_110m.gpkg
WORLD=(-te -180 -90 180 90)

echo "== earthquakes of one week (USGS), magnitude per 3-degree cell, every merge mode"
for mode in last first min max sum count mean; do
  tif=$OUT/quakes_mag_$mode.tif
  rm -f "$tif"
  "$CLI" -q -merge "$mode" -a mag -tr 3 3 "${WORLD[@]}" -a_nodata -9999 -ot Float32 \
    "$QUAKES" "$tif"
  "$PY" scripts/quicklook.py "$tif" "${tif%.tif}.png" "earthquake magnitude: $mode"
done

echo "== Natural Earth countries, all-touched count at 0.5 degree (borders count 2+)"
tif=$OUT/countries_alltouched_count.tif
rm -f "$tif"
"$CLI" -merge count -burn 1 -at -tr 0.5 0.5 "${WORLD[@]}" -ot UInt8 "$COUNTRIES" "$tif"
"$PY" scripts/quicklook.py "$tif" "${tif%.tif}.png" "countries, all touched: count"

echo
echo "Results in $OUT:"
ls -l "$OUT" | awk 'NR > 1 { printf "  %-40s %8d bytes\n", $9, $5 }'
