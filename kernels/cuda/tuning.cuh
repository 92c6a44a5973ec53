#pragma once
// Tuning of the CUDA rasterizer, as data (STYLE.md: CUB's dispatch/tuning):
// one printable Policy. Numbers measured on an H100 80GB HBM3 (sm_90),
// bench/bench_cuda, 4096x4096 Float32, 100k star polygons; see
// bench/RESULTS.md.

#include <cstdio>

namespace mrast {
namespace cuda_detail {

struct Policy {
    /// Threads per block of the per-part kernels (row ranges, item counts).
    int part_threads = 256;
    /// Threads per block of the coverage kernels (one work item a thread:
    /// a polygon part's row, a line / point part, an all-touched ring walk).
    int coverage_threads = 128;
    /// Threads per block of the span -> scratch kernels (one span a thread).
    int apply_threads = 256;
    /// Threads per block of the per-pixel resolve kernels.
    int resolve_threads = 256;
    /// Crossings of one polygon row kept in registers; a row with more takes
    /// the slower selection path (exact, O(crossings x edges)).
    static constexpr int kLocalCrossings = 32;
    /// first / last: order-buffer pixels a lane loads before it decides on
    /// their atomics (agent_apply.cuh), so the loads' latencies overlap.
    /// 4: H100, 16384^2 Float32, 1.6M polygons, last, kernels 0.0335 ->
    /// 0.0301 s together with the early-out and the reversed blocks (issue
    /// 5); 1 and 2 are not measured yet.
    static constexpr int kOrderProbeAhead = 4;
    /// Share of the free device memory a tile may plan for.
    double memory_share = 0.7;
    /// Pixels per row tile when memory allows more: tiles this small let
    /// the upload of tile k+1 and the download of k-1 run beside the
    /// kernels of k (tile_pipeline.hpp), and keep a tile's scratch near
    /// L2-sized. 16M px = 1024 rows of 16384.
    long long tile_pixels = 1ll << 24;

    void print(std::FILE *out) const {
        std::fprintf(out,
                     "Policy{part_threads=%d, coverage_threads=%d, apply_threads=%d, "
                     "resolve_threads=%d, local_crossings=%d, order_probe_ahead=%d, memory_share=%.2f, "
                     "tile_pixels=%lld}\n",
                     part_threads, coverage_threads, apply_threads, resolve_threads,
                     kLocalCrossings, kOrderProbeAhead, memory_share, tile_pixels);
    }
};

inline Policy default_policy() { return Policy{}; }

}  // namespace cuda_detail
}  // namespace mrast
