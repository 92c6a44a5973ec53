#pragma once
// The CUDA path: burn one batch into bands on the GPU, bit-identical with
// mrast::Burner (the CPU path is the oracle, tests/cuda/test_cuda_parity.cpp).
// The header and the functions exist in every build: without CUDA (or
// without a usable driver / device) cuda_burn() returns
// Status::CudaUnavailable, so callers need no #ifdef.
//
//   mrast::CudaRunInfo info;
//   if (mrast::cuda_burn(bands, n, options, batch, &info) == Status::Ok) ...
//
// The result lands in the caller's buffers (GDAL's): they are registered
// with the driver (page-locked in place) when possible, else copied
// through pageable transfers, tile by tile; no host copy of the raster is
// made. Rasters larger than the GPU go in row tiles (each tile is
// independent, so tiles could go to several GPUs); out of device memory
// halves the tile, and OutOfMemory comes back only when one row does not fit.
//
// What runs on the GPU (see kernels/README.md, "CUDA"): points, lines and
// polygons, centre rule and all-touched, every merge mode and band type,
// update mode and nodata. What the GPU cannot do bit-exactly is done by the
// CPU kernels on the same buffers, in place, and reported in
// CudaRunInfo::cpu_fallback_reason: Z (--3d), pixel-interleaved or
// windowed buffers, float +0/-0 ties and differing NaN payloads in min/max,
// and a tile of sum/mean whose running sums could round, saturate or pass
// through nodata differently in another order (non-integer burn values).

#include <cstdint>

#include "mrast/burn.hpp"
#include "mrast/geometry.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/status.hpp"

namespace mrast {

/// What a cuda_burn() call did.
struct CudaRunInfo {
    bool gpu_used = false;            // at least one tile merged on the GPU
    int cpu_fallback_tiles = 0;       // tiles merged by the CPU kernels instead
    const char *cpu_fallback_reason = nullptr;  // static string, null if none
    int order_bytes = 0;              // first/last: 1, 2 or 4; else 0
    int tiles = 0;                    // row tiles
    std::int32_t tile_rows = 0;       // rows per tile (last one may be shorter)
    bool host_registered = false;     // the caller's buffers were page-locked in place
    std::uint64_t spans = 0;          // spans produced on the GPU (all tiles)
    double kernel_ms = 0.0;           // GPU time of the kernels (CUDA events), no transfers
    double transfer_ms = 0.0;         // GPU time of the host<->device copies
};

/// Knobs for tests and benchmarks; defaults are what callers want.
struct CudaOptions {
    std::int32_t max_tile_rows = 0;   // 0: as many as fit
    bool allow_cpu_fallback = true;   // false: UnsupportedType where the CPU would take over
    bool register_host = true;        // page-lock the caller's buffers in place (cudaHostRegister)
    int device = 0;
};

/// True when a CUDA driver and at least one device are usable. Never throws,
/// also on machines without a driver (the CUDA runtime is linked statically).
bool cuda_device_available() noexcept;

/// Width in bytes of the first/last order buffer for `contributors`
/// (features, plus one in update mode): 1 when < 255, 2 when < 65535, else 4.
int cuda_order_bytes_for(std::uint64_t contributors) noexcept;

/// Burns `batch` into `bands` (as Burner::begin + burn + finish would) on
/// the GPU. options.threads is used by CPU fallbacks only; options.progress
/// is not called (one batch is one step).
Status cuda_burn(const BandBuffer *bands, int band_count, const BurnOptions &options,
                 const GeometryBatch &batch, CudaRunInfo *info = nullptr,
                 const CudaOptions &cuda = CudaOptions{});

}  // namespace mrast
