"""Processing algorithm merge_rasterize:mergerasterize ("Merge rasterize")."""
from osgeo import gdal
from qgis.core import (QgsCoordinateReferenceSystem, QgsProcessing, QgsProcessingAlgorithm,
                       QgsProcessingException, QgsProcessingParameterBoolean,
                       QgsProcessingParameterEnum, QgsProcessingParameterExtent,
                       QgsProcessingParameterField, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterVectorLayer, QgsRasterFileWriter)

from . import engine

GDAL_VECTOR_FORMATS = ["gpkg", "shp", "geojson", "json", "fgb", "gml", "kml", "csv", "sqlite", "tab"]


class MergeRasterizeAlgorithm(QgsProcessingAlgorithm):
    INPUT = "INPUT"
    FIELD = "FIELD"
    BURN = "BURN"
    MERGE = "MERGE"
    ALL_TOUCHED = "ALL_TOUCHED"
    EXTENT = "EXTENT"
    RESOLUTION = "RESOLUTION"
    TEMPLATE = "TEMPLATE"
    DATA_TYPE = "DATA_TYPE"
    NODATA = "NODATA"
    DEVICE = "DEVICE"
    OUTPUT = "OUTPUT"

    def createInstance(self):  # noqa: N802
        return MergeRasterizeAlgorithm()

    def name(self):
        return "mergerasterize"

    def displayName(self):  # noqa: N802
        return "Merge rasterize"

    def shortHelpString(self):  # noqa: N802
        return ("Burns the features of a vector layer into a new raster, combining the features "
                "that cover a pixel with a merge mode: last (GDAL's replace), first, min, max, "
                "sum (GDAL's add), count or mean. Pixels follow gdal_rasterize's rules (pixel "
                "centre, or all touched); a feature counts once per pixel. The grid is the extent "
                "(default: the layer's) and a resolution in the layer's units, or a template "
                "raster's extent, size and CRS. Runs `gdal vector merge-rasterize` (GDAL >= 3.11 "
                "with the plugin) or the `gdal_merge_rasterize` command.")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INPUT, "Input layer", [QgsProcessing.TypeVectorAnyGeometry]))
        self.addParameter(QgsProcessingParameterField(
            self.FIELD, "Burn field (empty: the fixed value)", parentLayerParameterName=self.INPUT,
            type=QgsProcessingParameterField.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.BURN, "Fixed burn value", QgsProcessingParameterNumber.Double, defaultValue=1.0))
        self.addParameter(QgsProcessingParameterEnum(
            self.MERGE, "Merge mode", options=engine.MODES, defaultValue=engine.MODES.index("mean")))
        self.addParameter(QgsProcessingParameterBoolean(
            self.ALL_TOUCHED, "All touched pixels (not only those whose centre is covered)",
            defaultValue=False))
        self.addParameter(QgsProcessingParameterExtent(
            self.EXTENT, "Extent (empty: the layer's)", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.RESOLUTION, "Resolution (layer units; not with a template)",
            QgsProcessingParameterNumber.Double, optional=True, minValue=0.0))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.TEMPLATE, "Template raster (its extent, size and CRS)", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.DATA_TYPE, "Output data type", options=engine.DATA_TYPES, defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.NODATA, "Nodata value (empty: none)", QgsProcessingParameterNumber.Double,
            optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.DEVICE, "Device", options=engine.DEVICES, defaultValue=0))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, "Merged raster"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        source, layer_name = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, self.INPUT, context, GDAL_VECTOR_FORMATS, "gpkg", feedback)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        ext = output.rsplit(".", 1)[-1] if "." in output else "tif"
        fmt = QgsRasterFileWriter.driverForExtension(ext) or "GTiff"

        nodata = None
        if parameters.get(self.NODATA) not in (None, ""):
            nodata = self.parameterAsDouble(parameters, self.NODATA, context)
        req = engine.Request(
            source=source, output=output, layer=layer_name or "",
            field=self.parameterAsString(parameters, self.FIELD, context) or "",
            burn=self.parameterAsDouble(parameters, self.BURN, context),
            merge=engine.MODES[self.parameterAsEnum(parameters, self.MERGE, context)],
            all_touched=self.parameterAsBool(parameters, self.ALL_TOUCHED, context),
            data_type=engine.DATA_TYPES[self.parameterAsEnum(parameters, self.DATA_TYPE, context)],
            nodata=nodata,
            device=engine.DEVICES[self.parameterAsEnum(parameters, self.DEVICE, context)],
            output_format=fmt)

        template = self.parameterAsRasterLayer(parameters, self.TEMPLATE, context)
        if template is not None:
            ds = gdal.Open(template.source())
            if ds is None:
                raise QgsProcessingException(f"cannot open the template raster {template.source()}")
            gt = ds.GetGeoTransform()
            if gt[2] != 0 or gt[4] != 0:
                raise QgsProcessingException("the template raster must be north-up")
            w, h = ds.RasterXSize, ds.RasterYSize
            xs = sorted([gt[0], gt[0] + w * gt[1]])
            ys = sorted([gt[3], gt[3] + h * gt[5]])
            req.extent = [xs[0], ys[0], xs[1], ys[1]]
            req.size = [w, h]
            req.crs = ds.GetProjection() or ""
            ds = None
        else:
            if parameters.get(self.RESOLUTION) in (None, ""):
                raise QgsProcessingException("give a resolution or a template raster")
            req.resolution = self.parameterAsDouble(parameters, self.RESOLUTION, context)
            crs = layer.crs() if layer.crs().isValid() else QgsCoordinateReferenceSystem("EPSG:4326")
            rect = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
            if rect is None or rect.isNull() or rect.isEmpty():
                rect = layer.extent()
            req.extent = [rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum()]

        try:
            used = engine.run(req, progress=lambda f: (feedback.setProgress(100.0 * f),
                                                       not feedback.isCanceled())[1],
                              log=feedback.pushInfo)
        except engine.MergeRasterizeError as e:
            raise QgsProcessingException(f"merge-rasterize failed: {e}") from e
        feedback.pushInfo(f"merge-rasterize ({used} engine): {req.merge} -> {output}")
        return {self.OUTPUT: output}
