#!/usr/bin/env python3
"""The drop-in CLI gives gdal_rasterize's pixels for the same command line.

Each case runs `gdal_rasterize ARGS src a.tif` and
`gdal_merge_rasterize ARGS src b.tif` and requires identical size,
geotransform, type, nodata and every pixel (NaN == NaN). REPLACE = last and
-add = sum; cases GDAL < 3.7 rasterizes differently (3.6 adds a pixel twice
inside one line or all-touched ring) run only on newer GDAL.

usage: test_cli_parity.py PATH_TO_gdal_merge_rasterize SAMPLES_DIR
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

CLI, SAMPLES = sys.argv[1], sys.argv[2]
QUAKES = os.path.join(SAMPLES, "earthquakes_usgs_week.geojson")
COUNTRIES = os.path.join(SAMPLES, "countries_ne_110m.gpkg")
GDAL_VERSION = int(gdal.VersionInfo("VERSION_NUM"))
WORLD = ["-te", "-180", "-90", "180", "90"]

# (name, source, args, minimum GDAL version)
CASES = [
    ("points_burn_last", QUAKES, ["-burn", "1", "-tr", "1", "1"], 0),
    ("points_attr_last", QUAKES, ["-a", "mag", "-ts", "360", "180"] + WORLD, 0),
    ("points_attr_sum", QUAKES, ["-a", "mag", "-add", "-ts", "360", "180"] + WORLD, 0),
    ("points_3d_last", QUAKES, ["-3d", "-tr", "2", "2", "-ot", "Float32"], 0),
    ("points_byte_saturating_sum", QUAKES,
     ["-burn", "100", "-add", "-ot", "Byte", "-ts", "36", "18"] + WORLD, 0),
    ("polygons_last", COUNTRIES, ["-burn", "1", "-ts", "720", "360"] + WORLD, 0),
    ("polygons_where_init", COUNTRIES,
     ["-burn", "7", "-where", "name LIKE 'A%'", "-init", "3", "-ot", "Int16",
      "-ts", "500", "250"] + WORLD, 0),
    ("polygons_all_touched_last", COUNTRIES,
     ["-burn", "1", "-at", "-ts", "720", "360"] + WORLD, 0),
    ("polygons_sum", COUNTRIES, ["-burn", "2", "-add", "-ts", "1000", "500"] + WORLD, 0),
    ("polygons_all_touched_sum", COUNTRIES,
     ["-burn", "1", "-at", "-add", "-ts", "720", "360"] + WORLD, 3070000),
    ("polygons_tap", COUNTRIES, ["-burn", "5", "-tr", "0.7", "0.7", "-tap"], 0),
    ("polygons_three_bands", COUNTRIES,
     ["-burn", "1", "-burn", "2", "-burn", "3", "-ot", "Byte", "-ts", "400", "200"] + WORLD, 0),
    ("polygons_sql", COUNTRIES,
     ["-sql", "SELECT * FROM countries WHERE name > 'M'", "-burn", "9", "-ts", "640", "320"] + WORLD, 0),
]


def read(path):
    ds = gdal.Open(path)
    bands = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]
    return {
        "size": (ds.RasterXSize, ds.RasterYSize, ds.RasterCount),
        "gt": ds.GetGeoTransform(),
        "types": [b.DataType for b in bands],
        "nodata": [b.GetNoDataValue() for b in bands],
        "pixels": [b.ReadAsArray() for b in bands],
    }


def differing(a, b):
    both_nan = np.isnan(a) & np.isnan(b) if a.dtype.kind == "f" else False
    return int(np.count_nonzero((a != b) & ~both_nan))


def run_case(tmp, name, src, args):
    ref, ours = os.path.join(tmp, name + "_gdal.tif"), os.path.join(tmp, name + "_ours.tif")
    subprocess.run(["gdal_rasterize", "-q"] + args + [src, ref], check=True)
    subprocess.run([CLI, "-q"] + args + [src, ours], check=True)
    r, o = read(ref), read(ours)
    for key in ("size", "gt", "types", "nodata"):
        if r[key] != o[key]:
            return f"{key} differs: gdal {r[key]} ours {o[key]}"
    diffs = [differing(a, b) for a, b in zip(r["pixels"], o["pixels"])]
    burnt = sum(int(np.count_nonzero(a)) for a in r["pixels"])
    if any(diffs):
        return f"{diffs} differing pixels (of {r['size'][0] * r['size'][1]} per band)"
    if burnt == 0:
        return "the case burns nothing: it tests nothing"
    return None


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, src, args, min_version in CASES:
            if GDAL_VERSION < min_version:
                print(f"SKIP {name}: needs GDAL >= {min_version} (this is {gdal.__version__})")
                continue
            err = run_case(tmp, name, src, args)
            print(("FAIL " if err else "ok   ") + name + (": " + err if err else ": 0 differing pixels"))
            failures += err is not None
    print(f"GDAL {gdal.__version__}: {len(CASES)} cases, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
