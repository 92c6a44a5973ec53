/* The one run path behind the CLI, the GDAL algorithm and the C API. */
#ifndef MRAST_ENGINE_H
#define MRAST_ENGINE_H

#include "gdal.h"
#include "mrast_options.h"

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

}  // namespace mrast_gdal

#endif
