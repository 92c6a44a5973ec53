#pragma once
// The CUDA kernels: shells around agent_rasterize.cuh (one work item, span
// or pixel a thread). Launched by dispatch_rasterize.cu.

#include <cstddef>
#include <cstdint>

#include "agent_apply.cuh"
#include "agent_rasterize.cuh"

namespace mrast {
namespace cuda_detail {

__global__ void part_feature_kernel(const std::size_t *feature_part_offsets, std::size_t features,
                                    std::uint32_t *part_feature) {
    const std::size_t f = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (f >= features) return;
    for (std::size_t p = feature_part_offsets[f]; p < feature_part_offsets[f + 1]; ++p)
        part_feature[p] = static_cast<std::uint32_t>(f);
}

__global__ void part_rows_kernel(DeviceGeometry g, std::size_t parts, std::int32_t *lo,
                                 std::int32_t *hi) {
    const std::size_t p = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (p >= parts) return;
    part_rows(g, p, lo[p], hi[p]);
}

/// Work items of each part within tile rows [r0, r1): a polygon's rows (plus
/// one ring walk with all-touched), one item per line / point part.
__global__ void item_count_kernel(DeviceGeometry g, std::size_t parts, const std::int32_t *lo,
                                  const std::int32_t *hi, std::int32_t r0, std::int32_t r1,
                                  unsigned long long *counts) {
    const std::size_t p = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (p >= parts) return;
    const std::int32_t a = lo[p] > r0 ? lo[p] : r0;
    const std::int32_t b = hi[p] < r1 - 1 ? hi[p] : r1 - 1;
    unsigned long long n = 0;
    if (a <= b) {
        if (g.part_kind[p] == PartKind::Polygon) {
            n = static_cast<unsigned long long>(b - a + 1) + (g.all_touched ? 1u : 0u);
        } else {
            n = 1;
        }
    }
    counts[p] = n;
}

/// Last part p in [a, b) with item_offsets[p] <= i (parts without items in
/// the tile share their successor's offset; the last one has items).
__device__ inline std::size_t part_of_item(const unsigned long long *item_offsets, std::size_t a, std::size_t b,
                                           unsigned long long i) {
    while (b - a > 1) {
        const std::size_t m = (a + b) / 2;
        if (item_offsets[m] <= i) a = m;
        else b = m;
    }
    return a;
}

/// This thread's item; `block`: the block's place in item order
/// (cover_apply_kernel may run the blocks from the end). The block's items
/// lie in a few parts: two searches
/// over all parts for the block's first and last item (into `block_parts`,
/// shared), then each thread searches only between them (a search over 1.6M
/// parts per item cost ~21 dependent loads per polygon row). Every thread of
/// the block must call it (it synchronises).
__device__ inline unsigned long long block_item(const unsigned long long *item_offsets, std::size_t parts,
                                                unsigned long long items, unsigned long long block,
                                                std::size_t *block_parts) {
    const unsigned long long first = block * static_cast<unsigned long long>(blockDim.x);
    if (threadIdx.x < 2) {
        const unsigned long long last = (first + blockDim.x < items ? first + blockDim.x : items) - 1;
        block_parts[threadIdx.x] = part_of_item(item_offsets, 0, parts, threadIdx.x == 0 ? first : last);
    }
    __syncthreads();
    return first + threadIdx.x;
}

/// Where item i (< items) sits: its part, its index in the part, and the
/// part's rows in the tile.
struct ItemPlace {
    std::size_t part;
    std::int64_t k;
    std::int32_t row_lo;
    std::int32_t row_count;
};
__device__ inline ItemPlace place_item(const DeviceGeometry &g, const unsigned long long *item_offsets,
                                       const std::int32_t *lo, std::int32_t r0,
                                       const std::size_t *block_parts, unsigned long long i) {
    const std::size_t p = part_of_item(item_offsets, block_parts[0], block_parts[1] + 1, i);
    ItemPlace at;
    at.part = p;
    at.k = static_cast<std::int64_t>(i - item_offsets[p]);
    at.row_lo = lo[p] > r0 ? lo[p] : r0;
    at.row_count = static_cast<std::int32_t>(item_offsets[p + 1] - item_offsets[p]) -
                   ((g.part_kind[p] == PartKind::Polygon && g.all_touched) ? 1 : 0);
    return at;
}

/// Coverage, counting (Write = false: counts[item]) or writing (spans at
/// offsets[item]). Each thread finds its part by binary search.
template <bool Write>
__global__ void __launch_bounds__(128) coverage_kernel(
    DeviceGeometry g, std::size_t parts, const unsigned long long *item_offsets,
    unsigned long long items, const std::int32_t *lo, std::int32_t r0, std::int32_t r1,
    unsigned long long *counts, const unsigned long long *span_offsets, DeviceSpan *spans) {
    __shared__ std::size_t block_parts[2];
    const unsigned long long i = block_item(item_offsets, parts, items, blockIdx.x, block_parts);
    if (i >= items) return;
    const ItemPlace at = place_item(g, item_offsets, lo, r0, block_parts, i);
    DeviceSink sink{g.width, r0, r1, g.part_feature[at.part], SpanWriter{Write ? spans + span_offsets[i] : nullptr}};
    cover_item(g, at.part, at.k, at.row_lo, at.row_count, sink);
    if (!Write) counts[i] = sink.m_count;
}

/// Spans of a coverage thread kept for its warp by cover_apply_kernel.
constexpr int kBufferedSpans = 4;

/// Coverage and apply in one pass (agent_apply.cuh): first / last and
/// single-band min / max. `span_total` counts the spans (CudaRunInfo).
/// Blocks start roughly in blockIdx order, so an Op that wants the later
/// features first (last: their pixels are then claimed before the earlier
/// features come, which only look) gets the items from the end.
template <class Op>
__global__ void __launch_bounds__(128) cover_apply_kernel(
    DeviceGeometry g, std::size_t parts, const unsigned long long *item_offsets, unsigned long long items,
    const std::int32_t *lo, std::int32_t r0, std::int32_t r1, TileGeometry t, Op op,
    unsigned long long *span_total) {
    extern __shared__ __align__(16) unsigned char cover_apply_shared[];
    __shared__ std::size_t block_parts[2];
    const unsigned long long block =
        OpTraits<Op>::later_features_first ? gridDim.x - 1ull - blockIdx.x : blockIdx.x;
    const unsigned long long i = block_item(item_offsets, parts, items, block, block_parts);
    using Buffer = BufferedApply<Op, kBufferedSpans>;
    DeviceSinkT<Buffer> sink{g.width, r0, r1, 0, Buffer{{}, op, t}};
    if (i < items) {  // every lane stays for the warp's apply
        const ItemPlace at = place_item(g, item_offsets, lo, r0, block_parts, i);
        sink.m_feature = g.part_feature[at.part];
        cover_item(g, at.part, at.k, at.row_lo, at.row_count, sink);
    }
    const unsigned spans = sink.m_count;
    const unsigned warp_spans = __reduce_add_sync(0xFFFFFFFFu, spans);
    if ((threadIdx.x & 31u) == 0 && warp_spans > 0) atomicAdd(span_total, static_cast<unsigned long long>(warp_spans));
    auto *slots = reinterpret_cast<ApplyLaneSlot<typename Op::Value> *>(cover_apply_shared) +
                  (threadIdx.x & ~31u) * kBufferedSpans;
    apply_buffered_warp(sink.m_out, spans < kBufferedSpans ? spans : kBufferedSpans, slots);
}

// ---- apply: spans -> per-pixel scratch ------------------------------------

/// One warp per 32 spans (agent_apply.cuh); dynamic shared memory holds
/// one ApplyLaneSlot per thread.
template <class Op>
__global__ void apply_spans_kernel(const DeviceSpan *spans, unsigned long long n, TileGeometry t, Op op) {
    extern __shared__ __align__(16) unsigned char apply_shared[];
    auto *slots = reinterpret_cast<ApplyLaneSlot<typename Op::Value> *>(apply_shared) + (threadIdx.x & ~31u);
    apply_warp(spans, n, t, op, slots);
}

// ---- resolve: scratch + band -> band ---------------------------------------

struct ResolveContext {
    std::int32_t width;
    std::int32_t rows;
    bool update;
    bool has_nodata;
    NodataTest nodata;
    __device__ std::size_t pixels() const { return static_cast<std::size_t>(width) * rows; }
    template <class T>
    __device__ bool is_nodata(T v) const { return has_nodata && nodata.is_nodata(v); }
};

template <class T, class U, bool IsFirst>
__global__ void resolve_order_kernel(T *band, const U *order, ResolveContext c, const T *burn,
                                     int band_count, int b) {
    const std::size_t k = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (k >= c.pixels()) return;
    const U o = order[k];
    if (IsFirst) {
        if (o == static_cast<U>(~U{0})) return;
        // The existing value, unless nodata, is the first contributor.
        if (c.update && !c.is_nodata(band[k])) return;
        band[k] = burn[static_cast<std::size_t>(o) * band_count + b];
    } else {
        if (o == 0) return;
        band[k] = burn[static_cast<std::size_t>(o - 1) * band_count + b];
    }
}

template <class T, bool IsMin>
__global__ void resolve_minmax_kernel(T *band, const typename KeyOf<T>::type *keys,
                                      const std::uint8_t *touched, ResolveContext c, T nan_value) {
    const std::size_t k = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (k >= c.pixels() || !touched[k]) return;
    const T r = from_key<T, IsMin>(keys[k], nan_value);
    const T dst = band[k];
    if (c.update && !c.is_nodata(dst)) {
        band[k] = IsMin ? merge::nan_min(dst, r) : merge::nan_max(dst, r);
    } else {
        band[k] = r;
    }
}

/// count: the CPU's steps, replayed (dst + 1 with per-step conversion, and
/// a running count that lands on nodata restarting), stopping at a fixed point.
template <class T>
__global__ void resolve_count_kernel(T *band, const std::uint32_t *counts, ResolveContext c) {
    const std::size_t k = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (k >= c.pixels()) return;
    const std::uint32_t n = counts[k];
    if (n == 0) return;
    T dst = band[k];
    for (std::uint32_t i = 0; i < n; ++i) {
        const bool has = !c.is_nodata(dst);
        if constexpr (std::is_floating_point_v<T>) {
            if (has && dst != dst) break;  // NaN stays, with its payload
        }
        const T next = merge::Count::merge<T>(dst, 1.0, has);
        if (has && next == dst) break;  // saturated or absorbed: stays
        dst = next;
    }
    band[k] = dst;
}

/// Saturation limits of a band type, as doubles.
template <class T>
__device__ constexpr double band_lowest() {
    if constexpr (std::is_floating_point_v<T>) return -1.0 / 0.0;
    else if constexpr (std::is_unsigned_v<T>) return 0.0;
    else if constexpr (sizeof(T) == 8) return -9223372036854775808.0;
    else return IntegerLimits<T>::lowest;
}
template <class T>
__device__ constexpr double band_highest() {
    if constexpr (std::is_floating_point_v<T>) return 1.0 / 0.0;
    else if constexpr (std::is_same_v<T, std::uint64_t>) return 18446744073709551616.0;
    else if constexpr (sizeof(T) == 8) return 9223372036854775808.0;
    else return IntegerLimits<T>::highest;
}

/// Exact range of consecutive integers of a band type's arithmetic.
template <class T>
__device__ constexpr double exact_limit() {
    if constexpr (std::is_same_v<T, float>) return 16777216.0;
    else return 9007199254740992.0;
}

/// sum / mean from integer-valued burns: exact when no running sum can
/// round, saturate differently or (sum) land on nodata in some order; else
/// the pixel raises `inexact` and the tile goes to the CPU.
template <class T, bool IsMean>
__global__ void resolve_sum_kernel(T *band, const std::uint32_t *counts,
                                   const unsigned long long *pos, const unsigned long long *neg,
                                   ResolveContext c, double min_abs_burn, int *inexact) {
    const std::size_t k = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (k >= c.pixels()) return;
    const std::uint32_t n = counts[k];
    if (n == 0) return;
    const T dst = band[k];
    const double P = static_cast<double>(pos[k]);
    const double Q = static_cast<double>(neg[k]);
    const bool existing = IsMean ? (c.update && !c.is_nodata(dst)) : !c.is_nodata(dst);
    double s = 0.0;
    if (existing) {
        if constexpr (std::is_floating_point_v<T>) {
            if (!(dst - dst == dst - dst)) return;  // NaN / inf stay as they are
        }
        s = static_cast<double>(dst);
        if (!(s == rules::floor_fast(s)) || rules::abs_d(s) > exact_limit<T>()) {
            atomicOr(inexact, 1);
            return;
        }
    }
    // Every running sum lies in [lo, hi].
    double lo = s - Q, hi = s + P;
    if (!existing) {
        if (Q == 0.0) lo = min_abs_burn;
        if (P == 0.0) hi = -min_abs_burn;
    }
    if (rules::abs_d(lo) > exact_limit<T>() || rules::abs_d(hi) > exact_limit<T>()) {
        atomicOr(inexact, 1);
        return;
    }
    const double total = s + P - Q;
    if constexpr (IsMean) {
        const double count = static_cast<double>(n) + (existing ? 1.0 : 0.0);
        band[k] = merge::Mean::finalize<T>(total, count);
        return;
    } else {
        if constexpr (std::is_integral_v<T>) {
            const bool saturates = lo < band_lowest<T>() || hi > band_highest<T>();
            if (saturates && P != 0.0 && Q != 0.0) {  // order decides where it clips
                atomicOr(inexact, 1);
                return;
            }
        }
        if (c.has_nodata && !c.nodata.m_nodata_is_nan) {
            const double d = c.nodata.m_nodata;
            if (d >= lo && d <= hi) {
                atomicOr(inexact, 1);
                return;
            }
        }
        band[k] = copy_word<T>(total);  // monotone: clipping once = clipping per step
    }
}

}  // namespace cuda_detail
}  // namespace mrast
