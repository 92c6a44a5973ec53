"""Adds the Processing provider to QGIS's registry (desktop and qgis_process)."""
from qgis.core import QgsApplication

from .provider import MergeRasterizeProvider


class MergeRasterizePlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS calls it, also in qgis_process)
        self.provider = MergeRasterizeProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
