"""The Processing provider "merge_rasterize" with one algorithm."""
from qgis.core import QgsProcessingProvider

from .algorithm import MergeRasterizeAlgorithm


class MergeRasterizeProvider(QgsProcessingProvider):
    def id(self):
        return "merge_rasterize"

    def name(self):
        return "Merge rasterize"

    def longName(self):  # noqa: N802
        return "Merge rasterize (per-pixel merge modes for GDAL rasterize)"

    def loadAlgorithms(self):  # noqa: N802
        self.addAlgorithm(MergeRasterizeAlgorithm())
