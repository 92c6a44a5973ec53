#!/usr/bin/env python3
"""PNG quick-look of a one-band raster: a colour ramp, a legend and a title.

usage: quicklook.py RASTER PNG TITLE

Pixels equal to the band's nodata (or NaN) are drawn dark grey; the ramp
spans the valid minimum to maximum; the legend bar gives both ends.
"""
import sys

import numpy as np
from osgeo import gdal
from PIL import Image, ImageDraw, ImageFont

gdal.UseExceptions()

# A perceptually ordered ramp (dark blue -> teal -> yellow), 5 anchors.
ANCHORS = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], float)


def ramp(t):
    """Maps t in [0, 1] to RGB by linear interpolation between the anchors."""
    t = np.clip(t, 0.0, 1.0) * (len(ANCHORS) - 1)
    i = np.minimum(t.astype(int), len(ANCHORS) - 2)
    f = (t - i)[..., None]
    return (ANCHORS[i] * (1 - f) + ANCHORS[i + 1] * f).astype(np.uint8)


def font(size):
    try:
        return ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default()


def main(src, dst, title):
    ds = gdal.Open(src)
    band = ds.GetRasterBand(1)
    data = band.ReadAsArray().astype(np.float64)
    nodata = band.GetNoDataValue()
    valid = ~np.isnan(data)
    if nodata is not None:
        valid &= data != nodata
    lo, hi = (float(data[valid].min()), float(data[valid].max())) if valid.any() else (0.0, 1.0)
    t = (data - lo) / (hi - lo) if hi > lo else np.zeros_like(data)
    rgb = ramp(np.where(valid, t, 0.0))
    rgb[~valid] = (40, 40, 40)

    scale = max(1, 720 // max(data.shape[1], 1))
    img = Image.fromarray(rgb, "RGB").resize((data.shape[1] * scale, data.shape[0] * scale), Image.NEAREST)
    w, h = img.size
    canvas = Image.new("RGB", (w, h + 70), (255, 255, 255))
    canvas.paste(img, (0, 0))
    draw = ImageDraw.Draw(canvas)
    bar = ramp(np.linspace(0, 1, 256))[None, :, :].repeat(14, axis=0)
    bar_w = min(256, w - 20)
    canvas.paste(Image.fromarray(bar, "RGB").resize((bar_w, 14)), (10, h + 8))
    f = font(13)
    draw.text((10, h + 26), f"{lo:g}", fill=(0, 0, 0), font=f)
    draw.text((10 + bar_w - 60, h + 26), f"{hi:g}", fill=(0, 0, 0), font=f)
    draw.text((bar_w + 30, h + 6), title, fill=(0, 0, 0), font=font(16))
    draw.text((bar_w + 30, h + 30), f"{int(valid.sum())} pixels with a value; grey = none",
              fill=(90, 90, 90), font=f)
    canvas.save(dst)


if __name__ == "__main__":
    main(*sys.argv[1:4])
