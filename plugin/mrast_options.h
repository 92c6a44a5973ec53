/* One options structure, filled by the drop-in CLI, the GDAL algorithm and
 * the C API alike, and consumed by the one engine (mrast_engine.h). */
#ifndef MRAST_OPTIONS_H
#define MRAST_OPTIONS_H

#include <string>
#include <vector>

#include "gdal.h"
#include "mrast/burn.hpp"

namespace mrast_gdal
{

enum class Device
{
    Auto,
    Cpu,
    Cuda
};

struct MergeRasterizeOptions
{
    /* What to read. */
    std::vector<std::string> aosLayers{};  // -l, in order
    std::string osSQL{};                   // -sql
    std::string osDialect{};               // -dialect
    std::string osWhere{};                 // -where
    std::vector<std::string> aosOpenOptions{};  // -oo

    /* What to burn. */
    std::vector<int> anBands{};           // -b (1-based); default: all / 1
    std::vector<double> adfBurnValues{};  // -burn
    std::string osBurnAttribute{};        // -a
    bool b3D = false;                     // -3d
    bool bInverse = false;                // -i
    bool bAllTouched = false;             // -at
    mrast::MergeMode eMerge = mrast::MergeMode::Last;  // -merge / -add

    /* A new output: how to create it. */
    bool bCreateOutput = false;  // set by options that imply creation
    std::string osFormat{};      // -of
    std::vector<std::string> aosCreationOptions{};  // -co
    GDALDataType eOutputType = GDT_Unknown;         // -ot
    bool bHasNoData = false;                         // -a_nodata
    std::string osNoData{};
    std::vector<double> adfInitValues{};  // -init
    bool bHasExtent = false;              // -te
    double adfExtent[4] = {0, 0, 0, 0};   // xmin ymin xmax ymax
    double dfXRes = 0, dfYRes = 0;        // -tr
    bool bTargetAlignedPixels = false;    // -tap
    int nXSize = 0, nYSize = 0;           // -ts
    std::string osOutputSRS{};            // -a_srs
    std::vector<std::string> aosTransformerOptions{};  // -to

    /* How to run. */
    Device eDevice = Device::Auto;
    int nThreads = 0;  // 0 = all cores
    bool bQuiet = false;
    GDALProgressFunc pfnProgress = nullptr;
    void *pProgressData = nullptr;
};

}  // namespace mrast_gdal

#endif
