// Host side of the CUDA rasterizer: uploads the batch once, then per row
// tile: coverage (count pass, prefix sum, write pass) -> union (CUB radix
// sorts by (feature, y, x0), modes that count only) -> apply (atomics into
// the narrowest scratch) -> resolve (the CPU's merge rules, per pixel) ->
// copy back into the caller's buffer. The one place where runtime values
// become template arguments on the GPU side (STYLE.md item 5).

#include <cuda_runtime.h>

#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "dispatch_rasterize.hpp"
#include "kernel_rasterize.cuh"
#include "mrast/pixel_convert.hpp"

namespace mrast {
namespace cuda_detail {
namespace {

/// Internal: the tile needs the CPU (a resolve raised `inexact`).
constexpr int kInexact = 1000;

Status status_of(cudaError_t e) {
    if (e == cudaSuccess) return Status::Ok;
    if (e == cudaErrorMemoryAllocation) return Status::OutOfMemory;
    if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver ||
        e == cudaErrorInitializationError || e == cudaErrorInvalidDevice)
        return Status::CudaUnavailable;
    return Status::CudaError;
}

// CUDA errors become Status (STYLE.md item 7); the sticky last error is
// cleared so that a failed allocation does not poison the next call.
#define MRAST_CUDA_TRY(expr)                                   \
    do {                                                       \
        const cudaError_t mrast_err_ = (expr);                 \
        if (mrast_err_ != cudaSuccess) {                       \
            (void)cudaGetLastError();                          \
            return status_of(mrast_err_);                      \
        }                                                      \
    } while (0)

/// Device memory owned by a scope.
template <class T>
struct DeviceArray {
    T *ptr = nullptr;
    std::size_t size = 0;
    DeviceArray() = default;
    DeviceArray(const DeviceArray &) = delete;
    DeviceArray &operator=(const DeviceArray &) = delete;
    ~DeviceArray() { release(); }
    void release() {
        if (ptr != nullptr) cudaFree(ptr);
        ptr = nullptr;
        size = 0;
    }
    cudaError_t allocate(std::size_t n, std::size_t extra_bytes = 0) {
        release();
        size = n;
        return cudaMalloc(reinterpret_cast<void **>(&ptr), std::max<std::size_t>(1, n * sizeof(T) + extra_bytes));
    }
    cudaError_t upload(const T *host, std::size_t n) {
        if (auto e = allocate(n); e != cudaSuccess) return e;
        if (n == 0) return cudaSuccess;
        return cudaMemcpy(ptr, host, n * sizeof(T), cudaMemcpyHostToDevice);
    }
};

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

/// GPU time between two events, accumulated.
struct EventTimer {
    cudaEvent_t a = nullptr, b = nullptr;
    EventTimer() {
        cudaEventCreate(&a);
        cudaEventCreate(&b);
    }
    ~EventTimer() {
        cudaEventDestroy(a);
        cudaEventDestroy(b);
    }
    void start() { cudaEventRecord(a); }
    void stop(double &acc) {
        cudaEventRecord(b);
        cudaEventSynchronize(b);
        float ms = 0.f;
        cudaEventElapsedTime(&ms, a, b);
        acc += ms;
    }
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
};

template <class T>
Status run_tile(Job<T> &j, std::int32_t r0, std::int32_t r1, std::vector<DeviceArray<T>> &dev_bands) {
    const Policy &pol = j.policy;
    const MergeMode mode = j.job->options.mode;
    const std::int32_t rows = r1 - r0;
    const std::size_t px = static_cast<std::size_t>(j.width) * static_cast<std::size_t>(rows);
    double &kms = j.info->kernel_ms;

    // Coverage: items per part, prefix sum, span counts, prefix sum, spans.
    DeviceArray<unsigned long long> item_counts, item_offsets;
    MRAST_CUDA_TRY(item_counts.allocate(j.parts + 1));
    MRAST_CUDA_TRY(item_offsets.allocate(j.parts + 1));
    DeviceArray<std::uint32_t> counts32;
    MRAST_CUDA_TRY(counts32.allocate(j.parts));
    j.timer->start();
    item_count_kernel<<<grid_for(j.parts, pol.part_threads), pol.part_threads>>>(
        j.geometry, j.parts, j.part_lo, j.part_lo + j.parts, r0, r1, counts32.ptr);
    MRAST_CUDA_TRY(cudaGetLastError());
    MRAST_CUDA_TRY(cudaMemset(item_counts.ptr, 0, (j.parts + 1) * sizeof(unsigned long long)));
    // Widen to 64 bits for the scan: each u32 lands in the low half of a
    // zeroed u64 slot (little endian).
    MRAST_CUDA_TRY(cudaMemcpy2D(item_counts.ptr, sizeof(unsigned long long), counts32.ptr,
                                sizeof(std::uint32_t), sizeof(std::uint32_t), j.parts,
                                cudaMemcpyDeviceToDevice));
    std::size_t temp_bytes = 0;
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, item_counts.ptr,
                                                 item_offsets.ptr, static_cast<long long>(j.parts + 1)));
    DeviceArray<unsigned char> temp;
    MRAST_CUDA_TRY(temp.allocate(temp_bytes));
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(temp.ptr, temp_bytes, item_counts.ptr,
                                                 item_offsets.ptr, static_cast<long long>(j.parts + 1)));
    unsigned long long items = 0;
    MRAST_CUDA_TRY(cudaMemcpy(&items, item_offsets.ptr + j.parts, sizeof(items), cudaMemcpyDeviceToHost));
    counts32.release();
    item_counts.release();

    DeviceArray<std::uint32_t> span_counts;
    DeviceArray<unsigned long long> span_counts64, span_offsets;
    MRAST_CUDA_TRY(span_counts.allocate(items));
    MRAST_CUDA_TRY(span_counts64.allocate(items + 1));
    MRAST_CUDA_TRY(span_offsets.allocate(items + 1));
    if (items > 0) {
        coverage_kernel<false><<<grid_for(items, pol.coverage_threads), pol.coverage_threads>>>(
            j.geometry, j.parts, item_offsets.ptr, items, j.part_lo, r0, r1, span_counts.ptr,
            nullptr, nullptr);
        MRAST_CUDA_TRY(cudaGetLastError());
    }
    MRAST_CUDA_TRY(cudaMemset(span_counts64.ptr, 0, (items + 1) * sizeof(unsigned long long)));
    if (items > 0) {
        MRAST_CUDA_TRY(cudaMemcpy2D(span_counts64.ptr, sizeof(unsigned long long), span_counts.ptr,
                                    sizeof(std::uint32_t), sizeof(std::uint32_t), items,
                                    cudaMemcpyDeviceToDevice));
    }
    span_counts.release();
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, span_counts64.ptr,
                                                 span_offsets.ptr, static_cast<long long>(items + 1)));
    MRAST_CUDA_TRY(temp.allocate(temp_bytes));
    MRAST_CUDA_TRY(cub::DeviceScan::ExclusiveSum(temp.ptr, temp_bytes, span_counts64.ptr,
                                                 span_offsets.ptr, static_cast<long long>(items + 1)));
    span_counts64.release();
    unsigned long long n = 0;
    MRAST_CUDA_TRY(cudaMemcpy(&n, span_offsets.ptr + items, sizeof(n), cudaMemcpyDeviceToHost));
    if (n >= (1ull << 31)) return Status::OutOfMemory;  // 32-bit sort indices: smaller tiles
    DeviceArray<DeviceSpan> spans;
    MRAST_CUDA_TRY(spans.allocate(n));
    if (items > 0) {
        coverage_kernel<true><<<grid_for(items, pol.coverage_threads), pol.coverage_threads>>>(
            j.geometry, j.parts, item_offsets.ptr, items, j.part_lo, r0, r1, nullptr,
            span_offsets.ptr, spans.ptr);
        MRAST_CUDA_TRY(cudaGetLastError());
    }
    span_offsets.release();
    item_offsets.release();
    j.timer->stop(kms);
    j.info->spans += n;

    // The tile of every band, in from the caller's buffer.
    double tms = 0.0;
    j.timer->start();
    for (int b = 0; b < j.bands; ++b) {
        const BandBuffer &bb = j.job->bands[b];
        const auto *src = static_cast<const unsigned char *>(bb.data) +
                          static_cast<std::size_t>(r0) * static_cast<std::size_t>(bb.line_spacing);
        MRAST_CUDA_TRY(cudaMemcpy2D(dev_bands[b].ptr, j.width * sizeof(T), src,
                                    static_cast<std::size_t>(bb.line_spacing), j.width * sizeof(T),
                                    static_cast<std::size_t>(rows), cudaMemcpyHostToDevice));
    }
    j.timer->stop(tms);

    const ResolveContext rc{j.width, rows, j.job->options.update, j.job->options.has_nodata,
                            NodataTest::make(j.job->options.nodata)};
    const TileGeometry tg{j.width, r0};
    const unsigned span_grid = grid_for(n, pol.apply_threads);
    const unsigned px_grid = grid_for(px, pol.resolve_threads);
    j.timer->start();
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
                if (n > 0) {
                    if (first)
                        apply_order_kernel<U, true><<<span_grid, pol.apply_threads>>>(spans.ptr, n, tg, order.ptr);
                    else
                        apply_order_kernel<U, false><<<span_grid, pol.apply_threads>>>(spans.ptr, n, tg, order.ptr);
                    MRAST_CUDA_TRY(cudaGetLastError());
                }
                for (int b = 0; b < j.bands; ++b) {
                    if (first)
                        resolve_order_kernel<T, U, true><<<px_grid, pol.resolve_threads>>>(
                            dev_bands[b].ptr, order.ptr, rc, j.burn_t, j.bands, b);
                    else
                        resolve_order_kernel<T, U, false><<<px_grid, pol.resolve_threads>>>(
                            dev_bands[b].ptr, order.ptr, rc, j.burn_t, j.bands, b);
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
                if (n > 0) {
                    if (is_min)
                        apply_minmax_kernel<T, true><<<span_grid, pol.apply_threads>>>(
                            spans.ptr, n, tg, j.burn_t, j.bands, b, keys.ptr, touched.ptr);
                    else
                        apply_minmax_kernel<T, false><<<span_grid, pol.apply_threads>>>(
                            spans.ptr, n, tg, j.burn_t, j.bands, b, keys.ptr, touched.ptr);
                    MRAST_CUDA_TRY(cudaGetLastError());
                }
                if (is_min)
                    resolve_minmax_kernel<T, true><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b].ptr, keys.ptr, touched.ptr, rc, j.nan_value[b]);
                else
                    resolve_minmax_kernel<T, false><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b].ptr, keys.ptr, touched.ptr, rc, j.nan_value[b]);
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
                if (n > 0) {
                    apply_count_kernel<false><<<span_grid, pol.apply_threads>>>(
                        sorted.ptr, n, tg, uv, counts.ptr, nullptr, j.bands, 0, nullptr, nullptr);
                    MRAST_CUDA_TRY(cudaGetLastError());
                }
                for (int b = 0; b < j.bands; ++b) {
                    resolve_count_kernel<T><<<px_grid, pol.resolve_threads>>>(dev_bands[b].ptr, counts.ptr, rc);
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
                if (n > 0) {
                    apply_count_kernel<true><<<span_grid, pol.apply_threads>>>(
                        sorted.ptr, n, tg, uv, b == 0 ? counts.ptr : nullptr, j.burn_int, j.bands, b,
                        pos.ptr, neg.ptr);
                    MRAST_CUDA_TRY(cudaGetLastError());
                }
                if (mode == MergeMode::Mean)
                    resolve_sum_kernel<T, true><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b].ptr, counts.ptr, pos.ptr, neg.ptr, rc, j.min_abs[b], inexact.ptr);
                else
                    resolve_sum_kernel<T, false><<<px_grid, pol.resolve_threads>>>(
                        dev_bands[b].ptr, counts.ptr, pos.ptr, neg.ptr, rc, j.min_abs[b], inexact.ptr);
                MRAST_CUDA_TRY(cudaGetLastError());
            }
            int flag = 0;
            MRAST_CUDA_TRY(cudaMemcpy(&flag, inexact.ptr, sizeof(int), cudaMemcpyDeviceToHost));
            if (flag != 0) st = static_cast<Status>(kInexact);
            break;
        }
    }
    MRAST_CUDA_TRY(cudaDeviceSynchronize());
    j.timer->stop(kms);
    if (st != Status::Ok) return st;

    // Out, into the caller's buffer: only now is the host touched.
    j.timer->start();
    for (int b = 0; b < j.bands; ++b) {
        const BandBuffer &bb = j.job->bands[b];
        auto *dst = static_cast<unsigned char *>(bb.data) +
                    static_cast<std::size_t>(r0) * static_cast<std::size_t>(bb.line_spacing);
        MRAST_CUDA_TRY(cudaMemcpy2D(dst, static_cast<std::size_t>(bb.line_spacing), dev_bands[b].ptr,
                                    j.width * sizeof(T), j.width * sizeof(T),
                                    static_cast<std::size_t>(rows), cudaMemcpyDeviceToHost));
    }
    j.timer->stop(tms);
    j.info->transfer_ms += tms;
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

    // The batch, once.
    DeviceArray<std::size_t> d_fpo, d_pro, d_rvo;
    DeviceArray<PartKind> d_kind;
    DeviceArray<double> d_x, d_y;
    DeviceArray<std::uint32_t> d_part_feature;
    DeviceArray<std::int32_t> d_lohi;
    DeviceArray<T> d_burn_t;
    DeviceArray<long long> d_burn_int;
    MRAST_CUDA_TRY(d_fpo.upload(batch.feature_part_offsets, features + 1));
    MRAST_CUDA_TRY(d_kind.upload(batch.part_kind, parts));
    MRAST_CUDA_TRY(d_pro.upload(batch.part_ring_offsets, parts + 1));
    MRAST_CUDA_TRY(d_rvo.upload(batch.ring_vertex_offsets, rings + 1));
    MRAST_CUDA_TRY(d_x.upload(batch.x, vertices));
    MRAST_CUDA_TRY(d_y.upload(batch.y, vertices));
    MRAST_CUDA_TRY(d_burn_t.upload(burn_t.data(), burn_t.size()));
    if (!burn_int.empty()) MRAST_CUDA_TRY(d_burn_int.upload(burn_int.data(), burn_int.size()));
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
    std::size_t per_px = bands * sizeof(T);
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

    std::vector<DeviceArray<T>> dev_bands(static_cast<std::size_t>(bands));
    std::int32_t r0 = 0;
    int tiles = 0;
    std::int64_t allocated_rows = 0;
    while (r0 < b0.height) {
        const std::int32_t r1 = static_cast<std::int32_t>(std::min<std::int64_t>(b0.height, r0 + tile_rows));
        Status st = Status::Ok;
        if (allocated_rows < r1 - r0) {
            for (auto &d : dev_bands) {
                const cudaError_t e = d.allocate(static_cast<std::size_t>(b0.width) * (r1 - r0));
                if (e != cudaSuccess) {
                    (void)cudaGetLastError();
                    st = status_of(e);
                    break;
                }
            }
            allocated_rows = st == Status::Ok ? r1 - r0 : 0;
        }
        if (st == Status::Ok) st = run_tile(j, r0, r1, dev_bands);
        if (st == Status::OutOfMemory && tile_rows > 1) {
            tile_rows = std::max<std::int64_t>(1, tile_rows / 2);  // same rows again, smaller
            continue;
        }
        if (st == static_cast<Status>(kInexact)) {
            info.cpu_fallback_reason =
                "sum/mean: running sums of this tile could round, saturate or meet nodata "
                "differently in another order";
            ++info.cpu_fallback_tiles;
            st = job.fallback.run(job.fallback.ctx, r0, r1);
        } else if (st == Status::Ok) {
            info.gpu_used = true;
        }
        if (st != Status::Ok) return st;
        ++tiles;
        r0 = r1;
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

Status run_device_job(const DeviceJob &job, CudaRunInfo &info) {
    if (!device_available()) return Status::CudaUnavailable;
    MRAST_CUDA_TRY(cudaSetDevice(job.cuda.device));
    // Page-lock the caller's buffers in place (no copy); pageable copies
    // otherwise.
    std::vector<void *> registered;
    for (int b = 0; b < job.band_count; ++b) {
        const BandBuffer &bb = job.bands[b];
        const std::size_t bytes = static_cast<std::size_t>(bb.height - 1) * bb.line_spacing +
                                  static_cast<std::size_t>(bb.width) * pixel_size(bb.type);
        if (!job.cuda.register_host) break;
        if (cudaHostRegister(bb.data, bytes, cudaHostRegisterDefault) == cudaSuccess) {
            registered.push_back(bb.data);
        } else {
            (void)cudaGetLastError();
        }
    }
    info.host_registered = !registered.empty() && registered.size() == static_cast<std::size_t>(job.band_count);
    Status st = with_type(job.bands[0].type, [&](auto tag) { return run_typed<decltype(tag)>(job, info); });
    for (void *p : registered) cudaHostUnregister(p);
    (void)cudaGetLastError();
    return st;
}

}  // namespace cuda_detail
}  // namespace mrast
