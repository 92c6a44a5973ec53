"""python3 -m merge_rasterize_dask SOURCE OUTPUT.vrt --extent ... (--size | --resolution) ..."""

import argparse
import json
import sys

from .run import TileFailures, rasterize_tiled


def _floats(text):
    return [float(v) for v in text.split(",")]


def _ints(text):
    return [int(v) for v in text.split(",")]


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="python3 -m merge_rasterize_dask",
        description="gdal vector merge-rasterize, tile by tile on a Dask cluster "
                    "(same pixels as one run). Writes a VRT over GeoTIFF tiles, optionally a COG.")
    p.add_argument("source", help="input vector dataset")
    p.add_argument("output", help="output VRT (tiles go to OUTPUT-without-extension.tiles/)")
    p.add_argument("--extent", type=_floats, required=True, metavar="XMIN,YMIN,XMAX,YMAX")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--size", type=_ints, metavar="XSIZE,YSIZE")
    g.add_argument("--resolution", type=_floats, metavar="XRES,YRES")
    p.add_argument("--tap", action="store_true")
    p.add_argument("--merge", default="last",
                   choices=["last", "first", "min", "max", "sum", "count", "mean"])
    p.add_argument("--burn", type=float, action="append")
    p.add_argument("-a", "--attribute-name")
    p.add_argument("--3d", dest="burn_z", action="store_true")
    p.add_argument("--all-touched", action="store_true")
    p.add_argument("--nodata", type=float)
    p.add_argument("--init", type=float, action="append")
    p.add_argument("-l", "--input-layer", action="append", dest="layers")
    p.add_argument("--where")
    p.add_argument("--sql")
    p.add_argument("--dialect")
    p.add_argument("--ot", "--output-data-type", dest="output_type")
    p.add_argument("--crs", help="assign this CRS (no reprojection), as the algorithm's --crs")
    p.add_argument("--target-crs", help="reproject the features into this CRS (needs --nodata)")
    p.add_argument("--tile-size", type=int, default=2048)
    p.add_argument("--block-size", type=int, default=256)
    p.add_argument("--tiles-dir")
    p.add_argument("--scheduler", help="address of a running scheduler, e.g. tcp://host:8786 "
                                       "(default: a local cluster)")
    p.add_argument("--workers", type=int, help="local cluster size (default: CPU count)")
    p.add_argument("--threads", type=int, default=1, help="algorithm threads per tile")
    p.add_argument("--retries", type=int, default=2)
    p.add_argument("--gdal-cachemax", help="GDAL_CACHEMAX on the workers (e.g. 256 = 256 MB)")
    p.add_argument("--cog", help="also write a Cloud-Optimized GeoTIFF here")
    p.add_argument("--no-resume", action="store_true", help="recompute finished tiles")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(argv)

    client = None
    if a.scheduler:
        from distributed import Client
        client = Client(a.scheduler)

    def progress(done, total, key):
        if not a.quiet:
            print(f"\r{done}/{total} tiles ({100 * done // total}%) last {key}", end="",
                  file=sys.stderr, flush=True)

    try:
        report = rasterize_tiled(
            a.source, a.output, extent=a.extent, size=a.size, resolution=a.resolution, tap=a.tap,
            merge=a.merge, burn=a.burn, attribute_name=a.attribute_name, burn_z=a.burn_z,
            all_touched=a.all_touched, nodata=a.nodata, init=a.init, layers=a.layers,
            where=a.where, sql=a.sql, dialect=a.dialect, output_type=a.output_type, crs=a.crs,
            target_crs=a.target_crs, tile_size=a.tile_size, block_size=a.block_size,
            tiles_dir=a.tiles_dir, client=client, n_workers=a.workers, threads=a.threads,
            retries=a.retries, gdal_cachemax=a.gdal_cachemax, cog=a.cog,
            resume=not a.no_resume, progress=progress)
    except (TileFailures, ValueError) as exc:
        print(f"\nmerge_rasterize_dask: {exc}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()
    if not a.quiet:
        print(file=sys.stderr)
    report["computed"] = len(report["computed"])
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
