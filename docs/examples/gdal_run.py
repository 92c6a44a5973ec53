#!/usr/bin/env python3
"""Python, GDAL >= 3.11: the algorithm through gdal.Run().

GDAL finds gdal_merge_rasterize.so in its plugin directory, or where
GDAL_DRIVER_PATH points (set it before `from osgeo import gdal`).

usage: gdal_run.py SAMPLES_DIR OUT_DIR
"""
import os
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
samples, out_dir = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)
zones = os.path.join(samples, "quake_zones_usgs_week.gpkg")   # 297 overlapping polygons, field "mag"

# Every merge mode of the magnitudes of overlapping zones, 0.5-degree cells.
results = {}
for mode in ["last", "first", "min", "max", "sum", "count", "mean"]:
    with gdal.Run("vector", "merge-rasterize", input=zones, output=os.path.join(out_dir, f"zones_{mode}.tif"),
                  merge=mode, attribute_name="mag", resolution=[0.5, 0.5], extent=[-180, -90, 180, 90],
                  nodata=-9999, output_data_type="Float32", overwrite=True) as alg:
        results[mode] = alg.Output().ReadAsArray()

# In memory, with a progress callback: output_format="MEM" returns the dataset.
def progress(fraction, message, user_data):
    return True  # False would cancel

with gdal.Run("vector", "merge-rasterize", input=zones, output="", output_format="MEM",
              merge="count", burn=[1], all_touched=True, size=[720, 360], extent=[-180, -90, 180, 90],
              output_data_type="UInt16", progress=progress) as alg:
    touched = alg.Output().ReadAsArray()

# --add = --merge sum --update: add the zones once more onto an existing raster.
with gdal.Run("vector", "merge-rasterize", input=zones, output=os.path.join(out_dir, "zones_sum.tif"),
              add=True, attribute_name="mag") as alg:
    doubled = alg.Output().ReadAsArray()

valid = results["count"] != -9999
mean, count, total = results["mean"], results["count"], results["sum"]
assert valid.any()
assert np.all(results["min"][valid] <= mean[valid] + 1e-4) and np.all(mean[valid] <= results["max"][valid] + 1e-4)
assert np.allclose(mean[valid] * count[valid], total[valid], rtol=1e-5)
assert np.all(touched[valid] >= count[valid])          # all touched covers at least the centre pixels
assert np.allclose(doubled[valid], 2 * total[valid], rtol=1e-5)
print(f"{int(valid.sum())} pixels with a zone; up to {int(count.max())} overlapping; "
      f"max magnitude {results['max'].max():.1f}; outputs in {out_dir}")
