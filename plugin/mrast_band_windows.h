/* Hands the kernels GDAL's own buffers, in place: a MEM band's memory, or
 * row windows of the raster read into a bounded RasterIO buffer (never a
 * raster-sized copy: windows are sized from GDAL_CACHEMAX). */
#ifndef MRAST_BAND_WINDOWS_H
#define MRAST_BAND_WINDOWS_H

#include <functional>
#include <vector>

#include "gdal.h"
#include "mrast/raster_view.hpp"

namespace mrast_gdal
{

/* Called once per window with one BandBuffer per band (same window). Returns
 * false to stop (after CPLError). */
using WindowBurner =
    std::function<bool(const std::vector<mrast::BandBuffer> &, double dfStart,
                       double dfEnd)>;

/* Maps a GDAL type to the kernels' type; false for complex/unknown. */
bool ToPixelType(GDALDataType eType, mrast::PixelType &eOut);

/* Visits the raster window by window (bands of one type). nRowBytesHint is
 * unused by MEM datasets; for others it sizes the windows. */
bool ForEachWindow(GDALDatasetH hDS, const std::vector<int> &anBands,
                   const WindowBurner &fnBurn);

}  // namespace mrast_gdal

#endif
