#include "mrast_device.h"

#include <cstdint>

#include "cpl_error.h"
#include "mrast/cuda_burn.hpp"
#include "mrast_band_windows.h"

namespace mrast_gdal
{

namespace
{

/* --device auto takes the GPU only where it wins: moving GDAL's buffer over
 * PCIe costs more than a small burn (bench/RESULTS.md: at 16384x16384 with
 * 100k polygons 16 CPU threads beat any path that moves the raster). */
constexpr std::int64_t kAutoMinPixels = 4 * 1024 * 1024;
constexpr std::size_t kAutoMinFeatures = 10000;

}  // namespace

bool CheckDevice(Device eDevice)
{
    if (eDevice == Device::Cuda && !mrast::cuda_device_available())
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "CUDA requested (device cuda) but no usable CUDA device was "
                 "found (no GPU or driver, or merge-rasterize was built "
                 "without CUDA).");
        return false;
    }
    return true;
}

GpuOutcome TryBurnOnGpu(GDALDatasetH hDstDS, const std::vector<int> &anBands,
                        const mrast::GeometryBatch &oBatch,
                        const mrast::BurnOptions &oOptions, Device eDevice)
{
    if (eDevice == Device::Cpu)
        return GpuOutcome::NotTried;
    const std::int64_t nPixels =
        static_cast<std::int64_t>(GDALGetRasterXSize(hDstDS)) *
        GDALGetRasterYSize(hDstDS);
    if (eDevice == Device::Auto &&
        (nPixels < kAutoMinPixels || oBatch.feature_count < kAutoMinFeatures ||
         !mrast::cuda_device_available()))
        return GpuOutcome::NotTried;
    std::vector<mrast::BandBuffer> aoBands;
    if (!MemBandBuffers(hDstDS, anBands, aoBands))
    {
        if (eDevice == Device::Cuda)
            CPLError(CE_Warning, CPLE_AppDefined,
                     "device cuda: the GPU merges in-memory rasters (MEM, "
                     "or formats written through MEM such as PNG); this "
                     "output is merged on the CPU, block by block.");
        return GpuOutcome::NotTried;
    }
    mrast::CudaRunInfo oInfo;
    mrast::CudaOptions oCuda;
    /* Outside update mode the engine has just created this raster and
     * filled each band with one value (init, nodata or zero; see
     * BurnIntoDataset): the GPU fills its tiles itself instead of uploading
     * GDAL's buffer, half the PCIe traffic. */
    oCuda.uniform_bands = !oOptions.update;
    const mrast::Status eStatus =
        mrast::cuda_burn(aoBands.data(), static_cast<int>(aoBands.size()),
                         oOptions, oBatch, &oInfo, oCuda);
    if (eStatus == mrast::Status::CudaUnavailable)
    {
        // Found before anything is touched: the CPU does the whole job.
        CPLError(CE_Warning, CPLE_AppDefined,
                 "No usable CUDA device: merging on the CPU.");
        return GpuOutcome::NotTried;
    }
    if (eStatus != mrast::Status::Ok)
    {
        // Tiles already merged are in GDAL's buffer: redoing the job on the
        // CPU would count them twice (sum, count, mean), so stop here.
        CPLError(CE_Failure, CPLE_AppDefined, "GPU burn failed: %s.",
                 mrast::status_name(eStatus));
        return GpuOutcome::Failed;
    }
    CPLDebug("MRAST",
             "GPU burn: %d tile(s) of %d rows, order buffer %d B/px, "
             "%s host buffer, kernels %.3f ms, transfers %.3f ms%s%s",
             oInfo.tiles, oInfo.tile_rows, oInfo.order_bytes,
             mrast::cuda_host_transfer_name(oInfo.host_transfer),
             oInfo.kernel_ms, oInfo.transfer_ms,
             oInfo.cpu_fallback_reason ? "; CPU for: " : "",
             oInfo.cpu_fallback_reason ? oInfo.cpu_fallback_reason : "");
    return GpuOutcome::Done;
}

}  // namespace mrast_gdal
