// Host side of the CUDA rasterizer: uploads the batch once, then per row
// tile: coverage (count pass, prefix sum, write pass) -> union (CUB radix
// sorts by (feature, y, x0), modes that count only) -> apply (atomics into
// the narrowest scratch; first / last and single-band min / max fuse it
// with coverage) -> resolve (the CPU's merge rules, per pixel) -> copy
// back into the caller's buffer. The tiles' rows travel up and down beside
// the kernels (tile_pipeline.hpp); coverage and apply never read the band,
// so only the first resolve of a tile waits for its upload.
// The one place where runtime values become template arguments on the GPU
// side (STYLE.md item 5).

#include <cuda_runtime.h>

#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "device_memory.cuh"
#include "dispatch_rasterize.hpp"
#include "host_staging.hpp"
#include "kernel_rasterize.cuh"
#include "mrast/pixel_convert.hpp"
#include "tile_pipeline.hpp"

namespace mrast {
namespace cuda_detail {
namespace {

/// Internal: the tile needs the CPU (a resolve raised `inexact`).
constexpr int kInexact = 1000;

unsigned grid_for(unsigned long long n, int threads) {
    return static_cast<unsigned>((n + static_cast<unsigned long long>(threads) - 1) / threads);
}

int bits_for(unsigned long long v) {
    int b = 0;
    while (b < 64 && (v >> b) != 0) ++b;
    return std::max(b, 1);
}

__global__ void iota_kernel(std::uint32_t *v, unsigned long long n) {
    const unsigned long long i = blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
    if (i < n) v[i] = static_cast<std::uint32_t>(i);
}
__global__ void x0_keys_kernel(const DeviceSpan *s, unsigned long long n, std::uint32_t *k) {
    const unsigned long long i = blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
    if (i < n) k[i] = static_cast<std::uint32_t>(s[i].x0);
}
__global__ void row_keys_kernel(const DeviceSpan *s, const std::uint32_t *idx, unsigned long long n,
                                std::int32_t r0, int ybits, unsigned long long *k) {
    const unsigned long long i = blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
    if (i >= n) return;
    const DeviceSpan sp = s[idx[i]];
    k[i] = (static_cast<unsigned long long>(sp.feature) << ybits) |
           static_cast<unsigned long long>(sp.y - r0);
}
__global__ void gather_kernel(const DeviceSpan *s, const std::uint32_t *idx, unsigned long long n,
                              DeviceSpan *out, std::int32_t *x1) {
    const unsigned long long i = blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x;
    if (i >= n) return;
    out[i] = s[idx[i]];
    x1[i] = out[i].x1;
}
struct MaxOp {
    __device__ std::int32_t operator()(std::int32_t a, std::int32_t b) const { return a > b ? a : b; }
};

template <class Fn>
Status with_type(PixelType t, Fn &&fn) {
    switch (t) {
        case PixelType::UInt8: return fn(std::uint8_t{});
        case PixelType::Int8: return fn(std::int8_t{});
        case PixelType::UInt16: return fn(std::uint16_t{});
        case PixelType::Int16: return fn(std::int16_t{});
        case PixelType::UInt32: return fn(std::uint32_t{});
        case PixelType::Int32: return fn(std::int32_t{});
        case PixelType::UInt64: return fn(std::uint64_t{});
        case PixelType::Int64: return fn(std::int64_t{});
        case PixelType::Float32: return fn(float{});
        case PixelType::Float64: return fn(double{});
    }
    return Status::UnsupportedType;
}

template <class Fn>
Status with_order_type(int bytes, Fn &&fn) {
    switch (bytes) {
        case 1: return fn(std::uint8_t{});
        case 2: return fn(std::uint16_t{});
        default: return fn(std::uint32_t{});
    }
}

/// Everything a tile needs that does not change from tile to tile.
template <class T>
struct Job {
    const DeviceJob *job;
    Policy policy;
    std::int32_t width, height;
    int bands;
    std::size_t parts;
    DeviceGeometry geometry;
    const std::int32_t *part_lo;
    const T *burn_t;                 // copy_word<T>(burn), converted on the host
    const long long *burn_int;       // sum / mean: integer burns
    std::vector<double> min_abs;     // sum: smallest |burn| per band
    std::vector<T> nan_value;        // min / max: the batch's NaN per band
    int order_bytes;
    CudaRunInfo *info;
    EventTimer *timer;
    TilePipeline *pipeline;
    Readback *readback;
    cudaStream_t compute;     // the legacy default stream: kernels, allocations
};

double wall_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Tile `tile` is in device memory before the first kernel that reads it.
/// The GPU time spent waiting for it is not kernel time: the timer pauses.
class BandGate {
public:
    BandGate(TilePipeline &pipeline, int tile, cudaStream_t compute, EventTimer &timer, CudaRunInfo &info)
        : m_pipeline(pipeline), m_tile(tile), m_compute(compute), m_timer(timer), m_info(info) {}
    Status wait() {
        if (m_open) return Status::Ok;
        m_timer.stop(m_info.kernel_ms);
        const double t0 = wall_ms();
        MRAST_CUDA_TRY(m_pipeline.wait_uploaded(m_tile, m_compute));
        m_info.transfer_ms += wall_ms() - t0;
        m_open = true;
        m_timer.start();
        return Status::Ok;
    }

private:
    TilePipeline &m_pipeline;
    int m_tile;
    cudaStream_t m_compute;
    EventTimer &m_timer;
    CudaRunInfo &m_info;
    bool m_open = false;
};

/// One warp per 32 spans, the pixels dealt out to the lanes (agent_apply.cuh).
template <class Op>
cudaError_t launch_apply(const Policy &pol, const DeviceSpan *spans, unsigned long long n, TileGeometry tg,
                         const Op &op) {
    if (n == 0) return cudaSuccess;
    const std::size_t shared = static_cast<std::size_t>(pol.apply_threads) * sizeof(ApplyLaneSlot<typename Op::Value>);
    apply_spans_kernel<Op><<<grid_for(n, pol.apply_threads), pol.apply_threads, shared>>>(spans, n, tg, op);
    return cudaGetLastError();
}

/// Coverage in two passes (count, prefix sum, write): the spans of the
/// tile in memory, in item order, for the modes that sort them.
template <class T>
Status write_spans(Job<T> &j, const unsigned long long *item_offsets, unsigned long long items, std::int32_t r0,
                   std::int32_t r1, DeviceArray<DeviceSpan> &spans, unsigned long long &n) {
    const Policy &pol = j.policy;
    std::size_t temp_bytes = 0;
    DeviceArray<unsigned char> temp;
    DeviceArray<unsigned long long> span_counts, span_offsets;
    MRAST_CUDA_TRY(span_counts.allocate(items + 1));
    MRAST_CUDA_TRY(span_offsets.allocate(items + 1));
    if (items > 0) {
        coverage_kernel<false><<<grid_for(items, pol.coverage_threads), pol.coverage_threads>>>(
            j.geometry, j.parts, item_offsets, items, j.part_lo, r0, r1, span_counts.ptr,
            nullptr, nullptr);
        MRAST_CUDA_TRY(cudaGetLastError());
    }
    MRAST_CUDA_TRY(cudaMemsetAsync(span_counts.ptr + items, 0, sizeof(unsigned long long), j.compute));
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, span_counts.ptr,
                                                 span_offsets.ptr, static_cast<long long>(items + 1)));
    MRAST_CUDA_TRY(temp.allocate(temp_bytes));
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(temp.ptr, temp_bytes, span_counts.ptr,
                                                 span_offsets.ptr, static_cast<long long>(items + 1)));
    span_counts.release();
    MRAST_CUDA_TRY(j.readback->read(span_offsets.ptr + items, j.compute, n));
    if (n >= (1ull << 31)) return Status::OutOfMemory;  // 32-bit sort indices: smaller tiles
    MRAST_CUDA_TRY(spans.allocate(n));
    if (items > 0) {
        coverage_kernel<true><<<grid_for(items, pol.coverage_threads), pol.coverage_threads>>>(
            j.geometry, j.parts, item_offsets, items, j.part_lo, r0, r1, nullptr,
            span_offsets.ptr, spans.ptr);
        MRAST_CUDA_TRY(cudaGetLastError());
    }
    span_offsets.release();
    j.info->spans += n;
    return Status::Ok;
}

/// Merges tile `tile` (rows [r0, r1)) and queues its download; its upload
/// was queued before. kInexact: the CPU must merge it (nothing queued).
template <class T>
Status run_tile(Job<T> &j, int tile, std::int32_t r0, std::int32_t r1) {
    const Policy &pol = j.policy;
    const MergeMode mode = j.job->options.mode;
    const std::int32_t rows = r1 - r0;
    const std::size_t px = static_cast<std::size_t>(j.width) * static_cast<std::size_t>(rows);
    double &kms = j.info->kernel_ms;
    BandGate upload(*j.pipeline, tile, j.compute, *j.timer, *j.info);  // coverage and apply run before
    std::vector<T *> dev_bands(static_cast<std::size_t>(j.bands));
    for (int b = 0; b < j.bands; ++b)
        dev_bands[static_cast<std::size_t>(b)] = reinterpret_cast<T *>(j.pipeline->band(tile, b));

    // Coverage: items per part, prefix sum, span counts, prefix sum, spans.
    // Counts are written 64-bit in place for the scans (a strided 2D copy
    // widening 100M u32 counts cost ~15 ms); the extra last slot is 0.
    DeviceArray<unsigned long long> item_counts, item_offsets;
    MRAST_CUDA_TRY(item_counts.allocate(j.parts + 1));
    MRAST_CUDA_TRY(item_offsets.allocate(j.parts + 1));
    j.timer->start();
    item_count_kernel<<<grid_for(j.parts, pol.part_threads), pol.part_threads>>>(
        j.geometry, j.parts, j.part_lo, j.part_lo + j.parts, r0, r1, item_counts.ptr);
    MRAST_CUDA_TRY(cudaGetLastError());
    MRAST_CUDA_TRY(cudaMemsetAsync(item_counts.ptr + j.parts, 0, sizeof(unsigned long long), j.compute));
    std::size_t temp_bytes = 0;
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, item_counts.ptr,
                                                 item_offsets.ptr, static_cast<long long>(j.parts + 1)));
    DeviceArray<unsigned char> temp;
    MRAST_CUDA_TRY(temp.allocate(temp_bytes));
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(temp.ptr, temp_bytes, item_counts.ptr,
                                                 item_offsets.ptr, static_cast<long long>(j.parts + 1)));
    unsigned long long items = 0;
    MRAST_CUDA_TRY(j.readback->read(item_offsets.ptr + j.parts, j.compute, items));
    item_counts.release();

    // first / last (and single-band min / max) fuse coverage with apply
    // below; the other modes need the spans in memory (union sorts).
    const bool fused = mode == MergeMode::First || mode == MergeMode::Last ||
                       ((mode == MergeMode::Min || mode == MergeMode::Max) && j.bands == 1);
    const TileGeometry tg{j.width, r0};
    DeviceArray<unsigned long long> span_total;
    auto cover_apply = [&](const auto &op) -> cudaError_t {
        if (items == 0) return cudaSuccess;
        using Op = std::decay_t<decltype(op)>;
        const std::size_t shared = static_cast<std::size_t>(pol.coverage_threads) * kBufferedSpans *
                                   sizeof(ApplyLaneSlot<typename Op::Value>);
        cover_apply_kernel<Op><<<grid_for(items, pol.coverage_threads), pol.coverage_threads, shared>>>(
            j.geometry, j.parts, item_offsets.ptr, items, j.part_lo, r0, r1, tg, op, span_total.ptr);
        return cudaGetLastError();
    };
    auto apply_spans = [&](const DeviceSpan *spans, unsigned long long n, const auto &op) -> cudaError_t {
        return fused ? cover_apply(op) : launch_apply(pol, spans, n, tg, op);
    };
    DeviceArray<DeviceSpan> spans;
    unsigned long long n = 0;
    if (fused) {
        MRAST_CUDA_TRY(span_total.allocate(1));
        MRAST_CUDA_TRY(cudaMemsetAsync(span_total.ptr, 0, sizeof(unsigned long long), j.compute));
    } else {
        if (Status w = write_spans(j, item_offsets.ptr, items, r0, r1, spans, n); w != Status::Ok) return w;
    }

    const ResolveContext rc{j.width, rows, j.job->options.update, j.job->options.has_nodata,
                            NodataTest::make(j.job->options.nodata)};
    const unsigned span_grid = grid_for(n, pol.apply_threads);
    const unsigned px_grid = grid_for(px, pol.resolve_threads);
    Status st = Status::Ok;
    switch (mode) {
        case MergeMode::Last:
        case MergeMode::First: {
            st = with_order_type(j.order_bytes, [&](auto utag) -> Status {
                using U = decltype(utag);
                DeviceArray<U> order;
                MRAST_CUDA_TRY(order.allocate(px, 4));  // tail: the CAS word stays inside
                const bool first = mode == MergeMode::First;
                MRAST_CUDA_TRY(cudaMemset(order.ptr, first ? 0xFF : 0, px * sizeof(U) + 4));
                if (first) MRAST_CUDA_TRY(apply_spans(spans.ptr, n, OrderOp<U, true>{order.ptr}));
                else MRAST_CUDA_TRY(apply_spans(spans.ptr, n, OrderOp<U, false>{order.ptr}));
                if (Status w = upload.wait(); w != Status::Ok) return w;
                for (int b = 0; b < j.bands; ++b) {
                    if (first)
                        resolve_order_kernel<T, U, true><<<px_grid, pol.resolve_threads>>>(
                            dev_bands[b], order.ptr, rc, j.burn_t, j.bands, b);
                    else
                        resolve_order_kernel<T, U, false><<<px_grid, pol.resolve_threads>>>(
                            dev_bands[b], order.ptr, rc, j.burn_t, j.bands, b);
                    MRAST_CUDA_TRY(cudaGetLastError());
                }
                return Status::Ok;
            });
            break;
        }
        case MergeMode::Min:
        case MergeMode::Max: {
            using K = typename KeyOf<T>::type;
            DeviceArray<K> keys;
            DeviceArray<std::uint8_t> touched;
            MRAST_CUDA_TRY(keys.allocate(px));
            MRAST_CUDA_TRY(touched.allocate(px));
            const bool is_min = mode == MergeMode::Min;
            for (int b = 0; b < j.bands; ++b) {
                MRAST_CUDA_TRY(cudaMemset(keys.ptr, is_min ? 0xFF : 0, px * sizeof(K)));
                MRAST_CUDA_TRY(cudaMemset(touched.ptr, 0, px));
                if (is_min)
                    MRAST_CUDA_TRY(
                        apply_spans(spans.ptr, n, KeyOp<T, true>{j.burn_t, j.bands, b, keys.ptr, touched.ptr}));
                else
                    MRAST_CUDA_TRY(
                        apply_spans(spans.ptr, n, KeyOp<T, false>{j.burn_t, j.bands, b, keys.ptr, touched.ptr}));
                if (Status w = upload.wait(); w != Status::Ok) return w;
                if (is_min)
                    resolve_minmax_kernel<T, true><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b], keys.ptr, touched.ptr, rc, j.nan_value[b]);
                else
                    resolve_minmax_kernel<T, false><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b], keys.ptr, touched.ptr, rc, j.nan_value[b]);
                MRAST_CUDA_TRY(cudaGetLastError());
            }
            break;
        }
        case MergeMode::Count:
        case MergeMode::Sum:
        case MergeMode::Mean: {
            // Union: stable radix sorts by x0, then by (feature, y); the
            // running max of x1 per (feature, y) trims overlaps.
            DeviceArray<DeviceSpan> sorted;
            DeviceArray<unsigned long long> keys;
            DeviceArray<std::int32_t> max_x1;
            MRAST_CUDA_TRY(sorted.allocate(n));
            MRAST_CUDA_TRY(keys.allocate(n));
            MRAST_CUDA_TRY(max_x1.allocate(n));
            if (n > 0) {
                DeviceArray<std::uint32_t> kx, kx2, idx, idx2;
                DeviceArray<unsigned long long> keys_in;
                MRAST_CUDA_TRY(kx.allocate(n));
                MRAST_CUDA_TRY(kx2.allocate(n));
                MRAST_CUDA_TRY(idx.allocate(n));
                MRAST_CUDA_TRY(idx2.allocate(n));
                const int ni = static_cast<int>(n);
                x0_keys_kernel<<<span_grid, pol.apply_threads>>>(spans.ptr, n, kx.ptr);
                iota_kernel<<<span_grid, pol.apply_threads>>>(idx.ptr, n);
                const int xbits = bits_for(static_cast<unsigned long long>(j.width));
                MRAST_CUDA_TRY(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, kx.ptr, kx2.ptr, idx.ptr,
                                                               idx2.ptr, ni, 0, xbits));
                MRAST_CUDA_TRY(temp.allocate(temp_bytes));
                MRAST_CUDA_TRY(cub::DeviceRadixSort::SortPairs(temp.ptr, temp_bytes, kx.ptr, kx2.ptr, idx.ptr,
                                                               idx2.ptr, ni, 0, xbits));
                kx.release();
                kx2.release();
                MRAST_CUDA_TRY(keys_in.allocate(n));
                const int ybits = bits_for(static_cast<unsigned long long>(rows));
                const int fbits = bits_for(j.job->batch->feature_count);
                row_keys_kernel<<<span_grid, pol.apply_threads>>>(spans.ptr, idx2.ptr, n, r0, ybits, keys_in.ptr);
                MRAST_CUDA_TRY(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys_in.ptr, keys.ptr,
                                                               idx2.ptr, idx.ptr, ni, 0, ybits + fbits));
                MRAST_CUDA_TRY(temp.allocate(temp_bytes));
                MRAST_CUDA_TRY(cub::DeviceRadixSort::SortPairs(temp.ptr, temp_bytes, keys_in.ptr, keys.ptr,
                                                               idx2.ptr, idx.ptr, ni, 0, ybits + fbits));
                keys_in.release();
                gather_kernel<<<span_grid, pol.apply_threads>>>(spans.ptr, idx.ptr, n, sorted.ptr, max_x1.ptr);
                MRAST_CUDA_TRY(cudaGetLastError());
                MRAST_CUDA_TRY(cub::DeviceScan::InclusiveScanByKey(nullptr, temp_bytes, keys.ptr, max_x1.ptr,
                                                                   max_x1.ptr, MaxOp{}, ni));
                MRAST_CUDA_TRY(temp.allocate(temp_bytes));
                MRAST_CUDA_TRY(cub::DeviceScan::InclusiveScanByKey(temp.ptr, temp_bytes, keys.ptr, max_x1.ptr,
                                                                   max_x1.ptr, MaxOp{}, ni));
            }
            spans.release();
            const UnionView uv{keys.ptr, max_x1.ptr};
            DeviceArray<std::uint32_t> counts;
            MRAST_CUDA_TRY(counts.allocate(px));
            MRAST_CUDA_TRY(cudaMemset(counts.ptr, 0, px * sizeof(std::uint32_t)));
            if (mode == MergeMode::Count) {
                MRAST_CUDA_TRY(launch_apply(pol, sorted.ptr, n, tg,
                                            CountOp<false>{uv, counts.ptr, nullptr, j.bands, 0, nullptr, nullptr}));
                if (Status w = upload.wait(); w != Status::Ok) return w;
                for (int b = 0; b < j.bands; ++b) {
                    resolve_count_kernel<T><<<px_grid, pol.resolve_threads>>>(dev_bands[b], counts.ptr, rc);
                    MRAST_CUDA_TRY(cudaGetLastError());
                }
                break;
            }
            DeviceArray<unsigned long long> pos, neg;
            DeviceArray<int> inexact;
            MRAST_CUDA_TRY(pos.allocate(px));
            MRAST_CUDA_TRY(neg.allocate(px));
            MRAST_CUDA_TRY(inexact.allocate(1));
            MRAST_CUDA_TRY(cudaMemset(inexact.ptr, 0, sizeof(int)));
            for (int b = 0; b < j.bands; ++b) {
                MRAST_CUDA_TRY(cudaMemset(pos.ptr, 0, px * sizeof(unsigned long long)));
                MRAST_CUDA_TRY(cudaMemset(neg.ptr, 0, px * sizeof(unsigned long long)));
                MRAST_CUDA_TRY(launch_apply(pol, sorted.ptr, n, tg,
                                            CountOp<true>{uv, b == 0 ? counts.ptr : nullptr, j.burn_int, j.bands, b,
                                                          pos.ptr, neg.ptr}));
                if (Status w = upload.wait(); w != Status::Ok) return w;
                if (mode == MergeMode::Mean)
                    resolve_sum_kernel<T, true><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b], counts.ptr, pos.ptr, neg.ptr, rc, j.min_abs[b], inexact.ptr);
                else
                    resolve_sum_kernel<T, false><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b], counts.ptr, pos.ptr, neg.ptr, rc, j.min_abs[b], inexact.ptr);
                MRAST_CUDA_TRY(cudaGetLastError());
            }
            int flag = 0;
            MRAST_CUDA_TRY(j.readback->read(inexact.ptr, j.compute, flag));
            if (flag != 0) st = static_cast<Status>(kInexact);
            break;
        }
    }
    if (fused && st == Status::Ok) {
        unsigned long long fused_spans = 0;
        MRAST_CUDA_TRY(j.readback->read(span_total.ptr, j.compute, fused_spans));
        j.info->spans += fused_spans;
    }
    MRAST_CUDA_TRY(cudaStreamSynchronize(j.compute));
    j.timer->stop(kms);
    if (st != Status::Ok) return st;

    // Out, into the caller's buffer, by the download worker while the next
    // tile merges.
    MRAST_CUDA_TRY(j.pipeline->download(tile, r0, r1, j.compute));
    return Status::Ok;
}

template <class T>
bool same_bits(T a, T b) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class T>
Status run_typed(const DeviceJob &job, CudaRunInfo &info) {
    const GeometryBatch &batch = *job.batch;
    const BandBuffer &b0 = job.bands[0];
    const int bands = job.band_count;
    const std::size_t features = batch.feature_count;
    const MergeMode mode = job.options.mode;
    const std::size_t parts = batch.feature_part_offsets[features];
    const std::size_t rings = batch.part_ring_offsets[parts];
    const std::size_t vertices = batch.ring_vertex_offsets[rings];
    auto whole_on_cpu = [&](const char *why) {
        info.cpu_fallback_reason = why;
        info.cpu_fallback_tiles = 1;
        info.tiles = 1;
        info.tile_rows = b0.height;
        return job.fallback.run(job.fallback.ctx, 0, b0.height);
    };

    // Burn values in the band type, converted on the host exactly as the
    // CPU converts them (NaN payloads included).
    std::vector<T> burn_t(features * static_cast<std::size_t>(bands));
    for (std::size_t i = 0; i < burn_t.size(); ++i) burn_t[i] = copy_word<T>(batch.burn[i]);
    std::vector<long long> burn_int;
    std::vector<double> min_abs(static_cast<std::size_t>(bands), 0.0);
    std::vector<T> nan_value(static_cast<std::size_t>(bands), T{});
    if (mode == MergeMode::Min || mode == MergeMode::Max) {
        if constexpr (std::is_floating_point_v<T>) {
            // Atomics order +0 / -0 and pick one NaN; the CPU keeps the
            // earlier of equal values and the first NaN.
            for (int b = 0; b < bands; ++b) {
                bool pz = false, nz = false, have_nan = false;
                for (std::size_t f = 0; f < features; ++f) {
                    const T v = burn_t[f * bands + b];
                    if (v == T{0}) (std::signbit(v) ? nz : pz) = true;
                    if (v != v) {
                        if (have_nan && !same_bits(v, nan_value[b]))
                            return whole_on_cpu("min/max with NaN burn values of different payloads");
                        nan_value[b] = v;
                        have_nan = true;
                    }
                }
                if (pz && nz) return whole_on_cpu("min/max with both +0 and -0 burn values");
            }
        }
    }
    if (mode == MergeMode::Sum || mode == MergeMode::Mean) {
        burn_int.resize(burn_t.size());
        for (int b = 0; b < bands; ++b) {
            double total = 0.0, lo = 1.0 / 0.0;
            for (std::size_t f = 0; f < features; ++f) {
                const double v = batch.burn[f * bands + b];
                if (!(std::fabs(v) <= 4503599627370496.0) || v != std::floor(v))
                    return whole_on_cpu("sum/mean with non-integer burn values (order-dependent rounding)");
                burn_int[f * bands + b] = static_cast<long long>(v);
                total += std::fabs(v);
                lo = std::min(lo, std::fabs(v));
            }
            if (total > 4.0e18) return whole_on_cpu("sum/mean burn values too large for 64-bit sums");
            min_abs[static_cast<std::size_t>(b)] = features > 0 ? lo : 0.0;
        }
    }

    // The batch, once, through the staging ring (pageable copies of the
    // 1.6M polygon bench's 450 MB of vertices took ~60 ms).
    Allocator &alloc = thread_allocator();
    alloc.pool = device_pool(job.cuda.device);
    alloc.stream = nullptr;  // the legacy default stream: kernels and CUB run there
    // Buffers the caller pinned already (cudaMallocHost, registered) are
    // copied directly whatever the mode.
    bool page_locked = true;
    for (int b = 0; b < bands; ++b) {
        cudaPointerAttributes attr{};
        if (cudaPointerGetAttributes(&attr, job.bands[b].data) != cudaSuccess || attr.type != cudaMemoryTypeHost)
            page_locked = false;
    }
    (void)cudaGetLastError();
    TilePipeline pipeline(job, sizeof(T), job.cuda.host_transfer, page_locked);
    auto upload = [&](auto &arr, const auto *host, std::size_t n) -> cudaError_t {
        if (auto e = arr.allocate(n); e != cudaSuccess) return e;
        return pipeline.up_stager().upload(arr.ptr, host_bytes(host, n * sizeof(*host)), nullptr);
    };
    DeviceArray<std::size_t> d_fpo, d_pro, d_rvo;
    DeviceArray<PartKind> d_kind;
    DeviceArray<double> d_x, d_y;
    DeviceArray<std::uint32_t> d_part_feature;
    DeviceArray<std::int32_t> d_lohi;
    DeviceArray<T> d_burn_t;
    DeviceArray<long long> d_burn_int;
    MRAST_CUDA_TRY(upload(d_fpo, batch.feature_part_offsets, features + 1));
    MRAST_CUDA_TRY(upload(d_kind, batch.part_kind, parts));
    MRAST_CUDA_TRY(upload(d_pro, batch.part_ring_offsets, parts + 1));
    MRAST_CUDA_TRY(upload(d_rvo, batch.ring_vertex_offsets, rings + 1));
    MRAST_CUDA_TRY(upload(d_x, batch.x, vertices));
    MRAST_CUDA_TRY(upload(d_y, batch.y, vertices));
    MRAST_CUDA_TRY(upload(d_burn_t, burn_t.data(), burn_t.size()));
    if (!burn_int.empty()) MRAST_CUDA_TRY(upload(d_burn_int, burn_int.data(), burn_int.size()));
    MRAST_CUDA_TRY(d_part_feature.allocate(parts));
    MRAST_CUDA_TRY(d_lohi.allocate(2 * parts));
    EventTimer timer;
    Job<T> j;
    j.job = &job;
    j.policy = default_policy();
    j.width = b0.width;
    j.height = b0.height;
    j.bands = bands;
    j.parts = parts;
    j.geometry = DeviceGeometry{d_pro.ptr, d_rvo.ptr, d_kind.ptr, d_part_feature.ptr, d_x.ptr, d_y.ptr,
                                b0.width, b0.height, job.options.all_touched};
    j.part_lo = d_lohi.ptr;
    j.burn_t = d_burn_t.ptr;
    j.burn_int = d_burn_int.ptr;
    j.min_abs = min_abs;
    j.nan_value = nan_value;
    j.order_bytes = 0;
    if (mode == MergeMode::First || mode == MergeMode::Last)
        j.order_bytes = cuda_order_bytes_for(features + (job.options.update ? 1u : 0u));
    info.order_bytes = j.order_bytes;
    j.info = &info;
    j.timer = &timer;
    Readback readback;
    MRAST_CUDA_TRY(readback.create());
    j.pipeline = &pipeline;
    j.readback = &readback;
    j.compute = nullptr;
    info.host_transfer = pipeline.mode();
    info.host_registered = info.host_transfer == CudaHostTransfer::Register;

    timer.start();
    if (features > 0)
        part_feature_kernel<<<grid_for(features, j.policy.part_threads), j.policy.part_threads>>>(
            d_fpo.ptr, features, d_part_feature.ptr);
    if (parts > 0)
        part_rows_kernel<<<grid_for(parts, j.policy.part_threads), j.policy.part_threads>>>(
            j.geometry, parts, d_lohi.ptr, d_lohi.ptr + parts);
    MRAST_CUDA_TRY(cudaGetLastError());
    timer.stop(info.kernel_ms);

    // Tile height: what the per-pixel state of a mode needs, in the share
    // of free memory the policy allows (spans are checked as they come).
    std::size_t free_bytes = 0, total_bytes = 0;
    MRAST_CUDA_TRY(cudaMemGetInfo(&free_bytes, &total_bytes));
    std::size_t per_px = bands * sizeof(T) * TilePipeline::kSets;
    switch (mode) {
        case MergeMode::Last:
        case MergeMode::First: per_px += static_cast<std::size_t>(j.order_bytes); break;
        case MergeMode::Min:
        case MergeMode::Max: per_px += sizeof(typename KeyOf<T>::type) + 1; break;
        case MergeMode::Count: per_px += 4; break;
        case MergeMode::Sum:
        case MergeMode::Mean: per_px += 20; break;
    }
    per_px += 24;  // spans and sort buffers, a rough share per pixel
    const double budget = j.policy.memory_share * static_cast<double>(free_bytes);
    std::int64_t tile_rows = static_cast<std::int64_t>(budget / (static_cast<double>(per_px) * b0.width));
    tile_rows = std::max<std::int64_t>(1, std::min<std::int64_t>(tile_rows, b0.height));
    if (job.cuda.max_tile_rows > 0) tile_rows = std::min<std::int64_t>(tile_rows, job.cuda.max_tile_rows);

    // Tiles of the pipeline: small enough that uploads, kernels and
    // downloads of neighbouring tiles overlap (Policy::tile_pixels).
    const std::int64_t pipeline_rows = std::max<std::int64_t>(1, j.policy.tile_pixels / std::max(1, b0.width));
    if (job.cuda.max_tile_rows <= 0) tile_rows = std::min(tile_rows, pipeline_rows);

    std::int32_t r_start = 0;
    int tiles = 0;
    while (r_start < b0.height) {
        const auto count = static_cast<int>((b0.height - r_start + tile_rows - 1) / tile_rows);
        auto tile_r0 = [&](int k) {
            return static_cast<std::int32_t>(std::min<std::int64_t>(b0.height, r_start + k * tile_rows));
        };
        Status st = status_of(pipeline.begin(static_cast<std::int32_t>(tile_rows), count));
        int k = 0;
        if (st == Status::Ok) {
            pipeline.upload(0, tile_r0(0), tile_r0(1));
            for (; k < count; ++k) {
                const std::int32_t r0 = tile_r0(k), r1 = tile_r0(k + 1);
                if (k + 1 < count) pipeline.upload(k + 1, r1, tile_r0(k + 2));
                st = run_tile(j, k, r0, r1);
                if (st == static_cast<Status>(kInexact)) {
                    pipeline.skip_download(k);
                    info.cpu_fallback_reason =
                        "sum/mean: running sums of this tile could round, saturate or meet nodata "
                        "differently in another order";
                    ++info.cpu_fallback_tiles;
                    st = job.fallback.run(job.fallback.ctx, r0, r1);
                } else if (st == Status::Ok) {
                    info.gpu_used = true;
                }
                if (st != Status::Ok) break;
                ++tiles;
            }
        }
        const double t0 = wall_ms();
        const Status copies = status_of(pipeline.finish());  // every queued copy, also after a failure
        info.transfer_ms += wall_ms() - t0;
        if (st == Status::OutOfMemory && tile_rows > 1) {
            r_start = k < count ? tile_r0(k) : r_start;  // the tiles before are in the caller's buffer
            tile_rows = std::max<std::int64_t>(1, tile_rows / 2);  // same rows again, smaller
            continue;
        }
        if (st != Status::Ok) return st;
        if (copies != Status::Ok) return copies;
        r_start = b0.height;
    }
    info.tiles = tiles;
    info.tile_rows = static_cast<std::int32_t>(tile_rows);
    return Status::Ok;
}

}  // namespace

bool device_available() noexcept {
    int n = 0;
    const cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        (void)cudaGetLastError();
        return false;
    }
    return n > 0;
}

void *alloc_host(std::size_t bytes) noexcept {
    if (!device_available()) return nullptr;
    void *p = nullptr;
    if (cudaHostAlloc(&p, bytes, cudaHostAllocPortable) != cudaSuccess) {
        (void)cudaGetLastError();
        return nullptr;
    }
    return p;
}

void free_host(void *p) noexcept {
    if (p != nullptr) cudaFreeHost(p);
    (void)cudaGetLastError();
}

Status run_device_job(const DeviceJob &job, CudaRunInfo &info) {
    if (!device_available()) return Status::CudaUnavailable;
    MRAST_CUDA_TRY(cudaSetDevice(job.cuda.device));
    Status st = with_type(job.bands[0].type, [&](auto tag) { return run_typed<decltype(tag)>(job, info); });
    // The scratch went back to the pool stream-ordered; hand it to the
    // driver once it is really free, unless the caller keeps it for the next call.
    cudaStreamSynchronize(nullptr);
    if (cudaMemPool_t pool = device_pool(job.cuda.device); pool != nullptr && !job.cuda.keep_device_memory)
        cudaMemPoolTrimTo(pool, 0);
    (void)cudaGetLastError();
    return st;
}

}  // namespace cuda_detail
}  // namespace mrast
