#pragma once
// Spans -> per-pixel scratch, one warp per 32 spans: the pixels of the 32
// spans are dealt out to the lanes in order (a warp prefix sum over span
// lengths), so neighbouring lanes update neighbouring pixels. One span per
// thread (the former kernel) let a warp's 32 atomics hit 32 rows, each its
// own memory transaction, and made the warp wait for its longest span:
// 46 ms of the 66 ms of kernels on the 16384^2 / 1.6M polygon bench.
//
// For first / last (and single-band min / max), whose atomics need no
// union of a feature's spans, coverage and apply are one kernel
// (cover_apply_kernel): each thread keeps its row's spans, the warp deals
// their pixels out the same way.
//
// The scratch update is a plugged-in Op (one skeleton, every mode):
//   using Value = ...;                                     per-span payload
//   Value value(const DeviceSpan &s) const;                 once per span
//   std::int32_t start(unsigned long long i, const DeviceSpan &s) const;
//                                                         first pixel (union trim)
//   void pixel(Value v, std::size_t k) const;               one pixel

#include <cstddef>
#include <cstdint>

#include "agent_rasterize.cuh"

namespace mrast {
namespace cuda_detail {

/// Pixel index in the tile.
struct TileGeometry {
    std::int32_t width;
    std::int32_t r0;
    __device__ std::size_t index(std::int32_t x, std::int32_t y) const {
        return static_cast<std::size_t>(y - r0) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x);
    }
};

/// Shared memory of one warp: where each of its spans starts in the
/// warp's pixel sequence, and what its pixels need.
template <class Value>
struct ApplyLaneSlot {
    unsigned long long end;  // inclusive prefix of lengths
    long long base;          // x of pixel number p of this span = base + p
    std::int32_t y;
    Value value;
};

/// The warp's pixels, dealt out: pixel p of the warp belongs to the first
/// slot whose end is past p; p only grows, so the slot cursor only moves
/// forward (once over all slots at most).
template <class Op>
__device__ inline void deal_pixels(const ApplyLaneSlot<typename Op::Value> *slots, unsigned long long total,
                                   TileGeometry t, const Op &op) {
    const unsigned lane = threadIdx.x & 31u;
    unsigned j = 0;
    for (unsigned long long p = lane; p < total; p += 32) {
        while (slots[j].end <= p) ++j;
        const auto x = static_cast<std::int32_t>(slots[j].base + static_cast<long long>(p));
        op.pixel(slots[j].value, t.index(x, slots[j].y));
    }
}

template <class T>
__device__ inline T warp_inclusive_sum(T v) {
    const unsigned lane = threadIdx.x & 31u;
    for (unsigned d = 1; d < 32; d <<= 1) {
        const T o = __shfl_up_sync(0xFFFFFFFFu, v, d);
        if (lane >= d) v += o;
    }
    return v;
}

/// One span per lane (spans[warp_first + lane]), `slots`: 32 per warp.
template <class Op>
__device__ inline void apply_warp(const DeviceSpan *spans, unsigned long long n, TileGeometry t, const Op &op,
                                  ApplyLaneSlot<typename Op::Value> *slots) {
    const unsigned lane = threadIdx.x & 31u;
    const unsigned long long warp_first =
        (blockIdx.x * static_cast<unsigned long long>(blockDim.x) + threadIdx.x) - lane;
    if (warp_first >= n) return;  // the whole warp
    const unsigned long long i = warp_first + lane;
    unsigned long long len = 0;
    std::int32_t x0 = 0, y = 0;
    typename Op::Value v{};
    if (i < n) {
        const DeviceSpan s = spans[i];
        x0 = op.start(i, s);
        y = s.y;
        v = op.value(s);
        if (s.x1 >= x0) len = static_cast<unsigned long long>(s.x1 - x0) + 1;
    }
    const unsigned long long end = warp_inclusive_sum(len);
    const unsigned long long total = __shfl_sync(0xFFFFFFFFu, end, 31);
    slots[lane] = ApplyLaneSlot<typename Op::Value>{end, static_cast<long long>(x0) - static_cast<long long>(end - len),
                                                    y, v};
    __syncwarp();
    deal_pixels(slots, total, t, op);
}

/// The spans one coverage thread produced, up to K kept for the warp; more
/// are applied by the thread itself (rare: a row of a star polygon has 1-3).
template <class Op, int K>
struct BufferedApply {
    DeviceSpan buf[K];
    Op op;
    TileGeometry t;
    __device__ void operator()(std::uint32_t n, std::int32_t y, std::int32_t x0, std::int32_t x1,
                               std::uint32_t feature) {
        const DeviceSpan s{y, x0, x1, feature};
        if (n < static_cast<std::uint32_t>(K)) {
            buf[n] = s;
            return;
        }
        const typename Op::Value v = op.value(s);
        for (std::int32_t x = x0; x <= x1; ++x) op.pixel(v, t.index(x, y));
    }
};

/// Coverage fused with apply (modes whose atomics need no union): the
/// warp's buffered spans, `count` per lane, dealt out as in apply_warp;
/// `slots`: 32 * K per warp. The spans never go to memory, and the pass
/// that only counted them is gone.
template <class Op, int K>
__device__ inline void apply_buffered_warp(const BufferedApply<Op, K> &b, unsigned count,
                                           ApplyLaneSlot<typename Op::Value> *slots) {
    unsigned long long len = 0;
    for (unsigned k = 0; k < count; ++k) len += static_cast<unsigned long long>(b.buf[k].x1 - b.buf[k].x0) + 1;
    const unsigned first_slot = warp_inclusive_sum(count) - count;
    unsigned long long end = warp_inclusive_sum(len) - len;
    const unsigned long long total = __shfl_sync(0xFFFFFFFFu, end + len, 31);
    for (unsigned k = 0; k < count; ++k) {
        const DeviceSpan &s = b.buf[k];
        const unsigned long long l = static_cast<unsigned long long>(s.x1 - s.x0) + 1;
        end += l;
        slots[first_slot + k] = ApplyLaneSlot<typename Op::Value>{
            end, static_cast<long long>(s.x0) - static_cast<long long>(end - l), s.y, b.op.value(s)};
    }
    __syncwarp();
    deal_pixels(slots, total, b.t, b.op);
}

// ---- the scratch ops ---------------------------------------------------------

/// first / last: the order buffer keeps the smallest feature index (first;
/// none = all ones) or the largest index + 1 (last; none = 0).
template <class U, bool IsFirst>
struct OrderOp {
    using Value = U;
    U *order;
    __device__ Value value(const DeviceSpan &s) const { return static_cast<U>(IsFirst ? s.feature : s.feature + 1); }
    __device__ std::int32_t start(unsigned long long, const DeviceSpan &s) const { return s.x0; }
    __device__ void pixel(Value v, std::size_t k) const { atomic_extreme<U, IsFirst>(order + k, v); }
};

/// min / max: ordered-integer keys, and a touched flag per pixel.
template <class T, bool IsMin>
struct KeyOp {
    using K = typename KeyOf<T>::type;
    using Value = K;
    const T *burn;
    int band_count;
    int band;
    K *keys;
    std::uint8_t *touched;
    __device__ Value value(const DeviceSpan &s) const {
        return to_key<T, IsMin>(burn[static_cast<std::size_t>(s.feature) * band_count + band]);
    }
    __device__ std::int32_t start(unsigned long long, const DeviceSpan &s) const { return s.x0; }
    __device__ void pixel(Value v, std::size_t k) const {
        atomic_key<K, IsMin>(keys + k, v);
        touched[k] = 1;
    }
};

/// Sorted spans (feature, y, x0) with the running max of x1 over earlier
/// spans of the same (feature, y): the part already covered is skipped, so
/// each feature adds to a pixel once (SPEC section 3).
struct UnionView {
    const unsigned long long *keys;  // (feature, y) per sorted span
    const std::int32_t *max_x1;      // inclusive running max of x1 per key
    __device__ std::int32_t start(unsigned long long i, std::int32_t x0) const {
        if (i == 0 || keys[i - 1] != keys[i]) return x0;
        const std::int32_t covered = max_x1[i - 1];
        return covered + 1 > x0 ? covered + 1 : x0;
    }
};

/// count (and the contributor count of sum / mean): +1 per feature and
/// pixel; sum / mean: integer-valued burns split into positive and
/// negative sums (exact, any order).
template <bool WithSums>
struct CountOp {
    using Value = long long;
    UnionView u;
    std::uint32_t *counts;  // null: counted already (later bands)
    const long long *burn_int;
    int band_count;
    int band;
    unsigned long long *pos;
    unsigned long long *neg;
    __device__ Value value(const DeviceSpan &s) const {
        return WithSums ? burn_int[static_cast<std::size_t>(s.feature) * band_count + band] : 0;
    }
    __device__ std::int32_t start(unsigned long long i, const DeviceSpan &s) const { return u.start(i, s.x0); }
    __device__ void pixel(Value v, std::size_t k) const {
        if (counts != nullptr) atomicAdd(counts + k, 1u);
        if (WithSums) {
            if (v > 0) atomicAdd(pos + k, static_cast<unsigned long long>(v));
            else if (v < 0) atomicAdd(neg + k, static_cast<unsigned long long>(-v));
        }
    }
};

}  // namespace cuda_detail
}  // namespace mrast
