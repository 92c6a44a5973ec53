"""Tile fan-out on Dask distributed gives the pixels of one run.

    test_dask_tiles.py DATA_DIR WORK_DIR

A LocalCluster of 2 worker processes rasterizes the bundled real data tile by
tile (python/merge_rasterize_dask); each result (the VRT mosaic) must equal,
bit for bit, one gdal.Run("vector", "merge-rasterize") over the whole grid:
every merge mode, all-touched, points / lines / polygons, grids whose
resolution is not a binary fraction (so tile seams meet non-exact pixel
coordinates), and an output CRS other than the layers' (EPSG:3857). Then:
an injected failure of one tile's first attempt is retried by Dask; without
retries the run fails and writes no mosaic; a re-run recomputes only a
deleted tile; a changed parameter recomputes every tile.
Needs GDAL_DRIVER_PATH (the algorithm module) and PYTHONPATH (python/).
"""

import os
import shutil
import sys
import time

import numpy as np
from osgeo import gdal, osr

import merge_rasterize_dask as mrd

gdal.UseExceptions()
DATA, WORK = sys.argv[1], os.path.abspath(sys.argv[2])
ZONES = os.path.join(DATA, "quake_zones_usgs_week.gpkg")
RIVERS = os.path.join(DATA, "rivers_ne_50m.gpkg")
QUAKES = os.path.join(DATA, "earthquakes_usgs_week.geojson")
COUNTRIES = os.path.join(DATA, "countries_ne_110m.gpkg")

# A grid with awkward resolutions (0.18699..., 0.18644...): 8 tiles of 512.
ODD = dict(extent=[-187.3, -77.7, 186.1, 89.9], size=[1997, 899])
# 0.1 degree: many country vertices sit on whole degrees, at 10-pixel steps.
DECI = dict(extent=[-180, -85, 180, 85], size=[3600, 1700])

CASES = [
    # (name, source, grid, algorithm arguments)
] + [(f"zones_{m}", ZONES, ODD, dict(merge=m, attribute_name="mag", nodata=-9999,
                                    output_type="Float32"))
     for m in ("last", "first", "min", "max", "sum", "count", "mean")] + [
    ("zones_count_at_byte", ZONES, ODD, dict(merge="count", burn=[1], all_touched=True,
                                             output_type="Byte")),
    ("zones_last_at", ZONES, ODD, dict(merge="last", attribute_name="mag", all_touched=True,
                                       nodata=-9999, output_type="Float32")),
    ("zones_mean_at_f64", ZONES, ODD, dict(merge="mean", attribute_name="mag",
                                           all_touched=True, nodata=-9999)),
    ("rivers_count_at", RIVERS, ODD, dict(merge="count", burn=[1], all_touched=True,
                                          output_type="UInt16")),
    ("rivers_last_at", RIVERS, ODD, dict(merge="last", attribute_name="length_km",
                                         all_touched=True, nodata=-1, output_type="Float32")),
    ("rivers_sum", RIVERS, ODD, dict(merge="sum", attribute_name="length_km",
                                     output_type="Float32")),
    ("quakes_first", QUAKES, ODD, dict(merge="first", attribute_name="mag", nodata=-9999,
                                       output_type="Float32")),
    ("quakes_max_where", QUAKES, ODD, dict(merge="max", attribute_name="mag", nodata=-9999,
                                           where="mag > 1", output_type="Float32")),
    ("countries_count", COUNTRIES, DECI, dict(merge="count", burn=[1], output_type="Byte")),
    ("countries_count_at", COUNTRIES, DECI, dict(merge="count", burn=[1], all_touched=True,
                                                 output_type="Byte")),
    ("countries_last_2bands", COUNTRIES, DECI, dict(merge="last", burn=[1, 2], init=[0, 7],
                                                    output_type="Int16")),
]

# Output in EPSG:3857, layers in EPSG:4326 / 4979: the features are reprojected.
MERC = dict(extent=[-20037508.34, -15000000, 20037508.34, 18000000], size=[1500, 1234])
MERC_CASES = [
    ("countries_3857_count_at", COUNTRIES, MERC, dict(merge="count", burn=[1],
                                                      all_touched=True, nodata=255,
                                                      output_type="Byte")),
    ("zones_3857_mean", ZONES, MERC, dict(merge="mean", attribute_name="mag", nodata=-9999,
                                          output_type="Float32")),
]


def grid_aligned_geojson(path, grid):
    """Adversarial synthetic input: points exactly on pixel edges (computed as
    origin + k * resolution) and squares / diagonals with their vertices on
    pixel corners next to the tile seams (512, 1024)."""
    import json
    g = mrd.Grid.from_args(grid["extent"], size=grid["size"])
    feats = []

    def add(geom):
        feats.append({"type": "Feature", "properties": {"v": len(feats)}, "geometry": geom})
    for k in range(0, g.xsize, 7):
        for j in range(3, g.ysize, 97):
            add({"type": "Point", "coordinates": [g.minx + k * g.xres, g.maxy - j * g.yres]})
    for k in (511, 512, 513, 1023, 1024, 1025):
        for j in (255, 256, 511, 512, 513):
            x0, x1 = g.minx + (k - 2) * g.xres, g.minx + (k + 1) * g.xres
            y0, y1 = g.maxy - (j + 1) * g.yres, g.maxy - (j - 2) * g.yres
            add({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
            add({"type": "LineString", "coordinates": [[x0, y0], [x1, y1]]})
    with open(path, "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f)
    return path


def single_run(source, grid, args):
    """The reference: one gdal.Run over the whole grid, as a numpy array."""
    run = {k: v for k, v in args.items() if k != "output_type"}
    if "output_type" in args:
        run["output_data_type"] = args["output_type"]
    with gdal.Run("vector", "merge-rasterize", input=source, output="", output_format="MEM",
                  extent=grid["extent"], size=grid["size"], **run) as alg:
        ds = alg.Output()
        return ds.ReadAsArray(), ds.GetGeoTransform()


def single_run_reprojected(source, grid, args, crs):
    """The reference for target_crs: a raster in that CRS, filled with nodata,
    updated by one run (the algorithm reprojects into an existing output)."""
    g = mrd.Grid.from_args(grid["extent"], size=grid["size"])
    ds = gdal.GetDriverByName("MEM").Create("", g.xsize, g.ysize, 1,
                                            gdal.GetDataTypeByName(args["output_type"]))
    ds.SetGeoTransform(g.geotransform)
    srs = osr.SpatialReference()
    srs.SetFromUserInput(crs)
    ds.SetProjection(srs.ExportToWkt())
    ds.GetRasterBand(1).SetNoDataValue(args["nodata"])
    ds.GetRasterBand(1).Fill(args["nodata"])
    run = {k: v for k, v in args.items() if k not in ("output_type", "nodata")}
    with gdal.Run("vector", "merge-rasterize", input=source, output=ds, update=True, **run):
        pass
    return ds.ReadAsArray(), ds.GetGeoTransform()


def read(path):
    ds = gdal.Open(path)
    return ds.ReadAsArray(), ds.GetGeoTransform()


def differing(a, b):
    """Pixels whose values differ (NaN equals NaN); shape/dtype must match."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return -1
    same = a == b
    if a.dtype.kind == "f":
        same |= np.isnan(a) & np.isnan(b)
    return int(a.size - np.count_nonzero(same))


def tiled(client, name, source, grid, args, **kw):
    out = os.path.join(WORK, name + ".vrt")
    report = mrd.rasterize_tiled(source, out, client=client, tile_size=512, block_size=256,
                                 **grid, **args, **kw)
    return out, report


def main():
    from distributed import Client, LocalCluster

    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    fail_path = os.path.join(WORK, "retry.tiles", "r0000512_c0000512.tif")
    nofail_path = os.path.join(WORK, "noretry.tiles", "r0000000_c0000512.tif")
    # Workers inherit the environment: the hook is set before they start.
    os.environ[mrd.FAIL_ONCE_ENV] = os.pathsep.join([fail_path, nofail_path])
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    bad = []

    def check(name, got, ref):
        n = differing(got[0], ref[0])
        gt_ok = got[1] == ref[1]
        print(f"{name:28s} {str(got[0].shape):14s} {str(got[0].dtype):8s} "
              f"differing pixels: {n}{'' if gt_ok else '  GEOTRANSFORM DIFFERS'}", flush=True)
        if n != 0 or not gt_ok:
            bad.append(name)

    try:
        # 1. Parity, every case.
        for name, source, grid, args in CASES:
            out, report = tiled(client, name, source, grid, args)
            assert len(report["computed"]) == report["tiles"], report
            check(name, read(out), single_run(source, grid, args))
        # Grid-aligned synthetic input, centre rule: exact too (all-touched
        # can differ at a few seam pixels there, see docs/dask.md).
        aligned = grid_aligned_geojson(os.path.join(WORK, "aligned.geojson"), ODD)
        for name, args in (("aligned_count", dict(merge="count", burn=[1], output_type="UInt16")),
                           ("aligned_last", dict(merge="last", attribute_name="v", nodata=-1,
                                                 output_type="Int32"))):
            out, report = tiled(client, name, aligned, ODD, args)
            check(name, read(out), single_run(aligned, ODD, args))
        for name, source, grid, args in MERC_CASES:
            out, report = tiled(client, name, source, grid, args, target_crs="EPSG:3857")
            check(name, read(out), single_run_reprojected(source, grid, args, "EPSG:3857"))

        name, source, grid, args = CASES[6]  # zones_mean
        ref = single_run(source, grid, args)

        # 2. Retry: one tile fails on its first attempt, Dask retries it.
        out, report = tiled(client, "retry", source, grid, args, retries=2,
                            cog=os.path.join(WORK, "retry_cog.tif"))
        marker = os.path.join(WORK, "retry.tiles", ".r0000512_c0000512.failed-once")
        retried = os.path.exists(marker) and len(report["computed"]) == 8
        print(f"retry: injected failure {'happened' if os.path.exists(marker) else 'MISSING'}, "
              f"{len(report['computed'])}/8 tiles computed", flush=True)
        if not retried:
            bad.append("retry")
        check("retry (VRT)", read(out), ref)
        check("retry (COG)", read(report["cog"]), ref)

        # 3. No retries: the run fails and writes no mosaic.
        noretry_vrt = os.path.join(WORK, "noretry.vrt")
        try:
            tiled(client, "noretry", source, grid, args, retries=0)
            print("noretry: did NOT fail")
            bad.append("noretry")
        except mrd.TileFailures as exc:
            ok = not os.path.exists(noretry_vrt) and "r0000000_c0000512" in str(exc)
            print(f"noretry: failed as expected ({exc}); VRT written: "
                  f"{os.path.exists(noretry_vrt)}", flush=True)
            if not ok:
                bad.append("noretry")
        # ... and the re-run (the hook fires only once) computes just that tile.
        out, report = tiled(client, "noretry", source, grid, args, retries=0)
        print(f"noretry re-run: computed {report['computed']}, skipped {report['skipped']}")
        if report["computed"] != ["r0000000_c0000512"] or report["skipped"] != 7:
            bad.append("noretry re-run")
        check("noretry re-run", read(out), ref)

        # 4. Resume: delete one tile; only it is recomputed.
        tiles_dir = os.path.join(WORK, "retry.tiles")
        victim = "r0000000_c0001024"
        mtimes = {f: os.stat(os.path.join(tiles_dir, f)).st_mtime_ns
                  for f in os.listdir(tiles_dir) if f.endswith(".tif") and victim not in f}
        os.unlink(os.path.join(tiles_dir, victim + ".tif"))
        out, report = tiled(client, "retry", source, grid, args)
        untouched = all(os.stat(os.path.join(tiles_dir, f)).st_mtime_ns == m
                        for f, m in mtimes.items())
        print(f"resume: computed {report['computed']}, skipped {report['skipped']}, "
              f"other tiles untouched: {untouched}", flush=True)
        if report["computed"] != [victim] or report["skipped"] != 7 or not untouched:
            bad.append("resume")
        check("resume", read(out), ref)

        # 5. Changed parameters: every tile is recomputed.
        args2 = dict(args, merge="max")
        out, report = tiled(client, "retry", source, grid, args2)
        print(f"changed merge: computed {len(report['computed'])}, skipped {report['skipped']}")
        if len(report["computed"]) != 8:
            bad.append("changed parameters")
        check("changed merge (max)", read(out), single_run(source, grid, args2))
    finally:
        client.close()
        cluster.close()
    print(f"{time.perf_counter() - t0:.1f} s")
    if bad:
        print("FAILED: " + ", ".join(bad))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
