#!/usr/bin/env python3
"""The GDAL algorithm `gdal vector merge-rasterize` (GDAL >= 3.11).

GDAL must find gdal_merge_rasterize.so through GDAL_DRIVER_PATH (ctest sets
it to the build's plugin dir). Checks, each a table row:
  * discovery: --help, `gdal vector --help`, --json-usage, shell completion;
  * pixels: gdal.Run("vector", "merge-rasterize", ...) equals
    gdal.Run("vector", "rasterize", ...) for last (REPLACE) and sum (ADD,
    also through --add on an existing raster), and the `gdal` CLI's
    --merge count equals gdal vector rasterize --add --burn 1;
  * errors: args -> non-zero exit and a message naming the flag.

usage: test_alg.py SAMPLES_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

SAMPLES = os.path.abspath(sys.argv[1])
QUAKES = os.path.join(SAMPLES, "earthquakes_usgs_week.geojson")
COUNTRIES = os.path.join(SAMPLES, "countries_ne_110m.gpkg")
WORLD = {"extent": [-180, -90, 180, 90]}
FAILURES = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        FAILURES.append(name)


def gdal_cli(*args):
    return subprocess.run(["gdal"] + [str(a) for a in args], capture_output=True, text=True)


def pixels(path_or_ds):
    ds = gdal.Open(path_or_ds) if isinstance(path_or_ds, str) else path_or_ds
    return [ds.GetRasterBand(i + 1).ReadAsArray() for i in range(ds.RasterCount)], ds.GetGeoTransform()


def same(a, b):
    (pa, gta), (pb, gtb) = a, b
    if gta != gtb or len(pa) != len(pb):
        return False, f"geotransform/bands differ: {gta} vs {gtb}"
    for x, y in zip(pa, pb):
        if x.shape != y.shape or x.dtype != y.dtype:
            return False, f"shape/type differ: {x.shape} {x.dtype} vs {y.shape} {y.dtype}"
        diff = int(np.count_nonzero((x != y) & ~(np.isnan(x) & np.isnan(y)) if x.dtype.kind == "f" else x != y))
        if diff:
            return False, f"{diff} pixels differ"
    return True, ""


def run_alg(path, **kwargs):
    with gdal.Run(path[0], path[1], **kwargs) as alg:
        return pixels(alg.Output())


# ---- discovery -----------------------------------------------------------
r = gdal_cli("vector", "merge-rasterize", "--help")
check("gdal vector merge-rasterize --help", r.returncode == 0 and "--merge" in r.stdout
      and "--attribute-name" in r.stdout, r.stdout + r.stderr)
r = gdal_cli("raster", "merge-rasterize", "--help")
check("gdal raster merge-rasterize --help", r.returncode == 0 and "--merge" in r.stdout, r.stderr)
r = gdal_cli("vector", "--help")
check("gdal vector --help lists merge-rasterize", "merge-rasterize" in r.stdout, r.stdout)

r = gdal_cli("vector", "merge-rasterize", "--json-usage")
try:
    usage = json.loads(r.stdout)
    args = {a["name"]: a for a in usage["input_arguments"] + usage.get("input_output_arguments", [])
            + usage.get("output_arguments", [])}
    ok = (args["merge"]["choices"] == ["last", "first", "min", "max", "sum", "count", "mean"]
          and args["merge"]["default"] == "last" and args["device"]["choices"] == ["auto", "cpu", "cuda"]
          and "threads" in args and "add" in args and "a" in args["attribute-name"].get("short_name", "a"))
    # Every argument of gdal vector rasterize, same names.
    ref = json.loads(gdal_cli("vector", "rasterize", "--json-usage").stdout)
    ref_names = {a["name"] for a in ref["input_arguments"] + ref.get("input_output_arguments", [])
                 + ref.get("output_arguments", [])}
    missing = ref_names - set(args)
    check("--json-usage: merge/device/threads declared, every gdal vector rasterize argument present",
          ok and not missing, f"missing {missing}")
except (ValueError, KeyError) as e:
    check("--json-usage is JSON with merge", False, f"{e}: {r.stdout[:300]} {r.stderr}")

r = gdal_cli("completion", "gdal", "vector", "merge-rasterize", "--mer")
check("completion of --mer", "--merge" in r.stdout.split(), r.stdout + r.stderr)
r = gdal_cli("completion", "gdal", "vector", "merge-rasterize", "--merge")
check("completion of --merge values", set(r.stdout.split()) >= {"last", "first", "min", "max", "sum", "count", "mean"},
      r.stdout + r.stderr)
r = gdal_cli("completion", "gdal", "vector", "merge")
check("completion of the sub-command", "merge-rasterize" in r.stdout.split(), r.stdout + r.stderr)

# ---- pixels: gdal.Run(merge-rasterize) == gdal.Run(rasterize) ---------------
# (name, source, common kwargs): last (= GDAL REPLACE) for every row.
CASES = [
    ("points_burn", QUAKES, dict(burn=[1], resolution=[1, 1])),
    ("points_attr", QUAKES, dict(attribute_name="mag", size=[360, 180], **WORLD)),
    ("points_3d_float32", QUAKES, dict(**{"3d": True}, resolution=[2, 2], output_data_type="Float32")),
    ("polygons", COUNTRIES, dict(burn=[1], size=[720, 360], **WORLD)),
    ("polygons_all_touched", COUNTRIES, dict(burn=[1], all_touched=True, size=[720, 360], **WORLD)),
    ("polygons_where_init_int16", COUNTRIES,
     dict(burn=[7], where="name LIKE 'A%'", init=[3], output_data_type="Int16", size=[500, 250], **WORLD)),
    ("polygons_tap", COUNTRIES, dict(burn=[5], resolution=[0.7, 0.7], target_aligned_pixels=True)),
    ("polygons_three_bands", COUNTRIES,
     dict(burn=[1, 2, 3], output_data_type="Byte", size=[400, 200], **WORLD)),
    ("polygons_sql_nodata", COUNTRIES,
     dict(sql="SELECT * FROM countries WHERE name > 'M'", burn=[9], nodata=-1, size=[640, 320], **WORLD)),
]

with tempfile.TemporaryDirectory() as tmp:
    for name, src, kw in CASES:
        ref = run_alg(("vector", "rasterize"), input=src, output=os.path.join(tmp, name + "_gdal.tif"), **kw)
        ours = run_alg(("vector", "merge-rasterize"), input=src, output=os.path.join(tmp, name + "_ours.tif"), **kw)
        check(f"last {name}", *same(ref, ours))

    # sum: GDAL's --add into a zero raster == ours --merge sum (new raster)
    # == ours --add into the same zero raster.
    for name, src, burn in (("points", QUAKES, dict(attribute_name="mag")),
                            ("polygons", COUNTRIES, dict(burn=[2])),
                            ("polygons_all_touched", COUNTRIES, dict(burn=[1], all_touched=True))):
        grid = dict(size=[720, 360], **WORLD)
        zero = os.path.join(tmp, f"sum_{name}_zero.tif")
        run_alg(("vector", "rasterize"), input=src, output=zero, burn=[0], init=[0], **grid)
        ref_path, ours_add = os.path.join(tmp, f"sum_{name}_gdal.tif"), os.path.join(tmp, f"sum_{name}_add.tif")
        shutil.copy(zero, ref_path)
        shutil.copy(zero, ours_add)
        with gdal.Run("vector", "rasterize", input=src, output=ref_path, add=True, **burn):
            pass
        with gdal.Run("vector", "merge-rasterize", input=src, output=ours_add, add=True, **burn):
            pass
        ours_new = run_alg(("vector", "merge-rasterize"), input=src, output=os.path.join(tmp, f"sum_{name}_new.tif"),
                           merge="sum", **burn, **grid)
        ref = pixels(ref_path)
        check(f"sum {name}: --add == gdal vector rasterize --add", *same(ref, pixels(ours_add)))
        check(f"sum {name}: --merge sum (new raster) == gdal vector rasterize --add", *same(ref, ours_new))

    # The `gdal` CLI, with its progress bar: count == GDAL's --add --burn 1.
    out = os.path.join(tmp, "count_cli.tif")
    r = gdal_cli("vector", "merge-rasterize", "--merge", "count", "--burn", "1", "--size", "360,180",
                 "--extent", "-180,-90,180,90", "--output-data-type", "UInt16", QUAKES, out)
    check("gdal vector merge-rasterize --merge count (CLI) runs, with progress",
          r.returncode == 0 and "100 - done" in r.stdout, r.stdout + r.stderr)
    if r.returncode == 0:
        zero = os.path.join(tmp, "count_gdal.tif")
        run_alg(("vector", "rasterize"), input=QUAKES, output=zero, burn=[0], init=[0], size=[360, 180],
                output_data_type="UInt16", **WORLD)
        with gdal.Run("vector", "rasterize", input=QUAKES, output=zero, add=True, burn=[1]):
            pass
        check("--merge count == gdal vector rasterize --add --burn 1", *same(pixels(zero), pixels(out)))
        ours = pixels(out)[0][0]
        src_ds = gdal.OpenEx(QUAKES)
        n_quakes = src_ds.GetLayer(0).GetFeatureCount()
        check("--merge count counted every quake in the world grid", int(ours.sum()) == n_quakes,
              f"{int(ours.sum())} != {n_quakes}")

    # Overwrite: refused without --overwrite, replaced with it.
    r = gdal_cli("vector", "merge-rasterize", "-q", "--burn", "5", "--size", "10,10", QUAKES, out)
    check("existing output without --overwrite is refused",
          r.returncode != 0 and "already exists" in r.stderr, r.stderr)
    r = gdal_cli("vector", "merge-rasterize", "-q", "--overwrite", "--merge", "max", "--burn", "5",
                 "--size", "10,10", QUAKES, out)
    check("--overwrite replaces the output", r.returncode == 0 and pixels(out)[0][0].shape == (10, 10)
          and pixels(out)[0][0].max() == 5, r.stderr)

    # Cancelled through the progress callback: an error, and no new output.
    cancelled = os.path.join(tmp, "cancelled.tif")
    try:
        with gdal.Run("vector", "merge-rasterize", input=COUNTRIES, output=cancelled, burn=[1],
                      size=[720, 360], progress=lambda *args: False):
            pass
        check("a cancelled run fails", False, "no exception")
    except RuntimeError as e:
        check("a cancelled run fails and leaves no output", not os.path.exists(cancelled), str(e))

    # ---- errors: a one-line message naming the flag, output untouched ----
    before = pixels(out)
    ERRORS = [
        (["--merge", "median", "--burn", "1", "--size", "10,10", QUAKES, "new1.tif"], "merge"),
        (["--add", "--merge", "max", "--burn", "1", QUAKES, out], "--add means --merge sum"),
        (["--update", "--nodata", "0", "--burn", "1", QUAKES, out], "Cannot specify --nodata when updating"),
        (["--update", "--init", "0", "--burn", "1", QUAKES, out], "Cannot specify --init when updating"),
        (["--size", "10,10", QUAKES, "new2.tif"], "One of --burn, --attribute-name"),
        (["--burn", "1", "-a", "mag", "--size", "10,10", QUAKES, "new3.tif"], "--burn and --attribute-name"),
        (["--invert", "--burn", "1", "--device", "cuda", "--size", "10,10", QUAKES, "new4.tif"], "CUDA"),
        (["--threads", "0", "--burn", "1", "--size", "10,10", QUAKES, "new5.tif"], "--threads"),
        (["--device", "tpu", "--burn", "1", "--size", "10,10", QUAKES, "new6.tif"], "device"),
        (["--band", "1", "--burn", "1", "--size", "10,10", QUAKES, "new7.tif"], "--band"),
        (["--burn", "1", QUAKES, "new8.tif"], "--resolution"),
        (["--burn", "1", "--size", "10,10", "--resolution", "1,1", QUAKES, "new9.tif"], "mutually exclusive"),
        (["--tap", "--burn", "1", "--size", "10,10", QUAKES, "new10.tif"], "resolution"),
        (["-a", "no_such_field", "--size", "10,10", QUAKES, "new11.tif"], "no_such_field"),
    ]
    for args, needle in ERRORS:
        r = subprocess.run(["gdal", "vector", "merge-rasterize", "-q"] + args, capture_output=True, text=True, cwd=tmp)
        check(f"error {' '.join(args[:3])}...: '{needle}'", r.returncode != 0 and needle in r.stderr,
              f"rc={r.returncode} stderr={r.stderr.strip()}")
    check("refused runs leave the existing output untouched", *same(before, pixels(out)))

if FAILURES:
    print(f"{len(FAILURES)} failure(s)")
    sys.exit(1)
