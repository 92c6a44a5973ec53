#!/usr/bin/env python3
"""The drop-in CLI streams: blocks of GDAL's cache, bounded memory, batches.

- peak_memory: a 4096 x 4096 Float64 GTiff (128 MiB) burnt with
  GDAL_CACHEMAX=16 (MB) from real data; the CLI's peak RSS, less the peak
  RSS of the same command on a 16 x 16 raster (GDAL, PROJ, the geometries),
  must stay below the cache plus 16 MiB, far below the raster; pixels equal
  gdal_rasterize's.
- update_*: an existing GTiff with values and nodata; exact pixels for
  first/max/sum/count/mean/last (existing values other than nodata are
  contributors, SPEC section 4).
- reproject_*: layer in EPSG:4326, existing output in EPSG:3857: pixels equal
  gdal_rasterize's (last and -add).
- layers_*: -l a -l b with -merge first/last: the earlier/later layer wins;
  last equals gdal_rasterize.
- tiled_*: -co TILED=YES with 256 x 256 blocks and edge blocks, a small
  cache (many groups of blocks), three bands pixel-interleaved: equal to
  gdal_rasterize.
- windows_*: for every mode, the same pixels whatever the windows: striped
  with a large cache (one group), tiled with a tiny cache (many groups),
  RasterIO windows (MRAST_FORCE_RASTERIO_WINDOWS), and geometry batches of a
  few KiB (MRAST_GEOMETRY_BATCH_BYTES: the layers are read again per group).

usage: test_streaming.py PATH_TO_gdal_merge_rasterize SAMPLES_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

CLI, SAMPLES = sys.argv[1], sys.argv[2]
COUNTRIES = os.path.join(SAMPLES, "countries_ne_110m.gpkg")
QUAKES = os.path.join(SAMPLES, "earthquakes_usgs_week.geojson")
WORLD = ["-te", "-180", "-90", "180", "90"]
MIB = 1024 * 1024
MODES = ["last", "first", "min", "max", "sum", "count", "mean"]


def run(args, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    subprocess.run(args, check=True, env=full_env, stdout=subprocess.DEVNULL)


def peak_rss_bytes(args, env):
    """Peak RSS of one process: a fresh Python whose only child is it."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    full_env = dict(os.environ)
    full_env.update(env)
    out = subprocess.run([sys.executable, "-c", probe] + args, check=True,
                         env=full_env, capture_output=True, text=True).stdout
    return int(out.strip()) * 1024  # Linux: kilobytes


def pixels(path):
    ds = gdal.Open(path)
    return [ds.GetRasterBand(i + 1).ReadAsArray() for i in range(ds.RasterCount)]


def differing(a, b):
    nan = np.isnan(a) & np.isnan(b) if a.dtype.kind == "f" else False
    return int(np.count_nonzero((a != b) & ~nan))


def compare(ref, ours, what="gdal_rasterize"):
    pa, pb = pixels(ref), pixels(ours)
    diffs = [differing(a, b) for a, b in zip(pa, pb)]
    if any(diffs) or len(pa) != len(pb):
        return f"{diffs} pixels differ from {what}"
    if not any(np.count_nonzero(a) for a in pa):
        return "burns nothing: tests nothing"
    return None


def parity(tmp, name, src, args, env=None, prepare=None):
    """gdal_rasterize and the CLI on the same command line."""
    ref, ours = os.path.join(tmp, name + "_gdal.tif"), os.path.join(tmp, name + "_ours.tif")
    if prepare:
        prepare(ref)
        prepare(ours)
    run(["gdal_rasterize", "-q"] + args + [src, ref])
    run([CLI, "-q"] + args + [src, ours], env)
    return compare(ref, ours)


# ---- (a) peak memory ---------------------------------------------------------

def check_peak_memory(tmp):
    if os.environ.get("MRAST_SANITIZED"):
        # ASan's shadow memory and quarantine inflate RSS: the bound is
        # checked by the plain builds (scripts/test.sh runs both).
        print("SKIP peak_memory: sanitizer build (RSS is not the program's own)")
        return None
    cache_mb = 16
    env = {"GDAL_CACHEMAX": str(cache_mb)}
    common = ["-q", "-burn", "1", "-ot", "Float64"] + WORLD + [COUNTRIES]
    big = os.path.join(tmp, "peak_ours.tif")
    base = peak_rss_bytes([CLI, "-ts", "16", "16"] + common + [os.path.join(tmp, "peak_tiny.tif")], env)
    peak = peak_rss_bytes([CLI, "-ts", "4096", "4096"] + common + [big], env)
    raster = 4096 * 4096 * 8
    extra = peak - base
    bound = cache_mb * MIB + 16 * MIB
    print(f"     peak RSS {peak / MIB:.1f} MiB, baseline (16x16 raster) {base / MIB:.1f} MiB, "
          f"extra {extra / MIB:.1f} MiB; raster {raster / MIB:.0f} MiB, GDAL_CACHEMAX {cache_mb} MiB, "
          f"bound {bound / MIB:.0f} MiB")
    if extra > bound:
        return f"peak RSS grew by {extra / MIB:.1f} MiB for a {raster / MIB:.0f} MiB raster (bound {bound / MIB:.0f})"
    ref = os.path.join(tmp, "peak_gdal.tif")
    run(["gdal_rasterize", "-q", "-burn", "1", "-ot", "Float64", "-ts", "4096", "4096"] + WORLD +
        [COUNTRIES, ref], env)
    return compare(ref, big)


# ---- (b) update mode ---------------------------------------------------------

ND = -9999.0
EXISTING = np.array([[1, ND, 3, ND],
                     [ND, 5, ND, 7],
                     [2, 2, ND, ND],
                     [ND, ND, ND, 9]], dtype=np.float64)
# Pixel (c, r) covers x in [c, c+1], y in [3-r, 4-r]. A covers columns 0-1 of
# rows 0-1, B columns 1-2 of rows 1-2; A comes first.
SQUARES = [("A", 10.0, [(0, 2), (2, 2), (2, 4), (0, 4), (0, 2)]),
           ("B", 20.0, [(1, 1), (3, 1), (3, 3), (1, 3), (1, 1)])]
# Literal expectations (contributors: existing value unless nodata, then A, B).
EXPECTED = {
    "first": [[1, 10, 3, ND], [10, 5, 20, 7], [2, 2, 20, ND], [ND, ND, ND, 9]],
    "last":  [[10, 10, 3, ND], [10, 20, 20, 7], [2, 20, 20, ND], [ND, ND, ND, 9]],
    "max":   [[10, 10, 3, ND], [10, 20, 20, 7], [2, 20, 20, ND], [ND, ND, ND, 9]],
    "min":   [[1, 10, 3, ND], [10, 5, 20, 7], [2, 2, 20, ND], [ND, ND, ND, 9]],
    "sum":   [[11, 10, 3, ND], [10, 35, 20, 7], [2, 22, 20, ND], [ND, ND, ND, 9]],
    "count": [[2, 1, 3, ND], [1, 7, 1, 7], [2, 3, 1, ND], [ND, ND, ND, 9]],
    "mean":  [[5.5, 10, 3, ND], [10, 35 / 3, 20, 7], [2, 11, 20, ND], [ND, ND, ND, 9]],
}


def write_squares(path):
    features = [{"type": "Feature", "properties": {"name": n, "v": v},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for n, v, ring in SQUARES]
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f)


def existing_raster(path, options=()):
    ds = gdal.GetDriverByName("GTiff").Create(path, 4, 4, 1, gdal.GDT_Float64, list(options))
    ds.SetGeoTransform([0, 1, 0, 4, 0, -1])
    srs = gdal.osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds.SetSpatialRef(srs)  # the GeoJSON's CRS
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(ND)
    band.WriteArray(EXISTING)
    ds = None


def check_update(tmp, mode, env=None, options=()):
    src = os.path.join(tmp, "squares.geojson")
    write_squares(src)
    out = os.path.join(tmp, f"update_{mode}.tif")
    existing_raster(out, options)
    run([CLI, "-q", "-merge", mode, "-a", "v", src, out], env)
    got = pixels(out)[0]
    want = np.array(EXPECTED[mode])
    if not np.array_equal(got, want):
        return f"got\n{got}\nexpected\n{want}"
    return None


# ---- (c) reprojection --------------------------------------------------------

def mercator_output(path):
    ds = gdal.GetDriverByName("GTiff").Create(path, 700, 500, 1, gdal.GDT_Float32)
    # Europe and Africa in Web Mercator.
    ds.SetGeoTransform([-2.5e6, 1e4, 0, 7.5e6, 0, -3e4 / 2])
    srs = gdal.osr.SpatialReference()
    srs.ImportFromEPSG(3857)
    ds.SetSpatialRef(srs)
    ds = None


def check_reproject(tmp, extra):
    args = ["-burn", "3", "-where", "name != 'Antarctica'"] + extra
    return parity(tmp, "reproject" + "".join(extra), COUNTRIES, args, prepare=mercator_output)


# ---- (d) several layers ------------------------------------------------------

def two_layers(tmp):
    path = os.path.join(tmp, "two_layers.gpkg")
    if not os.path.exists(path):
        run(["ogr2ogr", "-f", "GPKG", path, COUNTRIES, "-nln", "a", "-sql",
             "SELECT geom, 1 AS v FROM countries WHERE name < 'N'"])
        run(["ogr2ogr", "-f", "GPKG", "-update", path, COUNTRIES, "-nln", "b", "-sql",
             "SELECT geom, 2 AS v FROM countries WHERE name > 'C'"])
    return path


def check_layers(tmp, mode):
    src = two_layers(tmp)
    common = ["-a", "v", "-ts", "720", "360", "-ot", "Int16"] + WORLD
    only_a, only_b, both = (os.path.join(tmp, f"layers_{n}.tif") for n in ("a", "b", mode))
    run([CLI, "-q", "-l", "a"] + common + [src, only_a])
    run([CLI, "-q", "-l", "b"] + common + [src, only_b])
    run([CLI, "-q", "-merge", mode, "-l", "a", "-l", "b"] + common + [src, both])
    a, b, got = pixels(only_a)[0], pixels(only_b)[0], pixels(both)[0]
    overlap = (a != 0) & (b != 0)
    if not overlap.any():
        return "the layers do not overlap: tests nothing"
    winner = 1 if mode == "first" else 2
    if not np.all(got[overlap] == winner):
        return f"{int(np.count_nonzero(got[overlap] != winner))} overlap pixels lack layer value {winner}"
    if not np.array_equal(got[~overlap], np.maximum(a, b)[~overlap]):
        return "pixels outside the overlap differ"
    if mode == "last":
        return parity(tmp, "layers_parity", src, ["-l", "a", "-l", "b"] + common)
    return None


# ---- (e) tiled output --------------------------------------------------------

TILED = ["-co", "TILED=YES", "-co", "BLOCKXSIZE=256", "-co", "BLOCKYSIZE=256"]


def check_tiled(tmp, name, args):
    return parity(tmp, "tiled_" + name, COUNTRIES, args + TILED,
                  env={"GDAL_CACHEMAX": "1"})


# ---- the same pixels whatever the windows -------------------------------------

def check_windows(tmp, mode):
    common = ["-merge", mode, "-a", "mag", "-at", "-ts", "1000", "700",
              "-ot", "Float32", "-a_nodata", "-1"] + WORLD
    variants = {
        "striped_one_group": ([], {"GDAL_CACHEMAX": "256"}),
        "tiled_many_groups": (TILED, {"GDAL_CACHEMAX": "1"}),
        "rasterio_windows": ([], {"GDAL_CACHEMAX": "1", "MRAST_FORCE_RASTERIO_WINDOWS": "YES"}),
        "geometry_batches": (TILED, {"GDAL_CACHEMAX": "1", "MRAST_GEOMETRY_BATCH_BYTES": "4096"}),
    }
    src = os.path.join(tmp, "quake_buffers.gpkg")
    if not os.path.exists(src):
        # Overlapping polygons with a value: buffered earthquakes.
        run(["ogr2ogr", "-f", "GPKG", src, QUAKES, "-nln", "zones", "-dialect", "SQLite", "-sql",
             "SELECT ST_Buffer(geometry, mag * 2) AS geom, mag FROM earthquakes"])
    outs = {}
    for name, (extra, env) in variants.items():
        outs[name] = os.path.join(tmp, f"windows_{mode}_{name}.tif")
        run([CLI, "-q"] + common + extra + [src, outs[name]], env)
    ref = outs.pop("striped_one_group")
    for name, path in outs.items():
        err = compare(ref, path, "the one-group output")
        if err:
            return f"{name}: {err}"
    return None


def main():
    checks = [("peak_memory", lambda t: check_peak_memory(t))]
    checks += [(f"update_{m}", lambda t, m=m: check_update(t, m)) for m in EXPECTED]
    checks += [(f"update_tiled_rasterio_{m}",
                lambda t, m=m: check_update(t, m, {"MRAST_FORCE_RASTERIO_WINDOWS": "YES"},
                                            ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"]))
               for m in ("first", "mean")]
    checks += [("update_batches_mean", lambda t: check_update(
        t, "mean", {"MRAST_GEOMETRY_BATCH_BYTES": "1"}))]
    checks += [("reproject_last", lambda t: check_reproject(t, [])),
               ("reproject_add", lambda t: check_reproject(t, ["-add"]))]
    checks += [(f"layers_{m}", lambda t, m=m: check_layers(t, m)) for m in ("first", "last")]
    checks += [("tiled_last", lambda t: check_tiled(t, "last", ["-burn", "1", "-ts", "1000", "600"] + WORLD)),
               ("tiled_three_bands", lambda t: check_tiled(
                   t, "three_bands", ["-burn", "1", "-burn", "2", "-burn", "3", "-ot", "Byte",
                                      "-co", "INTERLEAVE=PIXEL", "-ts", "900", "555"] + WORLD)),
               ("tiled_all_touched_init", lambda t: check_tiled(
                   t, "all_touched_init", ["-burn", "4", "-at", "-init", "2", "-a_nodata", "0",
                                           "-ot", "Int16", "-ts", "777", "513"] + WORLD))]
    checks += [(f"windows_{m}", lambda t, m=m: check_windows(t, m)) for m in MODES]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in checks:
            err = fn(tmp)
            print(("FAIL " if err else "ok   ") + name + (": " + err if err else ""))
            sys.stdout.flush()
            failures += err is not None
    print(f"GDAL {gdal.__version__}: {len(checks)} checks, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
