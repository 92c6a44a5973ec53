#!/usr/bin/env bash
# The `gdal` command line, GDAL >= 3.11 (the module in GDAL's plugin dir or
# GDAL_DRIVER_PATH). usage: gdal_cli.sh SAMPLES_DIR OUT_DIR
set -euo pipefail
S=$1 OUT=$2
mkdir -p "$OUT"

# The strongest quake zone covering each 0.5-degree cell.
gdal vector merge-rasterize --merge max -a mag --resolution 0.5,0.5 --extent -180,-90,180,90 \
  --nodata -9999 --overwrite "$S/quake_zones_usgs_week.gpkg" "$OUT/zones_max.tif"
# How many rivers touch each cell (all touched), as UInt16.
gdal vector merge-rasterize --merge count --burn 1 --all-touched --size 1440,720 \
  --extent -180,-90,180,90 --output-data-type UInt16 --overwrite \
  "$S/rivers_ne_50m.gpkg" "$OUT/rivers_count.tif"
# --add is --merge sum --update: add one more layer onto an existing raster.
gdal vector merge-rasterize --add --burn 1 --all-touched "$S/countries_ne_110m.gpkg" "$OUT/rivers_count.tif"

gdal raster info --stats "$OUT/zones_max.tif" | grep -E "STATISTICS_(MAXIMUM|VALID_PERCENT)"
gdal raster info --stats "$OUT/rivers_count.tif" | grep -E "STATISTICS_MAXIMUM"
