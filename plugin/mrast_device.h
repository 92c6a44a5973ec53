/* Where a burn runs: --device auto|cpu|cuda, DEVICE=. The GPU path
 * (mrast::cuda_burn) merges into GDAL's buffer in place, so it serves
 * outputs whose whole band memory GDAL hands out (MEM datasets: the C API on
 * a MEM dataset, -of MEM, and drivers written through MEM such as PNG);
 * other outputs are merged on the CPU block by block. */
#ifndef MRAST_DEVICE_H
#define MRAST_DEVICE_H

#include <vector>

#include "gdal.h"
#include "mrast/burn.hpp"
#include "mrast_options.h"

namespace mrast_gdal
{

/* False (after CPLError) when CUDA is requested and no usable device is
 * there: no driver, no GPU, or a build without CUDA. */
bool CheckDevice(Device eDevice);

enum class GpuOutcome
{
    NotTried,  // the caller burns on the CPU: device cpu; auto and the work
               // too small to win; no usable GPU; an output not in memory
    Done,      // merged (by the GPU, or by its own exact CPU fallback)
    Failed,    // a GPU error after GDAL's buffer may have changed (CPLError)
};

/* Tries the GPU for one whole batch into anBands of hDstDS. */
GpuOutcome TryBurnOnGpu(GDALDatasetH hDstDS, const std::vector<int> &anBands,
                        const mrast::GeometryBatch &oBatch,
                        const mrast::BurnOptions &oOptions, Device eDevice);

}  // namespace mrast_gdal

#endif
