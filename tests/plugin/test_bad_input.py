#!/usr/bin/env python3
"""SPEC section 6: bad input gets a one-line GDAL error naming the problem, a
non-zero exit, and the output untouched.

One table, run through the drop-in CLI `gdal_merge_rasterize` and (with
--alg, GDAL >= 3.11) through `gdal vector merge-rasterize`. Each row:
  name, way ("cli" / "alg"), args, expected message substring,
  expectation on the output:
    "none"      exit != 0, no output file and no temporary file left;
    "unchanged" exit != 0, the existing output unchanged byte for byte;
    "warning"   exit 0 with the message as a warning (gdal_rasterize's
                behaviour kept for non-numeric attributes).
Placeholders: {src} countries, {empty} a GPKG with an empty layer, {out} a
new output, {tif} an existing Float64 GTiff, {png} an existing PNG (a
driver without update), {cplx} an existing CFloat32 GTiff, {ro} an existing GTiff without write
permission (skipped as root, which ignores permissions).

usage: test_bad_input.py GDAL_MERGE_RASTERIZE SAMPLES_DIR [--alg]
"""
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal, ogr

gdal.UseExceptions()

CLI = sys.argv[1]
SAMPLES = os.path.abspath(sys.argv[2])
WITH_ALG = "--alg" in sys.argv[3:]
COUNTRIES = os.path.join(SAMPLES, "countries_ne_110m.gpkg")
NEW = ["-ts", "10", "10"]
FAILURES = []

CLI_CASES = [
    ("unknown merge mode", ["-merge", "median", "-burn", "1", *NEW, "{src}", "{out}"],
     "Unknown merge mode 'median'", "none"),
    ("unknown merge mode (update)", ["-merge", "median", "-burn", "1", "{src}", "{tif}"],
     "Unknown merge mode 'median'", "unchanged"),
    ("unknown device", ["-device", "tpu", "-burn", "1", *NEW, "{src}", "{out}"],
     "Unknown device 'tpu'", "none"),
    ("missing burn field", ["-a", "nosuchfield", *NEW, "{src}", "{out}"],
     "Failed to find field nosuchfield", "none"),
    ("missing burn field (update)", ["-a", "nosuchfield", "{src}", "{tif}"],
     "Failed to find field nosuchfield", "unchanged"),
    ("non-numeric burn field", ["-a", "name", *NEW, "{src}", "{out}"],
     "of field name of feature", "warning"),
    ("-burn with -a", ["-burn", "1", "-a", "name", *NEW, "{src}", "{out}"],
     "-burn and -a cannot be used together", "none"),
    ("-add with -merge max", ["-add", "-merge", "max", "-burn", "1", "{src}", "{tif}"],
     "-add means -merge sum: it conflicts with -merge max", "unchanged"),
    ("-tr with -ts", ["-burn", "1", "-tr", "1", "1", *NEW, "{src}", "{out}"],
     "-tr and -ts options cannot be used at the same time", "none"),
    ("-b when creating", ["-b", "1", "-burn", "1", *NEW, "{src}", "{out}"],
     "-b option cannot be used when creating", "none"),
    ("-tap without -tr", ["-tap", "-burn", "1", *NEW, "{src}", "{out}"],
     "-tap option cannot be used without using -tr", "none"),
    ("no extent (empty layer, no -te)", ["-burn", "1", *NEW, "{empty}", "{out}"],
     "Cannot get layer extent of layer empty", "none"),
    ("read-only driver (PNG, update)", ["-burn", "1", "{src}", "{png}"],
     "Cannot open", "unchanged"),
    ("read-only file (no write permission)", ["-burn", "1", "{src}", "{ro}"],
     "Cannot open", "unchanged"),
    ("unsupported band type (CFloat32)", ["-burn", "1", "{src}", "{cplx}"],
     "CFloat32", "unchanged"),
    ("CUDA requested but absent", ["-device", "cuda", "-burn", "1", *NEW, "{src}", "{out}"],
     "CUDA requested", "none"),
    ("CUDA requested but absent (update)", ["-device", "cuda", "-burn", "1", "{src}", "{tif}"],
     "CUDA requested", "unchanged"),
    ("bad -a_srs", ["-burn", "1", "-a_srs", "EPSG:nope", *NEW, "{src}", "{out}"],
     "Invalid -a_srs", "none"),
]

ALG_NEW = ["--size", "10,10"]
ALG_CASES = [
    ("unknown merge mode", ["--merge", "median", "--burn", "1", *ALG_NEW, "{src}", "{out}"],
     "median", "none"),
    ("unknown device", ["--device", "tpu", "--burn", "1", *ALG_NEW, "{src}", "{out}"],
     "tpu", "none"),
    ("missing burn field", ["-a", "nosuchfield", *ALG_NEW, "{src}", "{out}"],
     "Failed to find field nosuchfield", "none"),
    ("missing burn field (update)", ["-a", "nosuchfield", "--update", "{src}", "{tif}"],
     "Failed to find field nosuchfield", "unchanged"),
    ("non-numeric burn field", ["-a", "name", *ALG_NEW, "{src}", "{out}"],
     "of field name of feature", "warning"),
    ("--burn with -a", ["--burn", "1", "-a", "name", *ALG_NEW, "{src}", "{out}"],
     "--burn and --attribute-name (-a) cannot be used together", "none"),
    ("--add with --merge max", ["--add", "--merge", "max", "--burn", "1", "{src}", "{tif}"],
     "--add means --merge sum --update: it conflicts with --merge max", "unchanged"),
    ("--resolution with --size", ["--burn", "1", "--resolution", "1,1", *ALG_NEW, "{src}", "{out}"],
     "mutually exclusive", "none"),
    ("--band when creating", ["--band", "1", "--burn", "1", *ALG_NEW, "{src}", "{out}"],
     "Cannot specify --band when creating", "none"),
    ("--tap without --resolution", ["--tap", "--burn", "1", *ALG_NEW, "{src}", "{out}"],
     "resolution", "none"),
    ("no extent (empty layer)", ["--burn", "1", *ALG_NEW, "{empty}", "{out}"],
     "Cannot get layer extent of layer empty", "none"),
    ("read-only driver (PNG, --update)", ["--burn", "1", "--update", "{src}", "{png}"],
     "PNG", "unchanged"),
    ("unsupported band type (CFloat32)", ["--burn", "1", "--update", "{src}", "{cplx}"],
     "CFloat32", "unchanged"),
    ("CUDA requested but absent", ["--device", "cuda", "--burn", "1", *ALG_NEW, "{src}", "{out}"],
     "CUDA requested", "none"),
    ("update-only conflict", ["--burn", "1", "--update", "--nodata", "0", "{src}", "{tif}"],
     "Cannot specify --nodata when updating", "unchanged"),
]


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        FAILURES.append(name)


def make_inputs(tmp):
    paths = {"src": COUNTRIES, "out": os.path.join(tmp, "new.tif")}
    empty = os.path.join(tmp, "empty.gpkg")
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(empty)
    ds.CreateLayer("empty", geom_type=ogr.wkbPolygon).CreateField(ogr.FieldDefn("v", ogr.OFTReal))
    ds = None
    paths["empty"] = empty

    def raster(name, driver, dtype):
        path = os.path.join(tmp, name)
        mem = gdal.GetDriverByName("MEM").Create("", 8, 4, 1, dtype)
        mem.SetGeoTransform([-180, 45, 0, 90, 0, -45])
        mem.GetRasterBand(1).Fill(7)
        gdal.GetDriverByName(driver).CreateCopy(path, mem)
        return path

    paths["tif"] = raster("existing.tif", "GTiff", gdal.GDT_Float64)
    paths["png"] = raster("existing.png", "PNG", gdal.GDT_Byte)
    paths["cplx"] = raster("complex.tif", "GTiff", gdal.GDT_CFloat32)
    paths["ro"] = raster("readonly.tif", "GTiff", gdal.GDT_Float64)
    os.chmod(paths["ro"], 0o444)
    return paths


def snapshot(tmp):
    out = {}
    for path in glob.glob(os.path.join(tmp, "*")):
        with open(path, "rb") as f:
            out[os.path.basename(path)] = f.read()
    return out


def run_table(way, cases, argv0):
    for name, args, message, expect in cases:
        if "{ro}" in args and os.geteuid() == 0:
            print(f"skip [{way}] {name}: root ignores file permissions")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            paths = make_inputs(tmp)
            before = snapshot(tmp)
            argv = argv0 + [a.format(**paths) for a in args]
            r = subprocess.run(argv, capture_output=True, text=True)
            after = snapshot(tmp)
            label = f"[{way}] {name}"
            errors = [l for l in r.stderr.splitlines() if l.startswith("ERROR")]
            if expect == "warning":
                check(label + ": exit 0 with a warning naming it",
                      r.returncode == 0 and message in r.stderr and not errors,
                      f"rc={r.returncode} stderr={r.stderr!r}")
                check(label + ": output written", os.path.basename(paths["out"]) in after,
                      str(sorted(after)))
                continue
            check(label + ": non-zero exit", r.returncode != 0, f"rc={r.returncode}")
            check(label + f": message names it ({message!r})", message in r.stderr,
                  repr(r.stderr))
            # One line per error: no multi-line messages.
            check(label + ": one-line errors", all("\n" not in e for e in errors) and len(errors) >= 1,
                  repr(r.stderr))
            new_files = sorted(set(after) - set(before))
            check(label + ": no file left behind", not new_files, str(new_files))
            changed = sorted(k for k in before if after.get(k) != before[k])
            check(label + ": existing files unchanged byte for byte", not changed, str(changed))


run_table("gdal_merge_rasterize", CLI_CASES, [CLI, "-q"])
if WITH_ALG:
    run_table("gdal vector merge-rasterize", ALG_CASES, ["gdal", "vector", "merge-rasterize"])

if FAILURES:
    print(f"{len(FAILURES)} failure(s)")
    sys.exit(1)
print("all bad-input cases passed")
