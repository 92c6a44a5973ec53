#!/usr/bin/env python3
"""The drop-in CLI gives gdal_rasterize's pixels for the same command line.

Each case runs `gdal_rasterize ARGS src a.tif` and
`gdal_merge_rasterize ARGS src b.tif` and requires identical size,
geotransform, type, nodata and every pixel (NaN == NaN). REPLACE = last and
-add = sum.

One documented difference (SPEC section 3): a feature contributes to a pixel
at most once, its parts unioned, whereas GDAL's ADD fills all rings of a
multipolygon together (overlapping parts cancel) and GDAL < 3.7 adds a pixel
twice inside one line or all-touched ring. "union" cases therefore compare
-add against the union oracle: burn value x the number of features whose own
REPLACE rasterization (parts unioned) covers the pixel, each feature
rasterized alone by GDAL. They also report how many pixels GDAL's ADD itself
gives differently.

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
VECTOR_MEM = "MEM" if GDAL_VERSION >= 3110000 else "Memory"
WORLD = ["-te", "-180", "-90", "180", "90"]

# (name, source, args, oracle): oracle "gdal" = gdal_rasterize's pixels,
# "union" = the union oracle above (for -add with a single -burn value),
# "union-3.7" = the same, on GDAL >= 3.7 only (GDAL 3.6's all-touched rules
# differ from 3.13's, which we follow, at some shared borders).
CASES = [
    ("points_burn_last", QUAKES, ["-burn", "1", "-tr", "1", "1"], "gdal"),
    ("points_attr_last", QUAKES, ["-a", "mag", "-ts", "360", "180"] + WORLD, "gdal"),
    ("points_attr_sum", QUAKES, ["-a", "mag", "-add", "-ts", "360", "180"] + WORLD, "gdal"),
    ("points_3d_last", QUAKES, ["-3d", "-tr", "2", "2", "-ot", "Float32"], "gdal"),
    ("points_byte_saturating_sum", QUAKES,
     ["-burn", "100", "-add", "-ot", "Byte", "-ts", "36", "18"] + WORLD, "gdal"),
    ("polygons_last", COUNTRIES, ["-burn", "1", "-ts", "720", "360"] + WORLD, "gdal"),
    ("polygons_where_init", COUNTRIES,
     ["-burn", "7", "-where", "name LIKE 'A%'", "-init", "3", "-ot", "Int16",
      "-ts", "500", "250"] + WORLD, "gdal"),
    ("polygons_all_touched_last", COUNTRIES,
     ["-burn", "1", "-at", "-ts", "720", "360"] + WORLD, "gdal"),
    ("polygons_sum", COUNTRIES, ["-burn", "2", "-add", "-ts", "1000", "500"] + WORLD, "union"),
    ("polygons_all_touched_sum", COUNTRIES,
     ["-burn", "1", "-at", "-add", "-ts", "720", "360"] + WORLD, "union-3.7"),
    ("polygons_tap", COUNTRIES, ["-burn", "5", "-tr", "0.7", "0.7", "-tap"], "gdal"),
    ("polygons_three_bands", COUNTRIES,
     ["-burn", "1", "-burn", "2", "-burn", "3", "-ot", "Byte", "-ts", "400", "200"] + WORLD, "gdal"),
    ("polygons_sql", COUNTRIES,
     ["-sql", "SELECT * FROM countries WHERE name > 'M'", "-burn", "9", "-ts", "640", "320"] + WORLD, "gdal"),
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
    both_nan = np.isnan(a) & np.isnan(b) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    return int(np.count_nonzero((a != b) & ~both_nan))


def union_oracle(src, args, grid_path):
    """burn x (number of features covering each pixel), each feature burnt
    alone with GDAL's REPLACE (which rasterizes multi-part geometries part by
    part, i.e. their union) on the grid of grid_path."""
    burn = float(args[args.index("-burn") + 1])
    all_touched = "-at" in args
    grid = gdal.Open(grid_path)
    count = np.zeros((grid.RasterYSize, grid.RasterXSize), np.float64)
    vec = gdal.OpenEx(src, gdal.OF_VECTOR)
    layer = vec.GetLayer(0)
    mem_drv = gdal.GetDriverByName("MEM")
    for feature in layer:
        one = gdal.GetDriverByName(VECTOR_MEM).Create("", 0, 0, 0, gdal.GDT_Unknown)
        lyr = one.CreateLayer("one", layer.GetSpatialRef(), layer.GetGeomType())
        f = ogr_feature(lyr, feature)
        lyr.CreateFeature(f)
        ds = mem_drv.Create("", grid.RasterXSize, grid.RasterYSize, 1, gdal.GDT_Byte)
        ds.SetGeoTransform(grid.GetGeoTransform())
        gdal.RasterizeLayer(ds, [1], lyr, burn_values=[1],
                            options=["ALL_TOUCHED=TRUE"] if all_touched else [])
        count += ds.GetRasterBand(1).ReadAsArray()
    return count * burn


def ogr_feature(layer, feature):
    from osgeo import ogr
    f = ogr.Feature(layer.GetLayerDefn())
    f.SetGeometry(feature.GetGeometryRef().Clone())
    return f


def run_case(tmp, name, src, args, oracle):
    ref, ours = os.path.join(tmp, name + "_gdal.tif"), os.path.join(tmp, name + "_ours.tif")
    subprocess.run(["gdal_rasterize", "-q"] + args + [src, ref], check=True)
    subprocess.run([CLI, "-q"] + args + [src, ours], check=True)
    r, o = read(ref), read(ours)
    note = ""
    if oracle.startswith("union"):
        expected = union_oracle(src, args, ref)
        note = f"; GDAL -add differs on {differing(r['pixels'][0], expected)} (documented)"
        r["pixels"] = [expected]
    for key in ("size", "gt", "types", "nodata"):
        if r[key] != o[key]:
            return f"{key} differs: gdal {r[key]} ours {o[key]}"
    diffs = [differing(a, b) for a, b in zip(r["pixels"], o["pixels"])]
    burnt = sum(int(np.count_nonzero(a)) for a in r["pixels"])
    if any(diffs):
        return f"{diffs} differing pixels (of {r['size'][0] * r['size'][1]} per band)", note
    if burnt == 0:
        return "the case burns nothing: it tests nothing", note
    return None, note


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, src, args, oracle in CASES:
            if oracle == "union-3.7" and GDAL_VERSION < 3070000:
                print(f"SKIP {name}: compared on GDAL >= 3.7 only (this is {gdal.__version__})")
                continue
            err, note = run_case(tmp, name, src, args, oracle)
            print(("FAIL " if err else "ok   ") + name + (": " + err if err else ": 0 differing pixels") + note)
            failures += err is not None
    print(f"GDAL {gdal.__version__}: {len(CASES)} cases, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
