#!/usr/bin/env python3
"""A raster of more than 2^31 pixels: 50000 x 50000 Byte (2.5e9 pixels),
streamed through a tiled, sparse, DEFLATE GTiff (a few MB on disk) by the
CLI with -merge count -burn 1 on countries_ne_110m.gpkg and
GDAL_CACHEMAX=64.

Checks (no timing asserts; the time and peak RSS are printed):
  * exit 0, the size, 2.5e9 > 2^31;
  * peak RSS (getrusage of the child) within GDAL_CACHEMAX + 160 MiB;
  * windows of 512 x 512 pixels, one of them beyond pixel index 2^31
    (Antarctica, rows > 42949) and one holding the last pixel, equal to
    gdal_rasterize -add -burn 1 run on the same grid restricted with -te to
    the window. The grid's resolution is 2^-7 x 2^-8 degrees, so the
    window's extent is exact and its pixel centres are the big raster's.

usage: test_huge_raster.py GDAL_MERGE_RASTERIZE SAMPLES_DIR
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

CLI = sys.argv[1]
COUNTRIES = os.path.join(os.path.abspath(sys.argv[2]), "countries_ne_110m.gpkg")
N = 50000
X0, Y1, RX, RY = -200.0, 95.3125, 2.0 ** -7, 2.0 ** -8  # 50000 * RX = 390.625
CACHE_MB = 64
FAILURES = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        FAILURES.append(name)


with tempfile.TemporaryDirectory() as tmp:
    dest = os.path.join(tmp, "huge.tif")
    args = [CLI, "-q", "-merge", "count", "-burn", "1", "-ot", "Byte",
            "-te", str(X0), str(Y1 - N * RY), str(X0 + N * RX), str(Y1), "-ts", str(N), str(N),
            "-co", "TILED=YES", "-co", "SPARSE_OK=TRUE", "-co", "COMPRESS=DEFLATE", COUNTRIES, dest]
    env = dict(os.environ, GDAL_CACHEMAX=str(CACHE_MB))
    t0 = time.time()
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.time() - t0
    err = proc.stderr.read().decode()
    rc = os.waitstatus_to_exitcode(status)
    peak_mib = usage.ru_maxrss / 1024.0
    print(f"info 50000 x 50000 Byte (2.5e9 pixels): {elapsed:.1f} s wall, peak RSS {peak_mib:.0f} MiB, "
          f"GDAL_CACHEMAX={CACHE_MB} MiB, file {os.path.getsize(dest) if rc == 0 else 0} bytes")
    check("run succeeds", rc == 0, err)
    if rc == 0:
        ds = gdal.Open(dest)
        check("size 50000 x 50000 (> 2^31 pixels)",
              ds.RasterXSize == N and ds.RasterYSize == N and N * N > 2 ** 31,
              f"{ds.RasterXSize} x {ds.RasterYSize}")
        if os.environ.get("MRAST_SANITIZED"):
            # ASan's shadow memory inflates RSS: the plain builds check it.
            print("SKIP peak RSS bound: sanitizer build")
        else:
            check(f"peak RSS {peak_mib:.0f} MiB <= GDAL_CACHEMAX + 160 MiB", peak_mib <= CACHE_MB + 160)
        band = ds.GetRasterBand(1)
        # (name, first column, first row): lon = X0 + x * RX, lat = Y1 - y * RY
        windows = [("Europe", 26880, 12112), ("Atlantic coast", 24320, 14160),
                   ("Antarctica, pixel index > 2^31", 30000, 45000),
                   ("Ross Sea coast, pixel index > 2^31", 47360, 44240),
                   ("last pixels", N - 512, N - 512)]
        for name, x, y in windows:
            got = band.ReadAsArray(x, y, 512, 512)
            ref_path = os.path.join(tmp, "ref.tif")
            subprocess.run(["gdal_rasterize", "-q", "-add", "-burn", "1", "-ot", "Byte",
                            "-te", str(X0 + x * RX), str(Y1 - (y + 512) * RY),
                            str(X0 + (x + 512) * RX), str(Y1 - y * RY), "-ts", "512", "512",
                            COUNTRIES, ref_path], check=True)
            ref = gdal.Open(ref_path).ReadAsArray()
            diff = int(np.count_nonzero(got != ref))
            check(f"window {name} ({x},{y}) = gdal_rasterize on the window "
                  f"({int(ref.sum())} burnt pixels)", diff == 0, f"{diff} pixels differ")
            if name.startswith("Antarctica"):
                check("Antarctica window is land", int(got.min()) == 1, str(got.min()))
            if name == "last pixels":
                check("last pixels are outside the world (0)", int(got.max()) == 0, str(got.max()))
        ds = None

if FAILURES:
    print(f"{len(FAILURES)} failure(s)")
    sys.exit(1)
print("huge raster ok")
