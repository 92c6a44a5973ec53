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

/* A new output is written under a temporary name next to the destination
 * (same directory, so that the final rename is atomic; same extension, so
 * that the driver and its side files see the usual names):
 * <stem>.mrast-tmp-<pid>[-<n>].<ext>, renamed to the destination with
 * GDALRenameDataset() (main file and side files: .aux.xml, .ovr, .hdr...)
 * once complete, deleted after a failure or a cancellation. Destinations
 * without a plain directory (empty name, MEM, /vsi other than /vsimem/) are
 * written directly. */
struct NewOutput
{
    GDALDatasetH hDS = nullptr;          // the dataset to burn into
    GDALDriverH hDriver = nullptr;       // the output driver
    bool bCreateCopy = false;  // hDS is MEM, CreateCopy'd to hDriver at the end
    std::string osDest{};      // the destination asked for
    std::string osTempPath{};  // where it is written first ("": osDest)
    bool bDestExisted = false;  // the destination existed before the run
    std::vector<std::string> aosCreationOptions{};
};

/* Creates the output. Returns false (after CPLError) on failure; call
 * AbandonOutputRaster() then too. */
bool CreateOutputRaster(const std::vector<OGRLayerH> &ahLayers,
                        const char *pszDest,
                        const MergeRasterizeOptions &sOptions, int nBandCount,
                        NewOutput &oOut);

/* Completes the output: the CreateCopy for drivers without Create, the
 * close, the rename of the temporary file (replacing an existing
 * destination, as Create would). Returns the destination reopened (update
 * mode where the driver allows it), or, when no temporary file or copy was
 * needed, the dataset still open; nullptr after a CPLError (the temporary
 * file is then removed). */
GDALDatasetH FinishOutputRaster(NewOutput &oOut, GDALProgressFunc pfnProgress,
                                void *pProgressData);

/* After a failure or a cancellation: closes the dataset and removes what was
 * written (the temporary file and its side files; a destination written
 * directly is removed only if it did not exist before). Errors raised while
 * cleaning up are silenced so that the cause stays the last error. */
void AbandonOutputRaster(NewOutput &oOut);

}  // namespace mrast_gdal

#endif
