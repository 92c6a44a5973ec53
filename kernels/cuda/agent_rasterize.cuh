#pragma once
// Per-thread work of the CUDA rasterizer: one work item -> spans, with the
// host+device rules of mrast/rules/*.hpp (the very code the CPU runs), and
// the per-pixel merge steps (ordered keys, exactness checks).

#include <cstddef>
#include <cstdint>

#include "mrast/geometry.hpp"
#include "mrast/merge_policies.hpp"
#include "mrast/pixel_convert.hpp"
#include "mrast/rules/line_all_touched.hpp"
#include "mrast/rules/line_bresenham.hpp"
#include "mrast/rules/point.hpp"
#include "mrast/rules/polygon.hpp"
#include "mrast/touched_state.hpp"
#include "tuning.cuh"

namespace mrast {
namespace cuda_detail {

/// A batch's arrays in device memory.
struct DeviceGeometry {
    const std::size_t *part_ring_offsets;
    const std::size_t *ring_vertex_offsets;
    const PartKind *part_kind;
    const std::uint32_t *part_feature;  // feature of each part
    const double *x;
    const double *y;
    std::int32_t width;
    std::int32_t height;
    bool all_touched;
};

/// One span of one feature; rows are whole-raster rows.
struct DeviceSpan {
    std::int32_t y;
    std::int32_t x0;
    std::int32_t x1;
    std::uint32_t feature;
};

/// Where a DeviceSink's spans go: written at `out` (null: only counted).
struct SpanWriter {
    DeviceSpan *out;
    __device__ void operator()(std::uint32_t n, std::int32_t y, std::int32_t x0, std::int32_t x1,
                               std::uint32_t feature) const {
        if (out != nullptr) out[n] = DeviceSpan{y, x0, x1, feature};
    }
};

/// The CUDA twin of the CPU SpanSink: clips to the raster columns and the
/// tile's rows, folds adjacent pixels of one row into a span, and hands
/// each span to `Out` (SpanWriter: counts or writes them; both passes run
/// the same code, so the counts match the writes).
template <class Out>
struct DeviceSinkT {
    std::int32_t m_width;
    std::int32_t m_row_begin;
    std::int32_t m_row_end;
    std::uint32_t m_feature;
    Out m_out;
    std::uint32_t m_count = 0;
    bool m_pending = false;
    std::int32_t m_y = 0, m_x0 = 0, m_x1 = 0;

    __device__ bool row_in_band(std::int64_t y) const { return y >= m_row_begin && y < m_row_end; }
    __device__ std::int32_t width() const { return m_width; }
    __device__ std::int32_t row_begin() const { return m_row_begin; }
    __device__ std::int32_t row_end() const { return m_row_end; }

    __device__ void emit(std::int32_t y, std::int32_t x0, std::int32_t x1) {
        m_out(m_count, y, x0, x1, m_feature);
        ++m_count;
    }
    __device__ void flush() {
        if (m_pending) emit(m_y, m_x0, m_x1);
        m_pending = false;
    }
    __device__ void pixel(std::int64_t y, std::int64_t x, double) {
        if (!row_in_band(y) || x < 0 || x >= m_width) return;
        const auto yi = static_cast<std::int32_t>(y);
        const auto xi = static_cast<std::int32_t>(x);
        if (m_pending && m_y == yi) {
            if (xi >= m_x0 && xi <= m_x1) return;
            if (xi == m_x1 + 1) {
                m_x1 = xi;
                return;
            }
            if (xi + 1 == m_x0) {
                m_x0 = xi;
                return;
            }
        }
        flush();
        m_pending = true;
        m_y = yi;
        m_x0 = m_x1 = xi;
    }
    __device__ void run(std::int64_t y, std::int64_t x0, std::int64_t x1, double) {
        if (!row_in_band(y)) return;
        if (x0 < 0) x0 = 0;
        if (x1 >= m_width) x1 = m_width - 1;
        if (x0 > x1) return;
        flush();
        emit(static_cast<std::int32_t>(y), static_cast<std::int32_t>(x0),
             static_cast<std::int32_t>(x1));
    }
};
using DeviceSink = DeviceSinkT<SpanWriter>;

/// Rows of the raster a part can touch: floor(min y) - 2 .. floor(max y) + 2
/// (every rule stays within them; NaN vertices ignored), clipped to the
/// raster; lo > hi when none.
__device__ inline void part_rows(const DeviceGeometry &g, std::size_t part, std::int32_t &lo,
                                 std::int32_t &hi) {
    const std::size_t v0 = g.ring_vertex_offsets[g.part_ring_offsets[part]];
    const std::size_t v1 = g.ring_vertex_offsets[g.part_ring_offsets[part + 1]];
    double ymin = 1.0 / 0.0, ymax = -1.0 / 0.0;
    for (std::size_t v = v0; v < v1; ++v) {
        const double y = g.y[v];
        if (y < ymin) ymin = y;
        if (y > ymax) ymax = y;
    }
    lo = 0;
    hi = -1;
    if (!(ymin <= ymax)) return;
    const double f = rules::floor_fast(ymin) - 2.0;
    const double l = rules::floor_fast(ymax) + 2.0;
    if (l < 0.0 || f > static_cast<double>(g.height - 1)) return;
    lo = f < 0.0 ? 0 : static_cast<std::int32_t>(f);
    hi = l > static_cast<double>(g.height - 1) ? g.height - 1 : static_cast<std::int32_t>(l);
}

/// GDALdllImageFilledPolygon for one row of one polygon part: horizontal
/// runs, then the row's crossings sorted and paired (rules/polygon.hpp).
template <class Sink>
__device__ inline void fill_polygon_row(const DeviceGeometry &g, std::size_t part, std::int64_t y, Sink &sink) {
    const std::int64_t width = g.width;
    std::int32_t local[Policy::kLocalCrossings];
    int n = 0;
    const std::size_t r_begin = g.part_ring_offsets[part], r_end = g.part_ring_offsets[part + 1];
    auto for_each_edge = [&](auto &&fn) {
        for (std::size_t r = r_begin; r < r_end; ++r) {
            const std::size_t b = g.ring_vertex_offsets[r], e = g.ring_vertex_offsets[r + 1];
            const std::size_t nv = e - b;
            for (std::size_t i = 0; i < nv; ++i) {
                // The first edge of a ring is the closing one, as in GDAL.
                const std::size_t ind1 = b + (i == 0 ? nv - 1 : i - 1);
                const std::size_t ind2 = b + i;
                fn(g.x[ind1], g.y[ind1], g.x[ind2], g.y[ind2]);
            }
        }
    };
    for_each_edge([&](double xa, double ya, double xb, double yb) {
        if (rules::edge_has_nan(xa, ya, xb, yb)) return;
        if (ya == yb) {
            std::int64_t row = 0, x0 = 0, x1 = -1;
            if (rules::horizontal_edge_run(xa, ya, xb, y, y, width, row, x0, x1))
                sink.run(row, x0, x1, 0.0);
            return;
        }
        const rules::OrientedEdge oe = rules::orient_edge(xa, ya, xb, yb);
        if (!rules::edge_crosses_row(oe, y)) return;
        if (n < Policy::kLocalCrossings) local[n] = rules::edge_crossing(oe, y);
        ++n;
    });
    auto run = [&](std::int64_t x0, std::int64_t x1) { sink.run(y, x0, x1, 0.0); };
    if (n <= Policy::kLocalCrossings) {
        for (int i = 1; i < n; ++i) {
            const std::int32_t v = local[i];
            int j = i;
            for (; j > 0 && local[j - 1] > v; --j) local[j] = local[j - 1];
            local[j] = v;
        }
        rules::pair_crossings(local, static_cast<std::size_t>(n), width, run);
        return;
    }
    // Many crossings: walk the distinct values in ascending order (each a
    // pass over the edges), pairing as pair_crossings does on the sorted list.
    std::int64_t prev = static_cast<std::int64_t>(rules::kInt32Min) - 1;
    bool have_first = false;
    std::int64_t first = 0;
    int seen = 0;
    while (seen < n) {
        std::int64_t next = rules::kInt64Max;
        int mult = 0;
        for_each_edge([&](double xa, double ya, double xb, double yb) {
            if (rules::edge_has_nan(xa, ya, xb, yb) || ya == yb) return;
            const rules::OrientedEdge oe = rules::orient_edge(xa, ya, xb, yb);
            if (!rules::edge_crosses_row(oe, y)) return;
            const std::int64_t c = rules::edge_crossing(oe, y);
            if (c <= prev) return;
            if (c < next) {
                next = c;
                mult = 1;
            } else if (c == next) {
                ++mult;
            }
        });
        for (int k = 0; k < mult; ++k) {
            if (!have_first) {
                first = next;
                have_first = true;
            } else {
                if (first <= width - 1 && next > 0) run(first, next - 1);
                have_first = false;
            }
        }
        seen += mult;
        prev = next;
    }
}

/// Work item `k` of `part` (see coverage kernels): polygon rows first, then
/// the all-touched ring walk; lines and points have one item.
template <class Sink>
__device__ inline void cover_item(const DeviceGeometry &g, std::size_t part, std::int64_t k,
                                  std::int32_t row_lo, std::int32_t row_count, Sink &sink) {
    const std::size_t r_begin = g.part_ring_offsets[part], r_end = g.part_ring_offsets[part + 1];
    auto ring_at = [&](std::size_t r) {
        return rules::RingView{g.x, g.y, g.ring_vertex_offsets[r], g.ring_vertex_offsets[r + 1]};
    };
    const rules::ZSource no_z{};
    switch (g.part_kind[part]) {
        case PartKind::Polygon:
            if (k < row_count) {
                fill_polygon_row(g, part, row_lo + k, sink);
            } else {
                for (std::size_t r = r_begin; r < r_end; ++r)
                    rules::all_touched_line(ring_at(r), no_z, g.width, g.height, true, sink);
            }
            break;
        case PartKind::Line:
            for (std::size_t r = r_begin; r < r_end; ++r) {
                if (g.all_touched)
                    rules::all_touched_line(ring_at(r), no_z, g.width, g.height, false, sink);
                else
                    rules::bresenham_line(ring_at(r), no_z, g.width, g.height, sink);
            }
            break;
        case PartKind::Points:
            for (std::size_t r = r_begin; r < r_end; ++r) {
                const rules::RingView ring = ring_at(r);
                for (std::size_t v = ring.begin; v < ring.end; ++v) {
                    std::int32_t col = 0, row = 0;
                    if (rules::point_pixel(g.x[v], g.y[v], g.width, g.height, col, row))
                        sink.pixel(row, col, 0.0);
                }
            }
            break;
    }
    sink.flush();
}

// ---- merge helpers ---------------------------------------------------------

/// Unsigned key type of a band type for min/max atomics.
template <class T>
struct KeyOf {
    using type = std::uint32_t;
};
template <>
struct KeyOf<std::uint64_t> {
    using type = unsigned long long;
};
template <>
struct KeyOf<std::int64_t> {
    using type = unsigned long long;
};
template <>
struct KeyOf<double> {
    using type = unsigned long long;
};

/// Order-preserving map of a band value to an unsigned key; NaN maps to the
/// extreme that wins (SPEC: NaN propagates): 0 for min, all ones for max.
template <class T, bool IsMin>
__device__ inline typename KeyOf<T>::type to_key(T v) {
    using K = typename KeyOf<T>::type;
    if constexpr (std::is_same_v<T, float>) {
        if (v != v) return IsMin ? K{0} : ~K{0};
        const std::uint32_t u = __float_as_uint(v);
        return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    } else if constexpr (std::is_same_v<T, double>) {
        if (v != v) return IsMin ? K{0} : ~K{0};
        const auto u = static_cast<unsigned long long>(__double_as_longlong(v));
        return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
    } else if constexpr (std::is_signed_v<T>) {
        using U = std::make_unsigned_t<T>;
        const K bias = K{1} << (sizeof(T) * 8 - 1);
        return static_cast<K>(static_cast<U>(v)) ^ bias;
    } else {
        return static_cast<K>(v);
    }
}

template <class T, bool IsMin>
__device__ inline T from_key(typename KeyOf<T>::type k, T nan_value) {
    using K = typename KeyOf<T>::type;
    if constexpr (std::is_same_v<T, float>) {
        if (k == (IsMin ? K{0} : ~K{0})) return nan_value;
        const std::uint32_t u = (k & 0x80000000u) ? (k & 0x7FFFFFFFu) : ~k;
        return __uint_as_float(u);
    } else if constexpr (std::is_same_v<T, double>) {
        if (k == (IsMin ? K{0} : ~K{0})) return nan_value;
        const unsigned long long u =
            (k & 0x8000000000000000ull) ? (k & 0x7FFFFFFFFFFFFFFFull) : ~k;
        return __longlong_as_double(static_cast<long long>(u));
    } else if constexpr (std::is_signed_v<T>) {
        using U = std::make_unsigned_t<T>;
        const K bias = K{1} << (sizeof(T) * 8 - 1);
        return static_cast<T>(static_cast<U>(k ^ bias));
    } else {
        return static_cast<T>(k);
    }
}

/// A look at an 8-, 16- or 32-bit slot that other threads update with
/// atomics: a relaxed load at device scope (served by L2, where the atomics
/// land; never a stale L1 copy), so the race is a defined one.
template <class U>
__device__ inline U load_relaxed(const U *slot) {
    static_assert(sizeof(U) == 1 || sizeof(U) == 2 || sizeof(U) == 4, "8-, 16- or 32-bit slots");
    if constexpr (sizeof(U) == 4) {
        unsigned int v;
        asm volatile("ld.relaxed.gpu.u32 %0, [%1];" : "=r"(v) : "l"(slot));
        return static_cast<U>(v);
    } else if constexpr (sizeof(U) == 2) {
        unsigned short v;
        asm volatile("ld.relaxed.gpu.u16 %0, [%1];" : "=h"(v) : "l"(slot));
        return static_cast<U>(v);
    } else {
        unsigned short v;
        asm volatile("ld.relaxed.gpu.u8 %0, [%1];" : "=h"(v) : "l"(slot));
        return static_cast<U>(v);
    }
}

/// atomicMin / atomicMax on an 8-, 16- or 32-bit unsigned slot; narrow
/// slots CAS their containing 32-bit word (the order buffer is allocated
/// with a 4-byte tail so the word is always inside it).
template <class U, bool IsMin>
__device__ inline void atomic_extreme(U *slot, U value) {
    if constexpr (sizeof(U) == 4) {
        if (IsMin) atomicMin(reinterpret_cast<unsigned int *>(slot), value);
        else atomicMax(reinterpret_cast<unsigned int *>(slot), value);
    } else {
        const auto addr = reinterpret_cast<std::uintptr_t>(slot);
        unsigned int *word = reinterpret_cast<unsigned int *>(addr & ~std::uintptr_t{3});
        const unsigned shift = static_cast<unsigned>(addr & 3u) * 8u;
        const unsigned mask = ((1u << (sizeof(U) * 8)) - 1u) << shift;
        unsigned int old = *word, assumed;
        do {
            assumed = old;
            const U cur = static_cast<U>((assumed & mask) >> shift);
            if (IsMin ? !(value < cur) : !(value > cur)) return;
            const unsigned int next = (assumed & ~mask) | (static_cast<unsigned>(value) << shift);
            old = atomicCAS(word, assumed, next);
        } while (old != assumed);
    }
}

template <class K, bool IsMin>
__device__ inline void atomic_key(K *slot, K value) {
    if (IsMin) atomicMin(slot, value);
    else atomicMax(slot, value);
}

}  // namespace cuda_detail
}  // namespace mrast
