#!/usr/bin/env python3
"""The QGIS Processing provider, headless: `qgis_process run
merge_rasterize:mergerasterize ...` on the bundled real data gives the same
raster as the drop-in CLI for the same parameters (size, geotransform, type,
nodata and 0 differing pixels).

Each case runs through the engine QGIS picks ("auto": the GDAL algorithm
when GDAL_DRIVER_PATH has the module, else the CLI) and, forced with
MERGE_RASTERIZE_ENGINE=cli, through the CLI too. A fresh QGIS profile (HOME)
is used and the plugin enabled in it first.

usage: test_qgis_process.py QGIS_PROCESS PLUGIN_DIR CLI SAMPLES_DIR [GDAL_DRIVER_PATH]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()

QGIS_PROCESS, PLUGIN_DIR, CLI, SAMPLES = sys.argv[1:5]
DRIVER_PATH = sys.argv[5] if len(sys.argv) > 5 else ""
MODES = ["last", "first", "min", "max", "sum", "count", "mean"]
TYPES = ["Float32", "Float64", "Byte", "Int16", "UInt16", "Int32", "UInt32"]
FAILURES = []
TMP = tempfile.mkdtemp(prefix="mrast_qgis_")

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=os.path.join(TMP, "home"),
           XDG_RUNTIME_DIR=os.path.join(TMP, "run"), QGIS_PLUGINPATH=PLUGIN_DIR,
           MERGE_RASTERIZE_CLI=CLI, PYTHONWARNINGS="ignore")
if DRIVER_PATH:
    ENV["GDAL_DRIVER_PATH"] = DRIVER_PATH
os.makedirs(ENV["HOME"])
os.makedirs(ENV["XDG_RUNTIME_DIR"], mode=0o700)


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        FAILURES.append(name)


def sample(name):
    return os.path.join(SAMPLES, name)


def layer_extent(path):
    ds = ogr.Open(path)
    x0, x1, y0, y1 = ds.GetLayer(0).GetExtent()
    return [x0, y0, x1, y1]


def compare(a, b):
    da, db = gdal.Open(a), gdal.Open(b)
    if (da.RasterXSize, da.RasterYSize) != (db.RasterXSize, db.RasterYSize):
        return f"size {da.RasterXSize}x{da.RasterYSize} vs {db.RasterXSize}x{db.RasterYSize}"
    if not np.allclose(da.GetGeoTransform(), db.GetGeoTransform(), rtol=0, atol=1e-12):
        return f"geotransform {da.GetGeoTransform()} vs {db.GetGeoTransform()}"
    ba, bb = da.GetRasterBand(1), db.GetRasterBand(1)
    if ba.DataType != bb.DataType or ba.GetNoDataValue() != bb.GetNoDataValue():
        return (f"type/nodata {gdal.GetDataTypeName(ba.DataType)}/{ba.GetNoDataValue()} vs "
                f"{gdal.GetDataTypeName(bb.DataType)}/{bb.GetNoDataValue()}")
    x, y = ba.ReadAsArray(), bb.ReadAsArray()
    diff = int(np.count_nonzero((x != y) & ~(np.isnan(x) & np.isnan(y))))
    if diff:
        return f"{diff} pixels differ"
    if not np.any(x != (ba.GetNoDataValue() or 0)):
        return "the output is empty (nothing burnt): the comparison proves nothing"
    return ""


# (name, qgis parameters, CLI arguments for the same run)
def cases():
    zones, rivers, quakes = (sample("quake_zones_usgs_week.gpkg"), sample("rivers_ne_50m.gpkg"),
                             sample("earthquakes_usgs_week.geojson"))
    world = ["-te", "-180", "-90", "180", "90"]
    template = os.path.join(TMP, "template_2deg.tif")
    subprocess.run([CLI, "-q", "-burn", "0", "-tr", "2", "2", "-ot", "Byte"] + world + [quakes, template],
                   check=True)
    out = []
    for mode in MODES:
        out.append((f"zones_mag_{mode}",
                    {"INPUT": zones, "FIELD": "mag", "MERGE": MODES.index(mode), "RESOLUTION": 0.5,
                     "EXTENT": "-180,180,-90,90 [EPSG:4326]", "NODATA": -9999, "DATA_TYPE": 0},
                    ["-merge", mode, "-a", "mag", "-tr", "0.5", "0.5", "-a_nodata", "-9999",
                     "-ot", "Float32"] + world + [zones]))
    ext = layer_extent(rivers)
    out.append(("rivers_alltouched_count_layer_extent",
                {"INPUT": rivers, "BURN": 1, "MERGE": MODES.index("count"), "ALL_TOUCHED": 1,
                 "RESOLUTION": 0.25, "DATA_TYPE": TYPES.index("UInt16")},
                ["-merge", "count", "-burn", "1", "-at", "-tr", "0.25", "0.25", "-ot", "UInt16",
                 "-te"] + [repr(v) for v in ext] + [rivers]))
    out.append(("quakes_max_template",
                {"INPUT": quakes, "FIELD": "mag", "MERGE": MODES.index("max"), "TEMPLATE": template,
                 "NODATA": -1, "DATA_TYPE": TYPES.index("Float64")},
                ["-merge", "max", "-a", "mag", "-ts", "180", "90", "-a_nodata", "-1", "-ot", "Float64",
                 "-a_srs", "EPSG:4326"] + world + [quakes]))
    return out


def qgis_run(params, output, engine):
    args = [QGIS_PROCESS, "run", "merge_rasterize:mergerasterize", "--"]
    args += [f"{k}={v}" for k, v in params.items()] + [f"OUTPUT={output}"]
    env = dict(ENV, MERGE_RASTERIZE_ENGINE=engine)
    return subprocess.run(args, env=env, capture_output=True, text=True)


r = subprocess.run([QGIS_PROCESS, "plugins", "enable", "merge_rasterize"], env=ENV,
                   capture_output=True, text=True)
check("qgis_process plugins enable merge_rasterize", r.returncode == 0, r.stdout + r.stderr)
r = subprocess.run([QGIS_PROCESS, "help", "merge_rasterize:mergerasterize"], env=ENV,
                   capture_output=True, text=True)
check("qgis_process help merge_rasterize:mergerasterize",
      r.returncode == 0 and "MERGE" in r.stdout and "mean" in r.stdout, r.stdout + r.stderr)

for name, params, cli_args in cases():
    ref = os.path.join(TMP, name + "_cli.tif")
    subprocess.run([CLI, "-q"] + cli_args + [ref], check=True)
    engines = ["auto", "cli"] if name.startswith(("zones_mag_mean", "rivers", "quakes")) else ["auto"]
    for engine in engines:
        out = os.path.join(TMP, f"{name}_qgis_{engine}.tif")
        r = qgis_run(params, out, engine)
        if r.returncode != 0 or not os.path.exists(out):
            check(f"{name} [{engine}]", False, f"qgis_process exit {r.returncode}\n{r.stdout}\n{r.stderr}")
            continue
        used = "gdal" if "gdal.Run(" in r.stdout else "cli"
        problem = compare(out, ref)
        check(f"{name} [{engine} -> {used} engine]: qgis_process == gdal_merge_rasterize", not problem,
              problem)

print(f"{len(FAILURES)} failure(s); files in {TMP}")
sys.exit(1 if FAILURES else 0)
