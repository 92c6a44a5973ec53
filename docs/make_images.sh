#!/usr/bin/env bash
# Regenerates docs/images/ from the demo's rasters (scripts/demo.sh), small:
# one picture per merge mode of the overlapping quake zones (the semantics
# table) and one contact sheet per demo input.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=${MRAST_DEMO_OUT:-$(pwd)/build/docs-demo}
MRAST_DEMO_OUT=$DEMO bash scripts/demo.sh >/dev/null
IMG=docs/images
mkdir -p "$IMG"
PY=/usr/bin/python3
for input in zones_mag quakes_mag rivers_length; do
  case $input in
    zones_mag) mask=land_0.5deg; title="overlapping quake zones, magnitude" ;;
    quakes_mag) mask=land_2deg; title="earthquakes, magnitude per 2-degree cell" ;;
    rivers_length) mask=land_0.5deg; title="rivers, length km, all touched" ;;
  esac
  panels=()
  for mode in last first min max sum count mean; do
    case $mode in sum|count) group=$mode ;; *) group=value ;; esac
    png=/dev/null
    [ "$input" = zones_mag ] && png=$IMG/mode_$mode.png
    panels+=(--panel "$DEMO/${input}_$mode.tif" "$png" "$mode" "$group")
  done
  "$PY" scripts/quicklook.py --mask "$DEMO/$mask.tif" --width 360 --sheet-width 360 \
    --sheet "$IMG/sheet_$input.png" --sheet-title "$title: every merge mode" "${panels[@]}"
done
ls -l "$IMG"
