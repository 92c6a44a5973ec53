/******************************************************************************
 * merge-rasterize C API: GDALRasterizeGeometries() / GDALRasterizeLayers()
 * with a per-pixel merge mode.
 *
 * The two functions take exactly the arguments of their GDAL counterparts
 * (alg/gdal_alg.h) and burn in place into the bands of an existing dataset.
 * Options (papszOptions), GDAL's own first:
 *
 *   ALL_TOUCHED=YES/NO     as GDAL (supercover of lines and polygon rings).
 *   BURN_VALUE_FROM=Z      burn value + Z of each vertex, as GDAL.
 *   MERGE_ALG=REPLACE/ADD  as GDAL: REPLACE is MERGE=last, ADD is MERGE=sum.
 *   CHUNKYSIZE=n           accepted; windows are sized from GDAL_CACHEMAX.
 *   OPTIM=AUTO/RASTER/VECTOR  accepted (results are identical).
 *   ATTRIBUTE=field        (GDALMergeRasterizeLayers only) burn this field;
 *                          a layer without it is skipped with a warning.
 *   MERGE=last|first|min|max|sum|count|mean   how the contributors of a pixel
 *                          combine (default last). Conflicts with a different
 *                          MERGE_ALG are an error.
 *   DEVICE=auto|cpu|cuda   where to run (default auto).
 *   NUM_THREADS=n|ALL_CPUS CPU worker threads (default ALL_CPUS); the result
 *                          does not depend on it.
 *
 * Contributors to a pixel: its existing value unless it is the band's nodata
 * value (so set a nodata value, and fill the band with it, when untouched
 * pixels must not count in first/min/max/count/mean), then each geometry
 * covering it, in array / layer / read order. A geometry contributes to a
 * pixel at most once.
 *
 * Both functions return CE_None or CE_Failure (after CPLError); they never
 * let a C++ exception escape.
 *****************************************************************************/
#ifndef GDAL_MERGE_RASTERIZE_H_INCLUDED
#define GDAL_MERGE_RASTERIZE_H_INCLUDED

#include "cpl_port.h"
#include "gdal.h"
#include "gdal_alg.h"
#include "ogr_api.h"

#if defined(_WIN32) && defined(GDAL_MERGE_RASTERIZE_BUILDING)
#define GDAL_MERGE_RASTERIZE_API __declspec(dllexport)
#elif defined(_WIN32)
#define GDAL_MERGE_RASTERIZE_API __declspec(dllimport)
#else
#define GDAL_MERGE_RASTERIZE_API __attribute__((visibility("default")))
#endif

#define GDAL_MERGE_RASTERIZE_VERSION_MAJOR 0
#define GDAL_MERGE_RASTERIZE_VERSION_MINOR 1

CPL_C_START

/* Same arguments as GDALRasterizeGeometries(): padfGeomBurnValues holds
 * nBandCount values per geometry; pfnTransformer maps georeferenced to pixel
 * coordinates (NULL: the dataset's geotransform). */
GDAL_MERGE_RASTERIZE_API CPLErr GDALMergeRasterizeGeometries(
    GDALDatasetH hDS, int nBandCount, const int *panBandList, int nGeomCount,
    const OGRGeometryH *pahGeometries, GDALTransformerFunc pfnTransformer,
    void *pTransformArg, const double *padfGeomBurnValues,
    CSLConstList papszOptions, GDALProgressFunc pfnProgress,
    void *pProgressArg);

/* Same arguments as GDALRasterizeLayers(): padfLayerBurnValues holds
 * nBandCount values per layer (unused with ATTRIBUTE=); with a NULL
 * transformer each layer is reprojected to the dataset's CRS. */
GDAL_MERGE_RASTERIZE_API CPLErr GDALMergeRasterizeLayers(
    GDALDatasetH hDS, int nBandCount, int *panBandList, int nLayerCount,
    OGRLayerH *pahLayers, GDALTransformerFunc pfnTransformer,
    void *pTransformArg, double *padfLayerBurnValues, char **papszOptions,
    GDALProgressFunc pfnProgress, void *pProgressArg);

CPL_C_END

#endif /* GDAL_MERGE_RASTERIZE_H_INCLUDED */
