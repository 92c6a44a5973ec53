/* Creating a new output raster the way gdal_rasterize does (extent from the
 * layers or -te, -tr/-ts/-tap, -ot, -a_nodata, -init, -a_srs), through MEM
 * and CreateCopy for drivers that cannot Create (PNG, COG, ...). */
#ifndef MRAST_OUTPUT_H
#define MRAST_OUTPUT_H

#include <string>
#include <vector>

#include "gdal.h"
#include "mrast_options.h"
#include "ogr_api.h"

namespace mrast_gdal
{

struct NewOutput
{
    GDALDatasetH hDS = nullptr;     // the dataset to burn into
    GDALDriverH hFinalDriver = nullptr;  // non-null: CreateCopy to it at the end
    std::string osFinalPath{};
    std::vector<std::string> aosFinalCreationOptions{};
};

/* Creates the output. Returns false (after CPLError) on failure. */
bool CreateOutputRaster(const std::vector<OGRLayerH> &ahLayers,
                        const char *pszDest,
                        const MergeRasterizeOptions &sOptions, int nBandCount,
                        NewOutput &oOut);

/* Writes the final copy for drivers without Create, then closes it. */
bool FinishOutputRaster(NewOutput &oOut, GDALProgressFunc pfnProgress,
                        void *pProgressData);

}  // namespace mrast_gdal

#endif
