#!/usr/bin/env python3
"""Awkward geometries through the drop-in CLI (SPEC section 6): curves,
nested collections, 3D and M, 1e300 coordinates, bow-ties, empty and
degenerate polygons, duplicate parts.

For each feature of robustness_geometries.csv alone, with and without -at:
  * curves are linearised (SPEC 6; GDAL ignores them): ours must equal
    gdal_rasterize run on OGR's linear approximation of the curve;
  * everything else must equal gdal_rasterize's pixels -- on GDAL >= 3.7;
    GDAL 3.6's all-touched rules and its handling of 1e300 coordinates
    differ from 3.13's, which we follow, so on 3.6 those cases only have to
    run cleanly.
Then all features together in every merge mode and band type must run
cleanly (exit 0) with counts between 0 and the number of features.

usage: test_geometry_robustness.py PATH_TO_gdal_merge_rasterize
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

CLI = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "robustness_geometries.csv")
GRID = ["-te", "0", "0", "20", "20", "-ts", "20", "20", "-ot", "Int32"]
GDAL_VERSION = int(gdal.VersionInfo("VERSION_NUM"))
HUGE = {"5", "6"}  # 1e300 coordinates
VECTOR_MEM = "MEM" if GDAL_VERSION >= 3110000 else "Memory"

failures = 0


def check(name, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail else ""))
    failures += not ok


def read(path):
    return gdal.Open(path).ReadAsArray()


def features():
    ds = gdal.OpenEx(CSV, gdal.OF_VECTOR)
    return [(f.GetField("id"), f.GetGeometryRef().Clone()) for f in ds.GetLayer(0)]


def gdal_pixels(tmp, geom, extra):
    """gdal_rasterize of one geometry (written to a GeoJSON-free MEM layer)."""
    src = os.path.join(tmp, "one.csv")
    with open(src, "w") as f:
        f.write('id,WKT\n1,"%s"\n' % geom.ExportToIsoWkt())
    out = os.path.join(tmp, "gdal.tif")
    if os.path.exists(out):
        os.remove(out)
    subprocess.run(["gdal_rasterize", "-q", "-burn", "1"] + extra + GRID + [src, out], check=True)
    return read(out)


def ours(tmp, where, extra, merge="last"):
    out = os.path.join(tmp, "ours.tif")
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run([CLI, "-q", "-merge", merge, "-burn", "1"] + extra + GRID +
                       (["-where", where] if where else []) + [CSV, out], capture_output=True, text=True)
    return r, (read(out) if r.returncode == 0 else None)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for fid, geom in features():
            for extra in ([], ["-at"]):
                label = f"feature {fid} ({geom.GetGeometryName()}){' -at' if extra else ''}"
                r, got = ours(tmp, f"id = '{fid}'", extra)
                if r.returncode != 0:
                    check(label, False, r.stderr.strip())
                    continue
                if GDAL_VERSION < 3070000 and (extra or fid in HUGE):
                    check(label + " runs cleanly (GDAL 3.6's all-touched and 1e300 rules "
                          "differ from 3.13's, which we follow)", True)
                elif geom.HasCurveGeometry():
                    expected = gdal_pixels(tmp, geom.GetLinearGeometry(), extra)
                    check(label + " = GDAL on its linear approximation",
                          np.array_equal(got, expected) and got.sum() > 0,
                          f"ours {got.sum()} px, expected {expected.sum()}")
                else:
                    expected = gdal_pixels(tmp, geom, extra)
                    check(label + " = gdal_rasterize", np.array_equal(got, expected),
                          f"{int((got != expected).sum())} differing pixels")
        n = len(features())
        for merge in ("last", "first", "min", "max", "sum", "count", "mean"):
            for ot in ("Byte", "Int16", "Float32"):
                out = os.path.join(tmp, f"all_{merge}_{ot}.tif")
                r = subprocess.run([CLI, "-q", "-merge", merge, "-a", "id", "-at", "-te", "0", "0", "20", "20",
                                    "-ts", "20", "20", "-ot", ot, CSV, out], capture_output=True, text=True)
                ok = r.returncode == 0
                detail = r.stderr.strip()
                if ok:
                    a = read(out).astype(np.float64)
                    ok = bool(np.isfinite(a).all() and a.min() >= 0 and a.max() <= (n if merge == "count" else 66))
                    detail = f"range {a.min()}..{a.max()}"
                check(f"all features, -merge {merge} -ot {ot}", ok, detail)
    print(f"GDAL {gdal.__version__}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
