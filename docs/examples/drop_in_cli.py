#!/usr/bin/env python3
"""Python, any GDAL >= 3.6: the drop-in command gdal_merge_rasterize
(gdal_rasterize's options plus -merge, -device, -threads), from Python.

usage: drop_in_cli.py PATH_TO_gdal_merge_rasterize SAMPLES_DIR OUT_DIR
"""
import os
import subprocess
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
cli, samples, out_dir = sys.argv[1:4]
os.makedirs(out_dir, exist_ok=True)
quakes = os.path.join(samples, "earthquakes_usgs_week.geojson")   # points, field "mag"


def rasterize(mode, *extra):
    out = os.path.join(out_dir, f"quakes_{mode}.tif")
    if os.path.exists(out):
        os.remove(out)
    subprocess.run([cli, "-q", "-merge", mode, "-a", "mag", "-tr", "2", "2", "-te", "-180", "-90", "180", "90",
                    "-a_nodata", "-9999", "-ot", "Float32", *extra, quakes, out], check=True)
    return gdal.Open(out).ReadAsArray()


strongest = rasterize("max")        # the strongest quake of the week in each 2-degree cell
mean = rasterize("mean")
n = rasterize("count")
valid = n != -9999
assert np.all(mean[valid] <= strongest[valid] + 1e-4)
print(f"{int(valid.sum())} cells with a quake, up to {int(n.max())} in one; strongest M{strongest.max():.1f}")
