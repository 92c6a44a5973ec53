#pragma once
// The merge layer: apply the spans of one feature to one band. Everything
// above it (coverage, row bands, threads, dispatch) only decides which spans
// reach which band; everything here is per pixel and typed, with the policy,
// the touched state and the pixel type as template parameters, so the inner
// loops have no virtual call, no type switch and no allocation.
//
// `commit` says whether this call records the contribution in the touched
// state / mean counter. Scratch shared by all bands (new output: every band
// has the same contributors) is committed with the last band only, so that
// every band of a feature sees the state as it was before the feature.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "mrast/merge_policies.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/span.hpp"
#include "mrast/touched_state.hpp"

namespace mrast {

/// Burn value of a span: GDAL adds the Z only when burning from Z, and
/// burn + 0.0 would turn a -0.0 burn into +0.0, hence the flag.
inline double span_value(double burn, const Span &s, bool add_z) noexcept {
    return add_z ? burn + s.z : burn;
}

/// Stores `v` in pixels x0..x1 of a row: std::fill when pixels are packed.
template <class T>
inline void fill_span(const RasterView<T> &view, const Span &s, T v) noexcept {
    unsigned char *p = view.row(s.y) + s.x0 * view.m_pixel_spacing;
    const std::int64_t n = static_cast<std::int64_t>(s.x1) - s.x0 + 1;
    if (view.m_pixel_spacing == static_cast<std::int64_t>(sizeof(T))) {
        T *t = reinterpret_cast<T *>(p);
        std::fill(t, t + n, v);
        return;
    }
    for (std::int64_t i = 0; i < n; ++i, p += view.m_pixel_spacing) *reinterpret_cast<T *>(p) = v;
}

/// Spans ahead whose first pixel merge_spans asks the cache for.
constexpr std::size_t kSpanPrefetch = 16;

/// Asks for the cache line holding `p`, to be written soon (a hint only).
inline void prefetch_for_write(const void *p) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1);
#else
    (void)p;
#endif
}

/// Merges one span's pixels with `value`. `Packed` (pixels sizeof(T) apart,
/// the common MEM / block layout) lets the compiler vectorise the loop: a sum
/// into Float64 becomes a plain `+=` over the row.
template <bool Packed, class Policy, class Touched, class T, class V>
inline void merge_run(const RasterView<T> &view, const Policy &policy, const Touched &touched,
                      const Span &s, V value) {
    if constexpr (Packed) {
        T *row = reinterpret_cast<T *>(view.row(s.y));
        for (std::int32_t x = s.x0; x <= s.x1; ++x) {
            row[x] = policy.merge(row[x], value, touched.has_contributor(row[x], x, s.y));
        }
    } else {
        unsigned char *p = view.row(s.y) + s.x0 * view.m_pixel_spacing;
        for (std::int32_t x = s.x0; x <= s.x1; ++x, p += view.m_pixel_spacing) {
            T &dst = *reinterpret_cast<T *>(p);
            dst = policy.merge(dst, value, touched.has_contributor(dst, x, s.y));
        }
    }
}

/// Merges `count` spans of one feature with burn value `burn` into `view`.
/// @tparam Policy  a merge:: policy other than Mean
/// @tparam Touched AlwaysTouched, NodataSentinel or TouchedBitmap
/// @tparam T       the band type
template <class Policy, class Touched, class T>
void merge_spans(const RasterView<T> &view, const Policy &policy, const Touched &touched,
                 const Span *spans, std::size_t count, double burn, bool add_z, bool commit) {
    static_assert(!Policy::uses_counter, "mean goes through merge_spans_mean");
    const bool packed = view.m_pixel_spacing == static_cast<std::int64_t>(sizeof(T));
    // The first spans too: a line's spans are a pixel or two each, so a
    // feature's first spans were misses before the look-ahead got going.
    for (std::size_t i = 0; i < count && i < kSpanPrefetch; ++i) {
        prefetch_for_write(view.row(spans[i].y) + spans[i].x0 * view.m_pixel_spacing);
    }
    for (std::size_t i = 0; i < count; ++i) {
        const Span &s = spans[i];
        // Consecutive spans are usually on consecutive rows, a line stride
        // apart, which the hardware prefetcher does not follow.
        if (i + kSpanPrefetch < count) {
            const Span &ahead = spans[i + kSpanPrefetch];
            prefetch_for_write(view.row(ahead.y) + ahead.x0 * view.m_pixel_spacing);
        }
        const auto value = Policy::template prepare<T>(span_value(burn, s, add_z));
        if constexpr (Policy::replaces) {
            fill_span(view, s, static_cast<T>(value));
        } else {
            if (packed) {
                merge_run<true>(view, policy, touched, s, value);
            } else {
                merge_run<false>(view, policy, touched, s, value);
            }
            if constexpr (Touched::marks_spans) {
                if (commit) touched.mark(s.y, s.x0, s.x1);
            }
        }
    }
}

/// Mean scratch for one band: a counter per pixel (possibly shared by all
/// bands) and, for integer bands, a float64 running sum; float bands keep
/// the running sum in the band itself.
/// @tparam Counter std::uint8_t, std::uint16_t or std::uint32_t, the narrowest
///                 holding the number of contributors (SPEC section 5)
template <class Counter>
struct MeanState {
    Counter *m_counts = nullptr;  // width * height
    double *m_sums = nullptr;     // width * height, integer bands only
    std::int32_t m_width = 0;
    bool m_update = false;  // the existing value is a contributor...
    bool m_has_nodata = false;  // ...unless it is nodata
    NodataTest m_nodata;

    std::int64_t index(std::int32_t x, std::int32_t y) const noexcept {
        return static_cast<std::int64_t>(y) * m_width + x;
    }
    template <class T>
    bool existing_contributes(T dst) const noexcept {
        return m_update && !(m_has_nodata && m_nodata.is_nodata(dst));
    }
};

template <class T, class Counter>
void merge_spans_mean(const RasterView<T> &view, const MeanState<Counter> &state, const Span *spans,
                      std::size_t count, double burn, bool add_z, bool commit) {
    constexpr bool sum_in_band = std::is_floating_point_v<T>;
    for (std::size_t i = 0; i < count; ++i) {
        const Span &s = spans[i];
        const double v = span_value(burn, s, add_z);
        unsigned char *p = view.row(s.y) + s.x0 * view.m_pixel_spacing;
        const std::int64_t row = state.index(0, s.y);
        for (std::int32_t x = s.x0; x <= s.x1; ++x, p += view.m_pixel_spacing) {
            T &dst = *reinterpret_cast<T *>(p);
            const std::int64_t k = row + x;
            const Counter c = state.m_counts[k];
            Counter next = static_cast<Counter>(c + 1);
            if (c == 0) {
                const bool existing = state.existing_contributes(dst);
                const double start = existing ? static_cast<double>(dst) + v : v;
                if constexpr (sum_in_band) {
                    dst = copy_word<T>(start);
                } else {
                    state.m_sums[k] = start;
                }
                next = existing ? Counter{2} : Counter{1};
            } else if constexpr (sum_in_band) {
                dst = copy_word<T>(static_cast<double>(dst) + v);
            } else {
                state.m_sums[k] += v;
            }
            if (commit) state.m_counts[k] = next;
        }
    }
}

/// Divides rows [y0, y1) of a band by their counters (Mean::finalize).
template <class T, class Counter>
void finish_mean_rows(const RasterView<T> &view, const MeanState<Counter> &state, std::int32_t y0,
                      std::int32_t y1) {
    for (std::int32_t y = y0; y < y1; ++y) {
        unsigned char *p = view.row(y);
        const std::int64_t row = state.index(0, y);
        for (std::int32_t x = 0; x < view.m_width; ++x, p += view.m_pixel_spacing) {
            const Counter c = state.m_counts[row + x];
            if (c == 0) continue;
            T &dst = *reinterpret_cast<T *>(p);
            const double sum =
                std::is_floating_point_v<T> ? static_cast<double>(dst) : state.m_sums[row + x];
            dst = merge::Mean::finalize<T>(sum, static_cast<double>(c));
        }
    }
}

}  // namespace mrast
