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
// The result lands in the caller's buffers (GDAL's): by default the rows
// stream through a small pinned staging ring (CudaHostTransfer::Staged,
// 4 chunks of 32 MiB per direction, kept between calls), so no host copy
// of the raster is made and GDAL's buffer is not page-locked; see
// CudaHostTransfer for the other ways. Row tiles are pipelined: the upload
// of the next tile and the download of the previous one run beside the
// kernels of the current one.
// Rasters larger than the GPU go in row tiles (each tile is
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

#include <cstddef>
#include <cstdint>

#include "mrast/burn.hpp"
#include "mrast/geometry.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/status.hpp"

namespace mrast {

/// How the raster travels between the caller's (pageable) host memory and
/// the GPU, tile by tile beside the kernels (the geometry is always staged,
/// unless Pageable). Staged is the default, by measurement on the H100
/// machine (bench/RESULTS.md):
/// page-locking 1 GiB in place costs 40-45 ms plus ~19 ms to undo, the
/// copies then run at 55 GB/s; plain pageable copies run at 8-15 GB/s; a
/// host memcpy into pinned memory moves 20-33 GB/s with 8-16 threads.
/// Buffers the caller pinned already are copied directly in every mode.
enum class CudaHostTransfer {
    Staged,    // bounded pinned staging ring + parallel host memcpy (default)
    Register,  // page-lock each tile's rows in place just before its copy
    Pageable,  // plain cudaMemcpy from / into pageable memory (reference, slow)
};

/// Name of a CudaHostTransfer ("staged", "registered", "pageable").
const char *cuda_host_transfer_name(CudaHostTransfer t) noexcept;

/// What a cuda_burn() call did.
struct CudaRunInfo {
    bool gpu_used = false;            // at least one tile merged on the GPU
    int cpu_fallback_tiles = 0;       // tiles merged by the CPU kernels instead
    const char *cpu_fallback_reason = nullptr;  // static string, null if none
    int order_bytes = 0;              // first/last: 1, 2 or 4; else 0
    int tiles = 0;                    // row tiles
    std::int32_t tile_rows = 0;       // rows per tile (last one may be shorter)
    bool host_registered = false;     // the caller's rows were page-locked in place (Register)
    CudaHostTransfer host_transfer = CudaHostTransfer::Pageable;  // how the raster travelled
    std::uint64_t spans = 0;          // spans produced on the GPU (all tiles)
    double kernel_ms = 0.0;           // GPU time of the kernels (CUDA events), no transfers
    double transfer_ms = 0.0;         // host time the dispatch waited for raster copies
                                      // the kernels did not hide (uploads not there yet,
                                      // downloads still running at the end)
};

/// Knobs for tests and benchmarks; defaults are what callers want.
struct CudaOptions {
    std::int32_t max_tile_rows = 0;   // 0: Policy::tile_pixels, or fewer if memory is short
    bool allow_cpu_fallback = true;   // false: UnsupportedType where the CPU would take over
    CudaHostTransfer host_transfer = CudaHostTransfer::Staged;
    /// Staged (and the geometry): bytes per staging chunk (0: 32 MiB) and
    /// chunks per ring (0: 4), one ring per direction. The default rings
    /// (2 x 128 MiB pinned) are allocated on first use and kept for later
    /// calls: pinning them costs more than a small burn (50 ms measured).
    std::size_t staging_chunk_bytes = 0;
    int staging_chunks = 0;
    /// Staged: host threads per direction for the memcpy into / out of
    /// the ring (0: up to 8; one thread moves ~6 GB/s, the link 55 GB/s).
    int copy_threads = 0;
    /// Keep the device scratch (a pool of this library's) between calls:
    /// later calls skip mapping fresh device memory. Off: each call gives
    /// its memory back to the driver when it returns.
    bool keep_device_memory = false;
    /// The caller promises that every pixel of each band holds the value
    /// of the band's first pixel (a raster just created with an init or
    /// nodata value): the tiles are then filled on the GPU instead of
    /// uploaded, which halves the host<->device traffic. Wrong promises
    /// give wrong pixels; off by default.
    bool uniform_bands = false;
    int device = 0;
};

/// Page-locked host memory (cudaMallocHost) for band buffers: cuda_burn()
/// copies such buffers directly at PCIe speed, with no staging memcpy (a
/// GDAL MEM dataset can be created over it with DATAPOINTER). nullptr
/// without CUDA or when it fails; release with cuda_free_host().
void *cuda_alloc_host(std::size_t bytes) noexcept;
void cuda_free_host(void *p) noexcept;

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
