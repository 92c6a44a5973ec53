// mrast::cuda_burn: validation, the cases the GPU hands to the CPU, and the
// CPU fallback on a window of the caller's buffers. The GPU work is in
// kernels/cuda/dispatch_rasterize.cu, built only with MRAST_HAVE_CUDA;
// without it every call answers CudaUnavailable.

#include "mrast/cuda_burn.hpp"

#include <vector>

#include "mrast/detail/burn_engine.hpp"

#if defined(MRAST_HAVE_CUDA)
#include "../cuda/dispatch_rasterize.hpp"
#endif

namespace mrast {

const char *cuda_host_transfer_name(CudaHostTransfer t) noexcept {
    switch (t) {
        case CudaHostTransfer::Staged: return "staged";
        case CudaHostTransfer::Register: return "registered";
        case CudaHostTransfer::Pageable: return "pageable";
    }
    return "unknown";
}

int cuda_order_bytes_for(std::uint64_t contributors) noexcept {
    if (contributors < 255u) return 1;
    if (contributors < 65535u) return 2;
    return 4;
}

#if !defined(MRAST_HAVE_CUDA)

bool cuda_device_available() noexcept { return false; }

void *cuda_alloc_host(std::size_t) noexcept { return nullptr; }
void cuda_free_host(void *) noexcept {}

Status cuda_burn(const BandBuffer *, int, const BurnOptions &, const GeometryBatch &, CudaRunInfo *,
                 const CudaOptions &) {
    return Status::CudaUnavailable;
}

#else

bool cuda_device_available() noexcept { return cuda_detail::device_available(); }

void *cuda_alloc_host(std::size_t bytes) noexcept { return cuda_detail::alloc_host(bytes); }
void cuda_free_host(void *p) noexcept { cuda_detail::free_host(p); }

namespace {

struct FallbackContext {
    const BandBuffer *bands;
    int band_count;
    const BurnOptions *options;
    const GeometryBatch *batch;
};

/// Burner on rows [r0, r1) of the caller's buffers (a window: geometry stays
/// in whole-raster coordinates, so the pixels are the CPU's).
Status cpu_rows(void *ctx, std::int32_t r0, std::int32_t r1) {
    const auto *c = static_cast<const FallbackContext *>(ctx);
    std::vector<BandBuffer> windows(c->bands, c->bands + c->band_count);
    for (BandBuffer &w : windows) {
        const RasterWindow full = window_of(w);
        w.data = static_cast<unsigned char *>(w.data) + static_cast<std::int64_t>(r0) * w.line_spacing;
        w.height = r1 - r0;
        w.y_offset += r0;
        w.raster_width = full.raster_width;
        w.raster_height = full.raster_height;
    }
    BurnOptions o = *c->options;
    o.progress = nullptr;
    Burner burner;
    if (Status s = burner.begin(windows.data(), c->band_count, o); s != Status::Ok) return s;
    if (Status s = burner.burn(*c->batch); s != Status::Ok) return s;
    return burner.finish();
}

}  // namespace

Status cuda_burn(const BandBuffer *bands, int band_count, const BurnOptions &options,
                 const GeometryBatch &batch, CudaRunInfo *info_out, const CudaOptions &cuda) {
    CudaRunInfo local;
    CudaRunInfo &info = info_out != nullptr ? *info_out : local;
    info = CudaRunInfo{};
    if (auto st = detail::validate_bands(bands, band_count); st != Status::Ok) return st;
    if (auto st = detail::validate_batch(batch, band_count); st != Status::Ok) return st;
    if (static_cast<unsigned>(options.mode) > static_cast<unsigned>(MergeMode::Mean)) {
        return Status::InvalidArgument;
    }
    if (!cuda_detail::device_available()) return Status::CudaUnavailable;
    if (options.mode == MergeMode::Mean && options.max_features != 0) {
        // Same refusal as Burner: the CPU counter would overflow.
        const std::uint64_t needed = options.max_features + (options.update ? 1u : 0u);
        const std::uint64_t limit = needed <= 0xFFu ? 0xFFu : needed <= 0xFFFFu ? 0xFFFFu : 0xFFFFFFFFu;
        if (batch.feature_count + (options.update ? 1u : 0u) > limit) return Status::InvalidArgument;
    }
    if (batch.feature_count == 0 || bands[0].width == 0 || bands[0].height == 0) return Status::Ok;

    FallbackContext ctx{bands, band_count, &options, &batch};
    auto whole_on_cpu = [&](const char *why) {
        if (!cuda.allow_cpu_fallback) return Status::UnsupportedType;
        info.cpu_fallback_reason = why;
        info.cpu_fallback_tiles = 1;
        info.tiles = 1;
        info.tile_rows = bands[0].height;
        return cpu_rows(&ctx, 0, bands[0].height);
    };
    if (batch.z != nullptr) return whole_on_cpu("burn values from Z (--3d) run on the CPU");
    for (int b = 0; b < band_count; ++b) {
        const BandBuffer &bb = bands[b];
        const RasterWindow w = window_of(bb);
        if (bb.pixel_spacing != static_cast<std::int64_t>(pixel_size(bb.type)) ||
            bb.line_spacing < bb.pixel_spacing * bb.width) {
            return whole_on_cpu("pixel-interleaved or overlapping buffers run on the CPU");
        }
        if (w.x_offset != 0 || w.y_offset != 0 || w.raster_width != bb.width ||
            w.raster_height != bb.height) {
            return whole_on_cpu("windowed buffers run on the CPU");
        }
    }

    cuda_detail::DeviceJob job;
    job.bands = bands;
    job.band_count = band_count;
    job.options = options;
    job.batch = &batch;
    job.cuda = cuda;
    job.fallback.ctx = &ctx;
    job.fallback.run = cuda.allow_cpu_fallback
                           ? &cpu_rows
                           : [](void *, std::int32_t, std::int32_t) { return Status::UnsupportedType; };
    return cuda_detail::run_device_job(job, info);
}

#endif

}  // namespace mrast
