/* The one run path behind the CLI, the GDAL algorithm and the C API. */
#ifndef MRAST_ENGINE_H
#define MRAST_ENGINE_H

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "gdal.h"
#include "gdal_alg.h"
#include "mrast_geometry_batch.h"
#include "mrast_device.h"  // CheckDevice()
#include "mrast_options.h"
#include "ogr_api.h"

namespace mrast_gdal
{

/* Burns the layers of hSrcDS into pszDest (a new raster when the options ask
 * for one or no hDstDS is given and pszDest does not exist) or into hDstDS
 * (update mode). Returns the output dataset (the caller closes it; it is
 * hDstDS itself in update mode) or nullptr after a CPLError. *pbUsageError
 * is set for command-line mistakes. */
GDALDatasetH RunMergeRasterize(const char *pszDest, GDALDatasetH hDstDS,
                               GDALDatasetH hSrcDS,
                               const MergeRasterizeOptions &sOptions,
                               bool *pbUsageError);

/* ---- The pieces RunMergeRasterize is made of, shared with the C API ---- */

/* Where the burn values of one layer's features come from. */
struct LayerBurnSource
{
    const double *padfBurnValues = nullptr;  // one per band, or nullptr
    std::string osAttribute{};  // else this field (numbers; strings parsed)
    // (neither: 0, for BURN_VALUE_FROM=Z / -3d alone)
    bool bMissingAttributeIsError = true;  // false: warn, skip the layer
                                           // (GDALRasterizeLayers())
    bool bReproject = true;  // layer CRS -> output CRS through OGR
    bool bInverse = false;   // -i: burn the complement of the layer's
                             // polygons, as one feature
};

/* Appends the features of hLayer (read order, attribute filter applied) to
 * oBuilder in the georeferenced coordinates of hDstDS. With a budget,
 * fnBudgetReached is called whenever oBuilder holds more than nBudgetBytes
 * (it typically burns and clears the builder); its false stops the
 * collection, which then returns false. */
bool CollectLayerFeatures(OGRLayerH hLayer, GDALDatasetH hDstDS,
                          const LayerBurnSource &oSource, int nBandCount,
                          GeometryBatchBuilder &oBuilder,
                          std::size_t nBudgetBytes = 0,
                          const std::function<bool()> &fnBudgetReached = {});

/* Bytes of geometry held in memory at once (MRAST_GEOMETRY_BATCH_BYTES,
 * config option or environment; default 256 MiB). Input beyond it streams:
 * see RunMergeRasterize(). */
std::size_t GeometryBatchBudget();


/* CPLError and false unless every band exists and has a supported type. */
bool CheckBurnBands(GDALDatasetH hDstDS, const std::vector<int> &anBands);

/* Burns the features collected in oBuilder into anBands of an existing
 * dataset, in place: moves the vertices not yet transformed to pixel space
 * (with pfnTransformer, or GDAL's geo -> pixel transformer of hDstDS when it
 * is null, with sOptions.aosTransformerOptions), then merges with
 * sOptions.eMerge / bAllTouched / nThreads / eDevice. bUpdate: existing
 * pixel values (other than nodata) are contributors; false only for a
 * raster this run has just created, each band holding one value (the GPU
 * path relies on it, see mrast_device.cpp). */
bool BurnIntoDataset(GDALDatasetH hDstDS, const std::vector<int> &anBands,
                     GeometryBatchBuilder &oBuilder,
                     GDALTransformerFunc pfnTransformer, void *pTransformArg,
                     const MergeRasterizeOptions &sOptions, bool bUpdate,
                     GDALProgressFunc pfnProgress, void *pProgressData);

}  // namespace mrast_gdal

#endif
