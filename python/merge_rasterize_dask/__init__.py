"""merge-rasterize on Dask distributed: tile fan-out, same pixels as one run.

    from merge_rasterize_dask import rasterize_tiled
    rasterize_tiled("zones.gpkg", "zones_mean.vrt", extent=[-180, -90, 180, 90],
                    size=[8000, 4000], merge="mean", attribute_name="mag",
                    nodata=-9999, output_type="Float32", tile_size=1024)

Needs GDAL >= 3.11 with the merge-rasterize algorithm module (found through
GDAL_DRIVER_PATH on every worker), dask and distributed. See docs/dask.md.
"""

from .plan import Grid, Tile, plan_tiles
from .run import FAIL_ONCE_ENV, TileFailures, build_mosaic, rasterize_tiled, run_tile, tile_is_done

__all__ = ["Grid", "Tile", "plan_tiles", "rasterize_tiled", "run_tile", "build_mosaic",
           "tile_is_done", "TileFailures", "FAIL_ONCE_ENV"]
