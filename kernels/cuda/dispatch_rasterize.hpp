#pragma once
// Internal interface between the host entry point (src/cuda_burn.cpp, plain
// C++, which owns validation and the CPU fallbacks) and the CUDA dispatch
// (dispatch_rasterize.cu). Not installed.

#include <cstdint>

#include "mrast/burn.hpp"
#include "mrast/cuda_burn.hpp"
#include "mrast/geometry.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/status.hpp"

namespace mrast {
namespace cuda_detail {

/// Merges rows [row_begin, row_end) of every band on the CPU (Burner on a
/// window of the caller's buffers): the GPU hands a tile over when it
/// cannot do it bit-exactly.
struct TileFallback {
    Status (*run)(void *ctx, std::int32_t row_begin, std::int32_t row_end) = nullptr;
    void *ctx = nullptr;
};

struct DeviceJob {
    const BandBuffer *bands = nullptr;  // packed pixels, whole-raster buffers
    int band_count = 0;
    BurnOptions options;
    const GeometryBatch *batch = nullptr;  // no Z
    CudaOptions cuda;
    TileFallback fallback;
};

bool device_available() noexcept;
void *alloc_host(std::size_t bytes) noexcept;
void free_host(void *p) noexcept;
/// Runs the job; a tile the GPU cannot merge exactly goes to job.fallback
/// (reason in info). CudaUnavailable / CudaError / OutOfMemory otherwise.
Status run_device_job(const DeviceJob &job, CudaRunInfo &info);

}  // namespace cuda_detail
}  // namespace mrast
