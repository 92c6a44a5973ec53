#!/usr/bin/env bash
# README command 1: build gdal_merge_rasterize and run every merge mode
# (last first min max sum count mean) on the same real input, for points,
# overlapping polygons and lines, writing GeoTIFFs, PNG quick-looks (colour
# ramp, legend, mode name) and one contact sheet per input to out/demo/.
# Does its own set-up (apt packages) and reuses the build (build/host, the
# same as scripts/test.sh; MRAST_BUILD_DIR overrides it, MRAST_DEMO_OUT the
# output folder).
#
# Inputs (data/samples/README.md has their sources and licences):
#   points    1,707 USGS earthquakes of one week, burn = magnitude, 2 deg cells
#   polygons  297 overlapping "zones" around the M >= 2.5 quakes (radius
#             2^(mag-3) degrees), burn = magnitude, 0.5 deg cells
#   lines     461 Natural Earth 1:50m rivers, burn = river length (km),
#             all touched, 0.5 deg cells
#   countries Natural Earth 1:110m, all-touched count: shared borders count 2+
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
OUT=${MRAST_DEMO_OUT:-$REPO/out/demo}
BUILD=${MRAST_BUILD_DIR:-$REPO/build/host}
T0=$SECONDS
mkdir -p "$OUT"

bash scripts/setup-host.sh
echo "== building the CLI ($BUILD)"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMRAST_ENABLE_CUDA=OFF >/dev/null
fi
cmake --build "$BUILD" --target gdal_merge_rasterize | tail -n 1
CLI=$BUILD/plugin/gdal_merge_rasterize
PY=/usr/bin/python3   # the system Python has GDAL's bindings, numpy and PIL
MODES=(last first min max sum count mean)
WORLD=(-te -180 -90 180 90)
S=data/samples

# burn NAME ARGS... : one run of the CLI into $OUT/NAME.tif, with GDAL's
# progress bar on the same line.
burn() {
  local name=$1; shift
  rm -f "$OUT/$name.tif"
  printf '  %-34s ' "$name.tif"
  "$CLI" "$@" "$OUT/$name.tif"
}

# every_mode PREFIX TITLE SHEET_TITLE MASK ARGS... : the seven modes with the
# same arguments, then their quick-looks and contact sheet in one Python run.
# last/first/min/max/mean share one colour range (they are all burn values).
every_mode() {
  local prefix=$1 title=$2 sheet_title=$3 mask=$4; shift 4
  local panels=() mode group
  for mode in "${MODES[@]}"; do
    burn "${prefix}_$mode" -merge "$mode" "$@" "$S/$INPUT"
    case $mode in sum|count) group=$mode ;; *) group=value ;; esac
    panels+=(--panel "$OUT/${prefix}_$mode.tif" "$OUT/${prefix}_$mode.png" "$title: $mode" "$group")
  done
  echo "  quick-looks + contact sheet ${prefix}_sheet.png"
  "$PY" scripts/quicklook.py --mask "$mask" --sheet "$OUT/${prefix}_sheet.png" \
    --sheet-title "$sheet_title" "${panels[@]}"
}

echo "== land masks for the quick-looks (Natural Earth countries)"
for res in 2 0.5; do
  "$PY" scripts/quicklook.py --land-mask "$S/countries_ne_110m.gpkg" "$OUT/land_${res}deg.tif" "$res"
done
echo "== polygons: Natural Earth countries, all-touched count (shared borders count 2+)"
INPUT=countries_ne_110m.gpkg
burn countries_alltouched_count -merge count -burn 1 -at -tr 0.5 0.5 "${WORLD[@]}" -ot Byte \
  "$S/$INPUT"
"$PY" scripts/quicklook.py "$OUT/countries_alltouched_count.tif" "$OUT/countries_alltouched_count.png" \
  "countries, all touched: count"

echo "== points: USGS earthquakes of one week, magnitude per 2-degree cell"
INPUT=earthquakes_usgs_week.geojson
every_mode quakes_mag "quake magnitude" \
  "1,707 earthquakes (USGS, one week), magnitude per 2-degree cell, every merge mode" \
  "$OUT/land_2deg.tif" -a mag -tr 2 2 "${WORLD[@]}" -a_nodata -9999 -ot Float32

echo "== overlapping polygons: zones around M >= 2.5 quakes, magnitude per 0.5-degree cell"
INPUT=quake_zones_usgs_week.gpkg
every_mode zones_mag "zone magnitude" \
  "297 overlapping zones around M >= 2.5 quakes (radius 2^(mag-3) degrees), magnitude per 0.5-degree cell" \
  "$OUT/land_0.5deg.tif" -a mag -tr 0.5 0.5 "${WORLD[@]}" -a_nodata -9999 -ot Float32

echo "== lines: Natural Earth 1:50m rivers, river length (km), all touched, 0.5-degree cells"
INPUT=rivers_ne_50m.gpkg
every_mode rivers_length "river length km" \
  "461 rivers (Natural Earth 1:50m), length in km, all touched, 0.5-degree cells" \
  "$OUT/land_0.5deg.tif" -a length_km -at -tr 0.5 0.5 "${WORLD[@]}" -a_nodata -9999 -ot Float32

echo
echo "Done in $((SECONDS - T0)) s. Results (GeoTIFF + PNG) in $OUT:"
for f in "$OUT"/*_sheet.png; do echo "  contact sheet: $f"; done
echo "  quick-looks:   $(ls "$OUT"/*.png | grep -vc _sheet) PNGs, e.g. $OUT/zones_mag_mean.png"
echo "  GeoTIFFs:      $(ls "$OUT"/*.tif | wc -l) files, e.g. $OUT/zones_mag_mean.tif"
