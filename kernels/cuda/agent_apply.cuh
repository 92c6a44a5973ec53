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
// or, for an Op that looks at a pixel before it updates it (OpTraits):
//   using Probe = ...;  Probe probe(std::size_t k) const;   the look
//   void pixel(Value v, std::size_t k, Probe seen) const;   the update
//   static constexpr int kProbeAhead;                       looks per lane before updates
//   static constexpr bool kLaterFeaturesFirst;              block order of the fused kernel
//
// first / last (issue 5): the order buffer takes atomicMin / atomicMax of
// the feature index, and a pixel lies under ~11 polygons on the 16384^2 /
// 1.6M polygon bench. An atomic that cannot win is skipped after a plain
// (relaxed) load, and the fused kernel runs the features from the end for
// last (from the start for first), so that earlier features tend to find
// their pixels already claimed by a later one and only look. The looks of a
// lane are issued together (kProbeAhead) so their latencies overlap. max /
// min of the feature index commute, so the result is the same in any order.
// H100, that bench, last: kernels 0.0335 -> 0.0301 s for the three together
// (the share of atomics skipped was not counted).

#include <cstddef>
#include <cstdint>
#include <type_traits>

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

/// What the skeleton asks of an Op beyond value / start / pixel. Ops
/// without `Probe` update every pixel they are dealt, one at a time, and
/// keep the blocks in item order.
template <class Op, class = void>
struct OpTraits {
    struct Probe {};
    static constexpr int probe_ahead = 1;
    static constexpr bool later_features_first = false;
    __device__ static Probe probe(const Op &, std::size_t) { return {}; }
    __device__ static void pixel(const Op &op, typename Op::Value v, std::size_t k, Probe) { op.pixel(v, k); }
};
template <class Op>
struct OpTraits<Op, std::void_t<typename Op::Probe>> {
    using Probe = typename Op::Probe;
    static constexpr int probe_ahead = Op::kProbeAhead;
    static constexpr bool later_features_first = Op::kLaterFeaturesFirst;
    __device__ static Probe probe(const Op &op, std::size_t k) { return op.probe(k); }
    __device__ static void pixel(const Op &op, typename Op::Value v, std::size_t k, Probe seen) {
        op.pixel(v, k, seen);
    }
};

/// The warp's pixels, dealt out: pixel p of the warp belongs to the first
/// slot whose end is past p; p only grows, so the slot cursor only moves
/// forward (once over all slots at most). A lane takes `probe_ahead` pixels
/// at a time (p, p + 32, ...): all their looks, then all their updates.
template <class Op>
__device__ inline void deal_pixels(const ApplyLaneSlot<typename Op::Value> *slots, unsigned long long total,
                                   TileGeometry t, const Op &op) {
    using Traits = OpTraits<Op>;
    constexpr int G = Traits::probe_ahead;
    const unsigned lane = threadIdx.x & 31u;
    unsigned j = 0;
    for (unsigned long long p0 = lane; p0 < total; p0 += 32ull * G) {
        std::size_t k[G];
        typename Op::Value v[G];
        typename Traits::Probe seen[G];
#pragma unroll
        for (int g = 0; g < G; ++g) {
            const unsigned long long p = p0 + 32ull * g;
            if (p < total) {
                while (slots[j].end <= p) ++j;
                const auto x = static_cast<std::int32_t>(slots[j].base + static_cast<long long>(p));
                k[g] = t.index(x, slots[j].y);
                v[g] = slots[j].value;
            }
        }
#pragma unroll
        for (int g = 0; g < G; ++g)
            if (p0 + 32ull * g < total) seen[g] = Traits::probe(op, k[g]);
#pragma unroll
        for (int g = 0; g < G; ++g)
            if (p0 + 32ull * g < total) Traits::pixel(op, v[g], k[g], seen[g]);
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
        using Traits = OpTraits<Op>;
        for (std::int32_t x = x0; x <= x1; ++x) {
            const std::size_t k = t.index(x, y);
            Traits::pixel(op, v, k, Traits::probe(op, k));
        }
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
/// none = all ones) or the largest index + 1 (last; none = 0). Only a value
/// that beats what the pixel holds goes to the atomic (the value there only
/// moves towards the winner, so a look that is already out of date is at
/// worst an atomic too many).
template <class U, bool IsFirst>
struct OrderOp {
    using Value = U;
    using Probe = U;
    static constexpr int kProbeAhead = Policy::kOrderProbeAhead;
    static constexpr bool kLaterFeaturesFirst = !IsFirst;
    U *order;
    __device__ Value value(const DeviceSpan &s) const { return static_cast<U>(IsFirst ? s.feature : s.feature + 1); }
    __device__ std::int32_t start(unsigned long long, const DeviceSpan &s) const { return s.x0; }
    __device__ Probe probe(std::size_t k) const { return load_relaxed(order + k); }
    __device__ void pixel(Value v, std::size_t k, Probe seen) const {
        if (IsFirst ? !(v < seen) : !(v > seen)) return;  // cannot win
        atomic_extreme<U, IsFirst>(order + k, v);
    }
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
