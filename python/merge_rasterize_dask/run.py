"""The Dask side: one task per tile, then the mosaic.

Each task runs the merge-rasterize GDAL algorithm (``gdal.Run("vector",
"merge-rasterize", ...)``) over its tile's extent, reading only the features
whose geometry intersects the tile (an OGR spatial filter on the input layers,
which keeps the layers' read order), writes a GeoTIFF under a temporary name,
renames it, then writes a small JSON manifest: a tile with a manifest whose
parameter hash matches is finished, and a re-run skips it. The VRT (and the
COG) is written only when every tile has succeeded.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import asdict
from typing import Callable, List, Optional, Sequence

from .plan import Grid, Tile, params_hash, plan_tiles

# Test hook: the tiles whose final paths this names (os.pathsep-separated)
# fail once (their first attempt), to exercise Dask's retries. A marker file
# next to the tile remembers the failure.
FAIL_ONCE_ENV = "MRAST_DASK_FAIL_ONCE"


class TileFailures(RuntimeError):
    """Some tiles failed after their retries; no mosaic was written."""

    def __init__(self, failures):
        self.failures = failures  # [(tile key, error text)]
        lines = "; ".join(f"{k}: {e}" for k, e in failures[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        super().__init__(f"{len(failures)} tile(s) failed, no mosaic written: {lines}{more}")


# --------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------

def _manifest_path(tiles_dir: str, tile: Tile) -> str:
    return os.path.join(tiles_dir, tile.key + ".json")


def _tile_path(tiles_dir: str, tile: Tile) -> str:
    return os.path.join(tiles_dir, tile.key + ".tif")


def tile_is_done(tiles_dir: str, tile: Tile, digest: str) -> bool:
    """A tile is finished when its manifest (written after the tile's rename)
    names the same parameter hash and the tile file has the recorded size."""
    try:
        with open(_manifest_path(tiles_dir, tile)) as f:
            manifest = json.load(f)
        return (manifest.get("hash") == digest and
                os.path.getsize(_tile_path(tiles_dir, tile)) == manifest.get("bytes"))
    except (OSError, ValueError):
        return False


def _filter_rects(spec: dict, grid: Grid, tile: Tile, layer) -> Optional[List[List[float]]]:
    """The tile's extent, grown by a margin, in the layer's coordinates (one
    or more rectangles; None: no filter): a feature can burn a pixel of the
    tile only if it intersects them. Extra features cost time, never pixels."""
    from osgeo import osr

    m = spec["filter_margin_px"] + spec["halo_px"]
    xmin, ymin, xmax, ymax = tile.extent(grid)
    rect = [xmin - m * grid.xres, ymin - m * grid.yres, xmax + m * grid.xres, ymax + m * grid.yres]
    target = spec.get("target_crs")
    layer_srs = layer.GetSpatialRef()
    if target is None or layer_srs is None:
        return [rect]  # no reprojection: layer coordinates are output coordinates
    out_srs = osr.SpatialReference()
    out_srs.SetFromUserInput(target)
    out_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    layer_srs = layer_srs.Clone()
    layer_srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    if out_srs.IsSame(layer_srs):
        return [rect]
    try:
        ct = osr.CoordinateTransformation(out_srs, layer_srs)
        x0, y0, x1, y1 = ct.TransformBounds(*rect, 21)
    except Exception:  # untransformable corner (outside the CRS's area)
        return None  # no filter: slower, never wrong
    if not all(map(lambda v: v == v and abs(v) != float("inf"), (x0, y0, x1, y1))):
        return None
    # TransformBounds densifies the edges; grow a little more for curved edges.
    gy = 0.01 * (y1 - y0)
    y0, y1 = y0 - gy, y1 + gy
    if x1 < x0:
        # Bounds across the antimeridian (xmin > xmax): filter on y only.
        return [[-1e300, y0, 1e300, y1]]
    gx = 0.01 * (x1 - x0)
    rects = [[x0 - gx, y0, x1 + gx, y1]]
    if layer_srs.IsGeographic():
        # PROJ wraps longitudes beyond +-180 into [-180, 180]: a feature with
        # such vertices (e.g. drawn across the antimeridian as lon 183) can
        # land anywhere in x once reprojected. Keep those too.
        rects += [[-1e300, y0, -180.0, y1], [180.0, y0, 1e300, y1]]
    return rects


def grid_pixel_operation(grid: Grid) -> str:
    """A PROJ affine operation computing the grid's pixel coordinates exactly
    as GDAL applies the grid's inverse geotransform (x' = inv0 + inv1 * x +
    inv2 * y), with y negated (the tile's y axis points down)."""
    from osgeo import gdal

    inv = gdal.InvGeoTransform(grid.geotransform)
    return (f"+proj=affine +xoff={inv[0]!r} +s11={inv[1]!r} +s12={inv[2]!r} "
            f"+yoff={-inv[3]!r} +s21={-inv[4]!r} +s22={-inv[5]!r}")


def _layer_crs_wkt(src, spec: dict) -> str:
    """The CRS a new output gets from its (first) layer."""
    if spec.get("sql") is not None:
        lyr = src.ExecuteSQL(spec["sql"], dialect=spec.get("dialect") or "")
        try:
            srs = lyr.GetSpatialRef() if lyr is not None else None
            return srs.ExportToWkt() if srs is not None else ""
        finally:
            if lyr is not None:
                src.ReleaseResultSet(lyr)
    names = spec.get("layers") or [src.GetLayer(0).GetName()]
    wkts = set()
    for name in names:
        srs = src.GetLayerByName(name).GetSpatialRef()
        wkts.add(srs.ExportToWkt() if srs is not None else "")
    if len(wkts) > 1:
        raise RuntimeError("the input layers have different CRSs: give target_crs "
                           "(reproject into it) or crs")
    return wkts.pop()


def run_tile(spec: dict, tile: Tile) -> dict:
    """Rasterize one tile (runs on a worker). Returns a small report."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    t0 = time.perf_counter()
    grid = Grid(**spec["grid"])
    tiles_dir = spec["tiles_dir"]
    final = _tile_path(tiles_dir, tile)

    if final in os.environ.get(FAIL_ONCE_ENV, "").split(os.pathsep):
        marker = os.path.join(tiles_dir, f".{tile.key}.failed-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise RuntimeError(f"injected failure of tile {tile.key} ({FAIL_ONCE_ENV})")

    for key, value in spec.get("config", {}).items():
        gdal.SetConfigOption(key, value)

    src = gdal.OpenEx(spec["source"], gdal.OF_VECTOR | gdal.OF_READONLY)
    if spec.get("sql") is None:
        # Spatial filter on each input layer (the algorithm reads the same
        # layer objects, GetLayerByName returns them): fewer features read,
        # same read order.
        names = spec.get("layers") or [src.GetLayer(0).GetName()]
        for name in names:
            layer = src.GetLayerByName(name)
            if layer is None:
                raise RuntimeError(f"Unable to find layer \"{name}\"")
            rects = _filter_rects(spec, grid, tile, layer)
            if rects is not None and len(rects) == 1:
                layer.SetSpatialFilterRect(*rects[0])
            elif rects is not None:
                area = ogr.Geometry(ogr.wkbMultiPolygon)
                for x0, y0, x1, y1 in rects:
                    ring = ogr.Geometry(ogr.wkbLinearRing)
                    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)):
                        ring.AddPoint_2D(x, y)
                    poly = ogr.Geometry(ogr.wkbPolygon)
                    poly.AddGeometry(ring)
                    area.AddGeometry(poly)
                layer.SetSpatialFilter(area)

    tmp = os.path.join(tiles_dir, f".{tile.key}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tif.tmp")
    args = dict(spec["alg_args"])
    co = list(spec["creation_options"])
    # The tile is rasterized in the *whole grid's* pixel coordinates: the
    # transformer's coordinate operation is the grid's inverse geotransform
    # (what the one run applies), and the tile's own geotransform during the
    # run is the identity shifted by (col, row), exact in floating point.
    # Giving the tile its georeferenced extent instead would round pixel
    # coordinates differently (inverse of another origin), which changes
    # pixels where a vertex sits on a pixel edge or centre. The real
    # geotransform is set once the tile is written.
    args["transformer_option"] = ["COORDINATE_OPERATION=" + grid_pixel_operation(grid)]
    # A halo of a few pixels on the sides where the tile has neighbours: the
    # tile's raster border (where --all-touched traversal is clipped) then
    # lies outside the pixels kept, as the one run has no border there.
    halo = spec["halo_px"]
    hl, ht = min(halo, tile.col), min(halo, tile.row)
    hr = min(halo, grid.xsize - tile.col - tile.width)
    hb = min(halo, grid.ysize - tile.row - tile.height)
    run_w, run_h = tile.width + hl + hr, tile.height + ht + hb
    pixel_gt = (float(tile.col - hl), 1.0, 0.0, -float(tile.row - ht), 0.0, -1.0)
    # The tile is burnt in memory (MEM), then copied to a GeoTIFF: with a
    # GeoTIFF output the module (3.13 build) ignored the transformer option.
    try:
        if spec.get("target_crs") is not None:
            # Reprojection: the algorithm reprojects the features into an
            # existing output's CRS (update mode), so the tile is created
            # first, filled with nodata (= no contributor).
            mem = gdal.GetDriverByName("MEM").Create(
                "", run_w, run_h, spec["band_count"],
                gdal.GetDataTypeByName(spec["output_type"]))
            mem.SetGeoTransform(pixel_gt)
            mem.SetProjection(spec["target_crs_wkt"])
            for b in range(1, spec["band_count"] + 1):
                mem.GetRasterBand(b).SetNoDataValue(spec["nodata"])
                mem.GetRasterBand(b).Fill(spec["nodata"])
            args.pop("nodata", None)  # set on the bands above; refused with --update
            args.update(output=mem, update=True)
        else:
            # --crs keeps the features' coordinates as they are (no
            # reprojection), as a new output in the layer's CRS does.
            args.setdefault("crs", _layer_crs_wkt(src, spec))
            args.update(output="", output_format="MEM",
                        extent=[tile.col - hl, -(tile.row + tile.height + hb),
                                tile.col + tile.width + hr, -(tile.row - ht)],
                        resolution=[1, 1])
            if spec.get("output_type"):
                args["output_data_type"] = spec["output_type"]
        with gdal.Run("vector", "merge-rasterize", input=src, **args) as alg:
            out = alg.Output()
            if out.GetGeoTransform() != pixel_gt:
                raise RuntimeError(f"tile {tile.key}: unexpected pixel grid {out.GetGeoTransform()}")
            kept = gdal.Translate("", out, format="MEM", srcWin=[hl, ht, tile.width, tile.height])
            kept.SetGeoTransform(tile.geotransform(grid))
            copy = gdal.GetDriverByName("GTiff").CreateCopy(tmp, kept, options=co)
            kept = None
            copy.Close()
            out = None
        src = mem = None
        os.replace(tmp, final)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    manifest = {"hash": spec["hashes"][tile.key], "tile": asdict(tile),
                "bytes": os.path.getsize(final), "seconds": round(time.perf_counter() - t0, 3)}
    mtmp = _manifest_path(tiles_dir, tile) + ".tmp"
    with open(mtmp, "w") as f:
        json.dump(manifest, f)
    os.replace(mtmp, _manifest_path(tiles_dir, tile))
    return {"key": tile.key, "path": final, "seconds": manifest["seconds"]}


# --------------------------------------------------------------------------
# Client side
# --------------------------------------------------------------------------

def _source_identity(source: str) -> dict:
    try:
        st = os.stat(source)
        return {"path": os.path.abspath(source), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    except OSError:
        return {"path": source}  # a connection string or /vsi path


def build_mosaic(grid: Grid, paths: Sequence[str], vrt_path: str, cog: Optional[str] = None,
                 cog_options: Sequence[str] = ()) -> None:
    """A VRT over the tiles on exactly the grid (and a COG from it)."""
    from osgeo import gdal

    gdal.UseExceptions()
    bounds = [grid.minx, grid.maxy - grid.ysize * grid.yres,
              grid.minx + grid.xsize * grid.xres, grid.maxy]
    tmp = vrt_path + ".tmp.vrt"
    vrt = gdal.BuildVRT(tmp, list(paths), resolution="user", xRes=grid.xres, yRes=grid.yres,
                        outputBounds=bounds)
    if (vrt.RasterXSize, vrt.RasterYSize) != (grid.xsize, grid.ysize) or \
            vrt.GetGeoTransform() != grid.geotransform:
        raise RuntimeError("the VRT's grid differs from the planned grid")
    vrt = None
    # Written next to its final name: the tile paths it holds stay valid.
    os.replace(tmp, vrt_path)
    if cog:
        ctmp = cog + ".tmp.tif"
        gdal.Translate(ctmp, vrt_path, format="COG", creationOptions=list(cog_options))
        os.replace(ctmp, cog)


def rasterize_tiled(source: str, output: str, *, extent: Sequence[float],
                    resolution: Optional[Sequence[float]] = None,
                    size: Optional[Sequence[int]] = None, tap: bool = False,
                    crs: Optional[str] = None, target_crs: Optional[str] = None,
                    output_type: Optional[str] = None, merge: str = "last",
                    burn: Optional[Sequence[float]] = None, attribute_name: Optional[str] = None,
                    burn_z: bool = False, all_touched: bool = False,
                    nodata: Optional[float] = None, init: Optional[Sequence[float]] = None,
                    layers: Optional[Sequence[str]] = None, where: Optional[str] = None,
                    sql: Optional[str] = None, dialect: Optional[str] = None,
                    tile_size: int = 2048, block_size: int = 256,
                    tiles_dir: Optional[str] = None, compress: str = "DEFLATE",
                    client=None, n_workers: Optional[int] = None, retries: int = 2,
                    threads: int = 1, gdal_cachemax: Optional[str] = None,
                    vrt: bool = True, cog: Optional[str] = None,
                    resume: bool = True, filter_margin_px: float = 1.0, halo_px: int = 2,
                    progress: Optional[Callable[[int, int, str], None]] = None) -> dict:
    """Rasterize ``source`` tile by tile on a Dask cluster; same pixels as one
    ``gdal vector merge-rasterize`` run over the whole grid.

    ``output`` is the VRT mosaic (written when every tile succeeded; tiles go
    to ``tiles_dir``, default ``<output without extension>.tiles/``).
    ``cog``: also write a Cloud-Optimized GeoTIFF there. The algorithm's
    arguments keep their meaning (``crs`` assigns a CRS without reprojecting,
    as ``--crs``); ``target_crs`` instead reprojects the features into that
    CRS (each tile is created, filled with ``nodata``, then updated, as a
    single ``--update`` run into a raster in that CRS would do: needs
    ``nodata``). ``client``: a ``distributed.Client`` (default: a LocalCluster
    of ``n_workers`` processes, one thread each, closed at the end).
    ``progress(done, total, tile_key)`` is called as tiles finish.
    Returns a report: paths, tile counts (computed / skipped), seconds.
    """
    t0 = time.perf_counter()
    grid = Grid.from_args(extent, resolution, size, tap)
    tiles = plan_tiles(grid, tile_size, block_size)
    if target_crs is not None:
        if crs is not None:
            raise ValueError("give crs (assign) or target_crs (reproject), not both")
        if nodata is None or init is not None:
            raise ValueError("target_crs needs nodata (and no init): tiles start as nodata")
    if sql is not None and layers:
        raise ValueError("give layers or sql, not both")

    if tiles_dir is None:
        tiles_dir = os.path.splitext(output)[0] + ".tiles"
    os.makedirs(tiles_dir, exist_ok=True)
    tiles_dir = os.path.abspath(tiles_dir)

    alg_args = {"merge": merge, "all_touched": all_touched, "num_threads": str(threads)}
    for name, value in (("burn", list(burn) if burn is not None else None),
                        ("attribute_name", attribute_name), ("nodata", nodata),
                        ("init", list(init) if init is not None else None),
                        ("crs", crs), ("input_layer", list(layers) if layers else None),
                        ("where", where), ("sql", sql), ("dialect", dialect)):
        if value is not None:
            alg_args[name] = value
    if burn_z:
        alg_args["3d"] = True
    creation_options = ["TILED=YES", f"BLOCKXSIZE={block_size}", f"BLOCKYSIZE={block_size}",
                        f"COMPRESS={compress}", "BIGTIFF=IF_SAFER"]
    spec = {"source": source, "grid": asdict(grid), "tiles_dir": tiles_dir,
            "alg_args": alg_args, "creation_options": creation_options,
            "output_type": output_type, "layers": list(layers) if layers else None,
            "sql": sql, "target_crs": target_crs, "nodata": nodata,
            "band_count": len(burn) if burn else 1,
            "filter_margin_px": filter_margin_px, "halo_px": int(halo_px),
            "config": {"GDAL_CACHEMAX": str(gdal_cachemax)} if gdal_cachemax else {}}
    if target_crs is not None:
        from osgeo import osr
        srs = osr.SpatialReference()
        srs.SetFromUserInput(target_crs)
        spec["target_crs_wkt"] = srs.ExportToWkt()
        spec["output_type"] = output_type or "Float64"
    hashed = {k: v for k, v in spec.items() if k not in ("tiles_dir", "config")}
    hashed["source"] = _source_identity(source)
    hashes = {t.key: params_hash(hashed, grid, t) for t in tiles}
    spec["hashes"] = hashes

    todo = [t for t in tiles if not (resume and tile_is_done(tiles_dir, t, hashes[t.key]))]
    skipped = len(tiles) - len(todo)
    computed, failures = [], []
    own_cluster = None
    if todo:
        if client is None:
            from distributed import Client, LocalCluster
            own_cluster = LocalCluster(n_workers=n_workers or min(os.cpu_count() or 1, len(todo)),
                                       threads_per_worker=1, processes=True,
                                       dashboard_address=None)
            client = Client(own_cluster)
        try:
            computed, failures = _run_on_cluster(client, spec, todo, retries, progress,
                                                 len(tiles), skipped)
        finally:
            if own_cluster is not None:
                client.close()
                own_cluster.close()
    if failures:
        raise TileFailures(failures)

    paths = [_tile_path(tiles_dir, t) for t in tiles]
    report = {"grid": asdict(grid), "tiles": len(tiles), "computed": [c["key"] for c in computed],
              "skipped": skipped, "tiles_dir": tiles_dir, "vrt": None, "cog": None}
    if vrt or cog:
        vrt_path = output if vrt else os.path.join(tiles_dir, "mosaic.vrt")
        build_mosaic(grid, paths, vrt_path, cog,
                     cog_options=[f"COMPRESS={compress}", f"BLOCKSIZE={block_size}",
                                  "BIGTIFF=IF_SAFER"])
        report["vrt"] = vrt_path if vrt else None
        report["cog"] = cog
    report["seconds"] = round(time.perf_counter() - t0, 3)
    return report


def _run_on_cluster(client, spec, todo, retries, progress, total, skipped):
    from distributed import as_completed

    prefix = "mrast-" + spec["hashes"][todo[0].key][:10]
    futures = [client.submit(run_tile, spec, t, key=f"{prefix}-{t.key}", retries=retries,
                             pure=False) for t in todo]
    by_key = {f.key: t for f, t in zip(futures, todo)}
    computed, failures = [], []
    done = skipped
    for fut in as_completed(futures):
        tile = by_key[fut.key]
        if fut.status == "finished":
            computed.append(fut.result())
        else:
            try:
                fut.result()
            except Exception as exc:  # the task's own error, after its retries
                failures.append((tile.key, f"{type(exc).__name__}: {exc}"))
        done += 1
        if progress is not None:
            progress(done, total, tile.key)
    return computed, failures
