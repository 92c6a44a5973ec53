#pragma once
// GDALdllImageLine's rules (GDAL 3.13 alg/llrasterize.cpp), shared by the
// CPU coverage (kernels/src/line_bresenham.cpp) and the CUDA kernels:
// Bresenham between floor()ed end points, segments off the raster or
// outside the int range skipped, and the end point of a segment burnt only
// on the last segment ("Do not burn the end point ... artifacts in Add
// mode"), so an interior vertex is visited once.
//
// Sink: row_begin(), row_end(), width() and pixel(y, x, z) (which drops
// what lies outside the raster or the row band).

#include <cstdint>

#include "mrast/host_device.hpp"
#include "mrast/rules/geometry_views.hpp"
#include "mrast/rules/numeric.hpp"

namespace mrast {
namespace rules {

#if defined(__GNUC__) || defined(__clang__)
__extension__ typedef __int128 BresenhamWide;
#else
#error "rules/line_bresenham.hpp needs a 128-bit integer for the Bresenham skip"
#endif

MRAST_HD inline std::int64_t abs_i64(std::int64_t v) noexcept { return v < 0 ? -v : v; }

/// Sinks that declare `static constexpr bool kTakesRowRuns = true` get an
/// x-major walk without Z as one run(y, x0, x1, z) per row instead of a
/// pixel() per pixel (the CPU's SpanSink; the same pixels).
template <class Sink, class = void>
struct TakesRowRuns {
    static constexpr bool value = false;
};
template <class Sink>
struct TakesRowRuns<Sink, decltype(void(Sink::kTakesRowRuns))> {
    static constexpr bool value = Sink::kTakesRowRuns;
};

/// Walks a segment as GDAL's two symmetric loops do: pixel k (k = 0 ..)
/// steps the major axis by k and the minor axis whenever the error term is
/// positive. Deltas are 64-bit: GDAL's int arithmetic (nDeltaY << 1) would
/// overflow for end points far apart, which is undefined there anyway.
///
/// Without Z, the steps before the raster (or the band) are skipped with
/// Bresenham's closed form: the error stays in [2 minor - 2 major + 1,
/// 2 minor], so after k steps the minor axis has moved
/// m_k = floor((2 minor k + major - 1) / (2 major)) and the error is
/// e_0 + 2 minor k - 2 major m_k. GDAL walks a 4e9-pixel off-raster segment
/// pixel by pixel; we go straight to the first pixel that can count. With
/// Z the walk is kept step by step, because GDAL accumulates dfVariant by
/// repeated addition and only the same additions give the same doubles.
/// @tparam MajorIsX true when |dx| >= |dy| (GDAL's first branch).
template <bool MajorIsX, class Sink>
MRAST_HD inline void bresenham_walk(std::int64_t ix, std::int64_t iy, std::int64_t delta_major, std::int64_t delta_minor,
          std::int64_t step_x, std::int64_t step_y, bool last_segment, bool has_z, double variant,
          double variant_end, Sink &sink)
{
    const std::int64_t error_minor = delta_minor * 2;               // GDAL's nXError
    const std::int64_t error_both = error_minor - delta_major * 2;  // GDAL's nYError
    std::int64_t error = error_minor - delta_major;
    // GDAL computes the increment from the delta before the end point is
    // dropped, then accumulates it step by step: keep both.
    const double delta_variant =
        delta_major == 0 ? 0.0 : (variant_end - variant) / static_cast<double>(delta_major);
    // Pixels k in [k_begin, k_end).
    std::int64_t k_begin = 0;
    std::int64_t k_end = last_segment ? delta_major + 1 : delta_major;
    if (!has_z && delta_major > 0) {
        // The major coordinate must land in the raster columns (x major) or
        // in the band's rows (y major).
        const std::int64_t lo = MajorIsX ? 0 : sink.row_begin();
        const std::int64_t hi = MajorIsX ? sink.width() - 1 : sink.row_end() - 1;
        const std::int64_t start = MajorIsX ? ix : iy;
        const std::int64_t step = MajorIsX ? step_x : step_y;
        const std::int64_t first = step > 0 ? lo - start : start - hi;
        const std::int64_t last = step > 0 ? hi - start : start - lo;
        k_begin = max_of<std::int64_t>(k_begin, first);
        k_end = min_of<std::int64_t>(k_end, last + 1);
        if (k_begin >= k_end)
            return;
        if (k_begin > 0) {
            const BresenhamWide k = k_begin;
            const BresenhamWide m = (BresenhamWide(2) * delta_minor * k + delta_major - 1) / (BresenhamWide(2) * delta_major);
            error = static_cast<std::int64_t>(BresenhamWide(error) + BresenhamWide(2) * delta_minor * k -
                                              BresenhamWide(2) * delta_major * m);
            const auto moved = static_cast<std::int64_t>(m);
            if (MajorIsX) {
                ix += step_x * k_begin;
                iy += step_y * moved;
            } else {
                iy += step_y * k_begin;
                ix += step_x * moved;
            }
        }
    }
    if constexpr (MajorIsX && TakesRowRuns<Sink>::value) {
        if (!has_z) {
            // The same steps, one run per row: the pixels stay on row iy
            // while the error is not positive. k_begin / k_end already keep
            // the columns in the raster (above).
            for (std::int64_t k = k_begin; k < k_end;) {
                const std::int64_t x_first = ix;
                const std::int64_t row = iy;
                bool moved = false;
                do {
                    moved = error > 0;
                    error += moved ? error_both : error_minor;
                    ++k;
                    ix += step_x;
                } while (!moved && k < k_end);
                const std::int64_t x_last = ix - step_x;
                sink.run(row, min_of(x_first, x_last), max_of(x_first, x_last), variant);
                if (moved) iy += step_y;
            }
            return;
        }
    }
    const std::int64_t width = sink.width();
    for (std::int64_t k = k_begin; k < k_end; ++k) {
        // Columns and rows outside are dropped by the sink; the walk goes on
        // through them (z accumulates on every step, as in GDAL).
        if (ix >= 0 && ix < width)
            sink.pixel(iy, ix, variant);
        variant += delta_variant;
        if (MajorIsX) {
            ix += step_x;
            if (error > 0) {
                iy += step_y;
                error += error_both;
            } else {
                error += error_minor;
            }
        } else {
            iy += step_y;
            if (error > 0) {
                ix += step_x;
                error += error_both;
            } else {
                error += error_minor;
            }
        }
    }
}

template <class Sink>
MRAST_HD inline void bresenham_line(const RingView &ring, const ZSource &z, std::int32_t width_px,
                                   std::int32_t height_px, Sink &sink)
{
    const std::size_t n = ring.size();
    const double width = width_px;
    const double height = height_px;
    for (std::size_t j = 1; j < n; ++j) {
        const std::size_t a = ring.begin + j - 1;
        const std::size_t b = ring.begin + j;
        const double x0 = ring.x[a];
        const double y0 = ring.y[a];
        const double x1 = ring.x[b];
        const double y1 = ring.y[b];

        // GDAL: "Skip segments that are off the target region." Note the
        // strict '>' against the size: a segment on the right/bottom border
        // line is kept (and then burns nothing there).
        if ((y0 < 0.0 && y1 < 0.0) || (y0 > height && y1 > height) || (x0 < 0.0 && x1 < 0.0) ||
            (x0 > width && x1 > width))
            continue;
        // GDAL skips (with a warning) segments outside the int range; the
        // test also rejects NaN.
        if (!(in_int_range(x0) && in_int_range(y0) && in_int_range(x1) && in_int_range(y1)))
            continue;

        // Band shortcut: the walk stays within the rows of its floored end
        // points, so a segment entirely above or below the band adds nothing.
        const std::int64_t iy0 = floor_to_i64(y0);
        const std::int64_t iy1 = floor_to_i64(y1);
        if ((iy0 < sink.row_begin() && iy1 < sink.row_begin()) ||
            (iy0 >= sink.row_end() && iy1 >= sink.row_end()))
            continue;

        const std::int64_t ix0 = floor_to_i64(x0);
        const std::int64_t ix1 = floor_to_i64(x1);
        const double variant = z.present() ? z.at(a) : 0.0;
        const double variant_end = z.present() ? z.at(b) : 0.0;

        const std::int64_t delta_x = abs_i64(ix1 - ix0);
        const std::int64_t delta_y = abs_i64(iy1 - iy0);
        const std::int64_t step_x = ix0 > ix1 ? -1 : 1;
        const std::int64_t step_y = iy0 > iy1 ? -1 : 1;
        const bool last_segment = j == n - 1;
        if (delta_x >= delta_y)
            bresenham_walk<true>(ix0, iy0, delta_x, delta_y, step_x, step_y, last_segment, z.present(),
                       variant, variant_end, sink);
        else
            bresenham_walk<false>(ix0, iy0, delta_y, delta_x, step_x, step_y, last_segment, z.present(),
                        variant, variant_end, sink);
    }
}

}  // namespace rules
}  // namespace mrast
