/* Burns geometry batches into GDAL's own buffers, in place, window by
 * window:
 *  - a MEM band's memory (one window, the whole raster);
 *  - otherwise the blocks of GDAL's block cache, locked with
 *    GDALRasterBand::GetLockedBlockRef() a bounded group at a time (the
 *    group's blocks take at most half of GDAL_CACHEMAX), each block one
 *    window of the kernels (mrast::BandBuffer x_offset/y_offset: geometry
 *    stays in whole-raster pixel coordinates, so windowing never changes a
 *    pixel);
 *  - as a fallback (bands whose block sizes differ), row windows read with
 *    RasterIO into a buffer of at most half of GDAL_CACHEMAX, the cache
 *    flushed after each window.
 * Peak memory is GDAL_CACHEMAX plus the geometries, whatever the raster
 * size. */
#ifndef MRAST_BAND_WINDOWS_H
#define MRAST_BAND_WINDOWS_H

#include <cstdint>
#include <functional>
#include <vector>

#include "gdal.h"
#include "mrast/burn.hpp"
#include "mrast/geometry.hpp"
#include "mrast/raster_view.hpp"

namespace mrast_gdal
{

/* The memory of MEM bands, for the kernels to merge into in place (flushes
 * GDAL's block cache of those bands first). False when hDS is not a MEM
 * dataset of a layout MEM creates itself. */
bool MemBandBuffers(GDALDatasetH hDS, const std::vector<int> &anBands,
                    std::vector<mrast::BandBuffer> &aoOut);

/* Maps a GDAL type to the kernels' type; false for complex/unknown. */
bool ToPixelType(GDALDataType eType, mrast::PixelType &eOut);

/* Conservative pixel bounding box of every feature of a batch (pixel
 * space), so that a window only considers the features that may touch it:
 * 4 values per feature, first column, last column, first row, last row
 * (first > last: the feature burns nothing). */
void ComputeFeatureBounds(const mrast::GeometryBatch &oBatch,
                          std::vector<std::int32_t> &anBounds);

/* Receives one batch (pixel space, input order) and its bounds. Returns
 * false to stop (after CPLError). */
using BatchConsumer = std::function<bool(
    const mrast::GeometryBatch &, const std::vector<std::int32_t> &)>;

/* Feeds every batch, in input order, to the consumer. Called once per group
 * of windows: a source that holds all its geometries replays them; one that
 * does not (input larger than the geometry budget) reads its input again. */
using BatchSource = std::function<bool(const BatchConsumer &)>;

/* Burns the batches of fnSource into anBands of hDS (bands of one type) with
 * oOptions (mode, all_touched, update, nodata, max_features; threads is the
 * total thread count). Progress goes from dfStart to dfEnd; the progress
 * function returning FALSE cancels (CPLE_UserInterrupt). */
bool BurnWindows(GDALDatasetH hDS, const std::vector<int> &anBands,
                 const BatchSource &fnSource,
                 const mrast::BurnOptions &oOptions,
                 GDALProgressFunc pfnProgress, void *pProgressData,
                 double dfStart, double dfEnd);

}  // namespace mrast_gdal

#endif
