"""QGIS plugin entry point: registers the merge-rasterize Processing provider."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import MergeRasterizePlugin
    return MergeRasterizePlugin(iface)
