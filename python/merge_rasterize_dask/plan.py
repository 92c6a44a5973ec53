"""The tiling plan: the output grid, cut into tiles aligned to its blocks.

Pure Python (no GDAL, no Dask), so it can be reasoned about and tested alone.

The grid is computed exactly as the merge-rasterize algorithm (and
gdal_rasterize) compute a new output's grid (plugin/mrast_output.cpp):
geotransform ``(minx, xres, 0, maxy, 0, -yres)``, with ``xres = (maxx - minx) /
xsize`` when a size is given and ``xsize = int(0.5 + (maxx - minx) / xres)``
when a resolution is given. A tile is then run with ``--resolution xres,yres``
(the grid's own resolution, bit for bit, never recomputed from the tile's
extent) and the extent ``minx + col * xres`` ... so that its pixels are the
grid's pixels. See docs/dask.md, "Same pixels as one run".
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from typing import List, Optional, Sequence


@dataclass(frozen=True)
class Grid:
    """A north-up output grid: origin (minx, maxy), pixel size, pixel count."""

    minx: float
    maxy: float
    xres: float
    yres: float
    xsize: int
    ysize: int

    @classmethod
    def from_args(cls, extent: Sequence[float], resolution: Optional[Sequence[float]] = None,
                  size: Optional[Sequence[int]] = None, tap: bool = False) -> "Grid":
        """The grid of a new output, as plugin/mrast_output.cpp computes it."""
        if extent is None or len(extent) != 4:
            raise ValueError("extent=[xmin, ymin, xmax, ymax] is required for a tiled run")
        if (resolution is None) == (size is None):
            raise ValueError("give exactly one of resolution=[xres, yres] and size=[xsize, ysize]")
        minx, miny, maxx, maxy = (float(v) for v in extent)
        if not (maxx > minx and maxy > miny):
            raise ValueError(f"invalid extent {list(extent)}")
        if size is not None:
            xsize, ysize = int(size[0]), int(size[1])
            if xsize <= 0 or ysize <= 0:
                raise ValueError(f"invalid size {list(size)}")
            xres = (maxx - minx) / xsize
            yres = (maxy - miny) / ysize
        else:
            xres, yres = float(resolution[0]), float(resolution[1])
            if not (xres > 0 and yres > 0):
                raise ValueError(f"invalid resolution {list(resolution)}")
            if tap:
                minx = math.floor(minx / xres) * xres
                maxx = math.ceil(maxx / xres) * xres
                miny = math.floor(miny / yres) * yres
                maxy = math.ceil(maxy / yres) * yres
            xsize = int(0.5 + (maxx - minx) / xres)
            ysize = int(0.5 + (maxy - miny) / yres)
            if xsize < 1 or ysize < 1:
                raise ValueError("invalid computed output raster size")
        return cls(minx, maxy, xres, yres, xsize, ysize)

    @property
    def geotransform(self):
        return (self.minx, self.xres, 0.0, self.maxy, 0.0, -self.yres)


@dataclass(frozen=True)
class Tile:
    """Columns [col, col + width) and rows [row, row + height) of the grid."""

    row: int
    col: int
    height: int
    width: int

    @property
    def key(self) -> str:
        return f"r{self.row:07d}_c{self.col:07d}"

    def extent(self, grid: Grid) -> List[float]:
        """[xmin, ymin, xmax, ymax]: the grid's own pixel edges.

        Computed as origin + index * resolution, the way GDAL's geotransform
        places pixel edges; with ``resolution=[xres, yres]`` the tile run's
        size comes back as exactly (width, height) (checked in plan_tiles).
        """
        return [grid.minx + self.col * grid.xres,
                grid.maxy - (self.row + self.height) * grid.yres,
                grid.minx + (self.col + self.width) * grid.xres,
                grid.maxy - self.row * grid.yres]

    def geotransform(self, grid: Grid):
        xmin, _, _, ymax = self.extent(grid)
        return (xmin, grid.xres, 0.0, ymax, 0.0, -grid.yres)


def plan_tiles(grid: Grid, tile_size: int = 2048, block_size: int = 256) -> List[Tile]:
    """Tiles of tile_size x tile_size pixels (smaller at the right and bottom
    edges), row-major. tile_size must be a multiple of block_size, so that
    every tile boundary is a block boundary of the mosaic."""
    if block_size <= 0 or block_size % 16:
        raise ValueError(f"block_size must be a positive multiple of 16 (GeoTIFF), got {block_size}")
    if tile_size <= 0 or tile_size % block_size:
        raise ValueError(f"tile_size ({tile_size}) must be a positive multiple of block_size ({block_size})")
    tiles = []
    for row in range(0, grid.ysize, tile_size):
        for col in range(0, grid.xsize, tile_size):
            tile = Tile(row, col, min(tile_size, grid.ysize - row), min(tile_size, grid.xsize - col))
            _check_tile_size(grid, tile)
            tiles.append(tile)
    return tiles


def _check_tile_size(grid: Grid, tile: Tile) -> None:
    # The size the algorithm derives from (extent, resolution): must be the tile's.
    xmin, ymin, xmax, ymax = tile.extent(grid)
    w = int(0.5 + (xmax - xmin) / grid.xres)
    h = int(0.5 + (ymax - ymin) / grid.yres)
    if (w, h) != (tile.width, tile.height):
        raise ValueError(f"tile {tile.key}: the algorithm would make it {w}x{h}, "
                         f"not {tile.width}x{tile.height} (resolution too small for the extent?)")


def params_hash(params: dict, grid: Grid, tile: Tile) -> str:
    """A hash of everything that determines a tile's pixels (resume key)."""
    doc = {"params": params, "grid": asdict(grid), "tile": asdict(tile), "format": 1}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()
