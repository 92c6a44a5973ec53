"""Runs merge-rasterize without any QGIS import, so it can be tested and
reused alone.

Two engines, the same pixels:
  * "gdal": the GDAL algorithm, gdal.Run("vector", "merge-rasterize", ...)
    (GDAL >= 3.11 with gdal_merge_rasterize.so in GDAL's plugin directory or
    GDAL_DRIVER_PATH -- set before QGIS starts, GDAL scans it once);
  * "cli": the drop-in command `gdal_merge_rasterize` (any GDAL >= 3.6),
    found on PATH or through $MERGE_RASTERIZE_CLI; GDAL's progress bar on its
    stdout ("0...10...20...") is turned into progress calls.
"auto" (the default, or $MERGE_RASTERIZE_ENGINE) takes "gdal" when the
algorithm is declared, else "cli".
"""
import os
import shutil
import subprocess
import dataclasses
from dataclasses import dataclass
from typing import Callable, List, Optional

MODES = ["last", "first", "min", "max", "sum", "count", "mean"]
DEVICES = ["auto", "cpu", "cuda"]
DATA_TYPES = ["Float32", "Float64", "Byte", "Int16", "UInt16", "Int32", "UInt32"]


class MergeRasterizeError(RuntimeError):
    pass


@dataclass
class Request:
    """One run; `extent` is (xmin, ymin, xmax, ymax) in the output CRS."""
    source: str
    output: str
    layer: str = ""
    field: str = ""              # burn this attribute, else `burn`
    burn: float = 1.0
    merge: str = "last"
    all_touched: bool = False
    extent: Optional[List[float]] = None
    resolution: Optional[float] = None   # either resolution ...
    size: Optional[List[int]] = None     # ... or size in pixels
    crs: str = ""                # output CRS (WKT / EPSG:n), "" = the layer's
    data_type: str = "Float32"
    nodata: Optional[float] = None
    device: str = "auto"
    output_format: str = "GTiff"
    extra: List[str] = dataclasses.field(default_factory=list)

    def check(self):
        if self.merge not in MODES:
            raise MergeRasterizeError(f"unknown merge mode '{self.merge}' (one of {', '.join(MODES)})")
        if self.device not in DEVICES:
            raise MergeRasterizeError(f"unknown device '{self.device}' (one of {', '.join(DEVICES)})")
        if (self.resolution is None) == (self.size is None):
            raise MergeRasterizeError("give either a resolution or a size (a template raster)")
        if self.resolution is not None and not self.resolution > 0:
            raise MergeRasterizeError("the resolution must be positive")


def cli_arguments(r: Request) -> List[str]:
    """The gdal_merge_rasterize command line (without the program name)."""
    r.check()
    args = ["-merge", r.merge, "-device", r.device, "-ot", r.data_type, "-of", r.output_format]
    args += ["-a", r.field] if r.field else ["-burn", repr(float(r.burn))]
    if r.all_touched:
        args.append("-at")
    if r.extent:
        args += ["-te"] + [repr(float(v)) for v in r.extent]
    if r.resolution is not None:
        args += ["-tr", repr(float(r.resolution)), repr(float(r.resolution))]
    else:
        args += ["-ts", str(int(r.size[0])), str(int(r.size[1]))]
    if r.crs:
        args += ["-a_srs", r.crs]
    if r.nodata is not None:
        args += ["-a_nodata", repr(float(r.nodata))]
    if r.layer:
        args += ["-l", r.layer]
    return args + list(r.extra) + [r.source, r.output]


def gdal_run_arguments(r: Request) -> dict:
    """The same run as arguments of gdal.Run("vector", "merge-rasterize")."""
    r.check()
    a = {"input": r.source, "output": r.output, "merge": r.merge, "device": r.device,
         "output_data_type": r.data_type, "output_format": r.output_format, "overwrite": True}
    if r.field:
        a["attribute_name"] = r.field
    else:
        a["burn"] = [float(r.burn)]
    if r.all_touched:
        a["all_touched"] = True
    if r.extent:
        a["extent"] = [float(v) for v in r.extent]
    if r.resolution is not None:
        a["resolution"] = [float(r.resolution), float(r.resolution)]
    else:
        a["size"] = [int(r.size[0]), int(r.size[1])]
    if r.crs:
        a["crs"] = r.crs
    if r.nodata is not None:
        a["nodata"] = float(r.nodata)
    if r.layer:
        a["layer"] = r.layer
    return a


def algorithm_available() -> bool:
    try:
        from osgeo import gdal
        if int(gdal.VersionInfo("VERSION_NUM")) < 3110000:
            return False
        vector = gdal.GetGlobalAlgorithmRegistry().InstantiateAlg("vector")
        return "merge-rasterize" in vector.GetSubAlgorithmNames()
    except Exception:  # no bindings, or an older GDAL
        return False


def find_cli() -> Optional[str]:
    exe = os.environ.get("MERGE_RASTERIZE_CLI")
    if exe:
        return exe
    return shutil.which("gdal_merge_rasterize")


def choose_engine(engine: str = "") -> str:
    engine = engine or os.environ.get("MERGE_RASTERIZE_ENGINE", "auto")
    if engine == "auto":
        return "gdal" if algorithm_available() else "cli"
    if engine not in ("gdal", "cli"):
        raise MergeRasterizeError(f"unknown engine '{engine}' (auto, gdal, cli)")
    return engine


def run(r: Request, progress: Callable[[float], bool] = lambda f: True,
        log: Callable[[str], None] = print, engine: str = "") -> str:
    """Runs `r`; progress(fraction) returning False cancels. Returns the engine used."""
    engine = choose_engine(engine)
    if os.path.exists(r.output):
        os.remove(r.output)
    if engine == "gdal":
        from osgeo import gdal
        args = gdal_run_arguments(r)
        log("gdal.Run('vector', 'merge-rasterize', " +
            ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")")
        try:
            with gdal.Run("vector", "merge-rasterize", arguments=args,
                          progress=lambda pct, msg, data: bool(progress(pct))):
                pass
        except RuntimeError as e:
            raise MergeRasterizeError(str(e)) from e
        return engine

    exe = find_cli()
    if not exe:
        raise MergeRasterizeError("gdal_merge_rasterize not found: put it on PATH or set MERGE_RASTERIZE_CLI, "
                                  "or install the GDAL algorithm module (GDAL >= 3.11)")
    cmd = [exe] + cli_arguments(r)
    log(" ".join(cmd))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    digits = ""
    cancelled = False
    while True:
        c = proc.stdout.read(1)
        if not c:
            break
        c = c.decode("ascii", "replace")
        if c.isdigit():
            digits += c
        else:
            if digits and not progress(int(digits) / 100.0):
                cancelled = True
                proc.terminate()
                break
            digits = ""
    err = proc.stderr.read().decode("utf-8", "replace")
    rc = proc.wait()
    if err.strip():
        log(err.strip())
    if cancelled:
        raise MergeRasterizeError("cancelled")
    if rc != 0:
        raise MergeRasterizeError(err.strip().splitlines()[-1] if err.strip() else f"exit status {rc}")
    return engine
