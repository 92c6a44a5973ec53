#!/usr/bin/env python3
"""PNG quick-looks of one-band rasters: a colour ramp, a legend and a title;
optionally a contact sheet of several of them.

usage:
  quicklook.py RASTER PNG TITLE
  quicklook.py --land-mask COUNTRIES MASK.tif RESOLUTION
  quicklook.py [--mask MASK] [--width W] [--sheet SHEET.png --sheet-title T]
               --panel RASTER PNG TITLE [GROUP] [--panel ...]

Pixels equal to the band's nodata (or NaN) have no value: they are drawn
dark grey, or, with --mask (a raster on the same grid, e.g. land burnt as 1),
mid grey where the mask is non-zero. The ramp spans the valid minimum to
maximum of the raster; panels given the same GROUP share one range (so
"last", "min", "max" and "mean" of one burn field are comparable by colour).
--width scales each quick-look's map to about W pixels wide (default 720).
--sheet also writes one PNG with every panel side by side, four per row.
--land-mask burns the polygons of COUNTRIES (lon/lat) as 1 into a world grid
of RESOLUTION degrees, unwrapping the rings that cross the antimeridian
(world-atlas' Fiji and Russia, which would otherwise fill a band across the
map): such a ring is burnt twice, shifted east and west.
"""
import argparse
import sys

import numpy as np
from osgeo import gdal
from PIL import Image, ImageDraw, ImageFont

gdal.UseExceptions()

# A perceptually ordered ramp (viridis: dark blue -> teal -> yellow), 5 anchors.
ANCHORS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], float)
NONE_RGB = (40, 40, 40)       # no value
MASK_RGB = (105, 105, 105)    # no value, inside the mask (land)
FOOTER = 62


def ramp(t):
    """Maps t in [0, 1] to RGB by linear interpolation between the anchors."""
    t = np.clip(t, 0.0, 1.0) * (len(ANCHORS) - 1)
    i = np.minimum(t.astype(int), len(ANCHORS) - 2)
    f = (t - i)[..., None]
    return (ANCHORS[i] * (1 - f) + ANCHORS[i + 1] * f).astype(np.uint8)


def font(size):
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default()


def read(path):
    """Returns (values as float64, valid mask)."""
    ds = gdal.Open(path)  # keep the dataset alive while its band is used
    band = ds.GetRasterBand(1)
    data = band.ReadAsArray().astype(np.float64)
    nodata = band.GetNoDataValue()
    valid = ~np.isnan(data)
    if nodata is not None:
        valid &= data != nodata
    return data, valid


def value_range(data, valid):
    if not valid.any():
        return 0.0, 1.0
    return float(data[valid].min()), float(data[valid].max())


def label(v):
    return f"{v:.4g}"


def render(data, valid, lo, hi, title, mask, width):
    t = (data - lo) / (hi - lo) if hi > lo else np.full_like(data, 0.5)
    rgb = ramp(np.where(valid, t, 0.0))
    rgb[~valid] = NONE_RGB
    if mask is not None:
        rgb[~valid & mask] = MASK_RGB
    rows, cols = data.shape
    scale = width / max(cols, 1)
    size = (max(1, round(cols * scale)), max(1, round(rows * scale)))
    img = Image.fromarray(rgb, "RGB").resize(size, Image.NEAREST)
    w, h = img.size
    canvas = Image.new("RGB", (w, h + FOOTER), (255, 255, 255))
    canvas.paste(img, (0, 0))
    draw = ImageDraw.Draw(canvas)
    bar_w = max(60, min(220, w // 3))
    bar = ramp(np.linspace(0, 1, 256))[None, :, :].repeat(12, axis=0)
    canvas.paste(Image.fromarray(bar, "RGB").resize((bar_w, 12)), (8, h + 8))
    small = font(12)
    draw.text((8, h + 24), label(lo), fill=(0, 0, 0), font=small)
    hi_txt = label(hi)
    draw.text((8 + bar_w - draw.textlength(hi_txt, font=small), h + 24), hi_txt, fill=(0, 0, 0), font=small)
    draw.rectangle((8, h + 42, 18, h + 52), fill=NONE_RGB)
    draw.text((22, h + 41), "no value", fill=(90, 90, 90), font=small)
    if mask is not None:
        draw.rectangle((90, h + 42, 100, h + 52), fill=MASK_RGB)
        draw.text((104, h + 41), "no value, land", fill=(90, 90, 90), font=small)
    draw.text((bar_w + 24, h + 4), title, fill=(0, 0, 0), font=font(17))
    draw.text((bar_w + 24, h + 28), f"{int(valid.sum())} pixels with a value",
              fill=(90, 90, 90), font=small)
    return canvas


def sheet(images, title, path, per_row=4):
    w = max(i.size[0] for i in images)
    h = max(i.size[1] for i in images)
    rows = (len(images) + per_row - 1) // per_row
    cols = min(per_row, len(images))
    head = 40
    out = Image.new("RGB", (cols * w + (cols + 1) * 6, head + rows * (h + 6)), (255, 255, 255))
    for k, img in enumerate(images):
        r, c = divmod(k, per_row)
        out.paste(img, (6 + c * (w + 6), head + r * (h + 6)))
    ImageDraw.Draw(out).text((8, 8), title, fill=(0, 0, 0), font=font(22))
    out.save(path, format="PNG", optimize=True)


def land_mask(src, dst, res):
    from osgeo import ogr
    ogr.UseExceptions()
    res = float(res)
    mem = ogr.GetDriverByName("Memory").CreateDataSource("")
    from osgeo import osr
    wgs84 = osr.SpatialReference()
    wgs84.ImportFromEPSG(4326)
    lyr = mem.CreateLayer("land", srs=wgs84, geom_type=ogr.wkbPolygon)

    def add(poly):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetGeometry(poly)
        lyr.CreateFeature(f)

    src_ds = gdal.OpenEx(src, gdal.OF_VECTOR)  # alive while its layer is read
    for feat in src_ds.GetLayer(0):
        geom = feat.GetGeometryRef()
        parts = [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())] \
            if geom.GetGeometryType() in (ogr.wkbMultiPolygon, ogr.wkbMultiPolygon25D) else [geom]
        for part in parts:
            x0, x1, _, _ = part.GetEnvelope()
            if x1 - x0 <= 180:
                add(part.Clone())
                continue
            for shift_negative_to_east in (True, False):
                p = part.Clone()
                for r in range(p.GetGeometryCount()):
                    ring = p.GetGeometryRef(r)
                    for k in range(ring.GetPointCount()):
                        x, y = ring.GetX(k), ring.GetY(k)
                        if shift_negative_to_east and x < 0:
                            x += 360
                        elif not shift_negative_to_east and x > 0:
                            x -= 360
                        ring.SetPoint_2D(k, x, y)
                add(p)
    w, h = int(round(360 / res)), int(round(180 / res))
    ds = gdal.GetDriverByName("GTiff").Create(dst, w, h, 1, gdal.GDT_Byte)
    ds.SetGeoTransform((-180, res, 0, 90, 0, -res))
    ds.SetProjection(wgs84.ExportToWkt())
    gdal.RasterizeLayer(ds, [1], lyr, burn_values=[1])
    ds = None


def main(argv):
    if len(argv) == 4 and argv[0] == "--land-mask":
        land_mask(*argv[1:])
        return
    if len(argv) == 3 and not any(a.startswith("--") for a in argv):
        argv = ["--panel"] + argv
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--panel", nargs="+", action="append", required=True,
                   metavar="RASTER PNG TITLE [GROUP]")
    p.add_argument("--mask")
    p.add_argument("--width", type=int, default=720)
    p.add_argument("--sheet")
    p.add_argument("--sheet-title", default="")
    p.add_argument("--sheet-width", type=int, default=480, help="map width of a panel in the sheet")
    a = p.parse_args(argv)
    for panel in a.panel:
        if len(panel) not in (3, 4):
            p.error("--panel takes RASTER PNG TITLE [GROUP]")

    mask = None
    if a.mask:
        m, mv = read(a.mask)
        mask = mv & (m != 0)
    loaded = [read(panel[0]) for panel in a.panel]
    ranges = [value_range(d, v) for d, v in loaded]
    groups = {}
    for panel, r in zip(a.panel, ranges):
        if len(panel) == 4:
            lo, hi = groups.get(panel[3], (np.inf, -np.inf))
            groups[panel[3]] = (min(lo, r[0]), max(hi, r[1]))
    images = []
    for panel, (data, valid), r in zip(a.panel, loaded, ranges):
        lo, hi = groups[panel[3]] if len(panel) == 4 else r
        if mask is not None and mask.shape != data.shape:
            sys.exit(f"quicklook: {a.mask} is {mask.shape}, {panel[0]} is {data.shape}")
        render(data, valid, lo, hi, panel[2], mask, a.width).save(panel[1], format="PNG", optimize=True)
        if a.sheet:
            images.append(render(data, valid, lo, hi, panel[2], mask, a.sheet_width))
    if a.sheet:
        sheet(images, a.sheet_title, a.sheet)


if __name__ == "__main__":
    main(sys.argv[1:])
