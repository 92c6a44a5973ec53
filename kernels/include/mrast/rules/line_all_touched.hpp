#pragma once
// GDALdllImageLineAllTouched's rules (GDAL 3.13 alg/llrasterize.cpp),
// shared by the CPU coverage (kernels/src/line_all_touched.cpp) and the
// CUDA kernels. Used for lines with intersect_only = false and for polygon
// rings with intersect_only = true (gv_rasterize_one_shape), before the
// centre fill.
//
// The floating-point steps (clipping, stepping from pixel edge to pixel edge,
// the 1e-9 minimum step) are kept operation for operation: which pixel a
// nearly-corner-crossing segment touches depends on their rounding.
// What we add: exits that cannot change a pixel (the walk left the raster
// for good) and an iteration bound, because GDAL's loop can stall when a
// tiny step is absorbed by a large coordinate.
//
// Sink: row_begin(), row_end(), row_in_band(y), pixel(y, x, z) and
// run(y, x0, x1, z) (both drop what lies outside the raster or the band).

#include <cstdint>

#include "mrast/host_device.hpp"
#include "mrast/rules/geometry_views.hpp"
#include "mrast/rules/numeric.hpp"

namespace mrast {
namespace rules {

// "This is an epsilon to detect geometries that are aligned with pixel
// coordinates ... to satisfy the scenarios of #7523 and #6414" (GDAL).
constexpr double kEpsilonIntersectOnly = 1e-4;
// GDAL's threshold for treating a segment as vertical / horizontal.
constexpr double kAxisAligned = .01;
constexpr double kMinStep = 0.000000001;

MRAST_HD inline bool on_grid_line(double v) noexcept {
    return abs_d(v - round_half_away(v)) < kEpsilonIntersectOnly;
}

/// The vertical special case (|dx| < .01): one column, rows clipped.
template <class Sink>
MRAST_HD inline void at_vertical(double x, double y, double x_end, double y_end, double variant, double variant_end,
              bool has_z, std::int32_t size_width, std::int32_t size_height, Sink &sink)
{
    if (y_end < y) {
        swap_values(y, y_end);
        swap_values(variant, variant_end);
    }
    // GDAL takes the column of the *end* point (after the left-to-right swap).
    const std::int64_t ix = floor_to_i64(x_end);
    (void)x;
    std::int64_t iy = floor_to_i64(y);
    std::int64_t iy_end = floor_to_i64(y_end - kEpsilonIntersectOnly);
    if (ix < 0 || ix >= size_width)
        return;
    double delta_variant = 0.0;
    if (y_end - y > 0.0)
        delta_variant = (variant_end - variant) / (y_end - y);  // per unit change in y
    if (iy < 0)
        iy = 0;
    if (iy_end >= size_height)
        iy_end = size_height - 1;
    // Only the band's rows are emitted, but z is accumulated from row iy
    // as GDAL does, so the walk starts there.
    variant += delta_variant * (static_cast<double>(iy) - y);
    if (!has_z) {
        // Rows outside the band add nothing: jump straight to it.
        if (iy < sink.row_begin())
            iy = sink.row_begin();
        if (iy_end >= sink.row_end())
            iy_end = sink.row_end() - 1;
        if (iy <= iy_end)
            for (std::int64_t r = iy; r <= iy_end; ++r)
                sink.pixel(r, ix, 0.0);
        return;
    }
    if (iy_end >= sink.row_end())
        iy_end = sink.row_end() - 1;
    for (; iy <= iy_end; ++iy, variant += delta_variant)
        sink.pixel(iy, ix, variant);
}

/// The horizontal special case (|dy| < .01): one row, columns clipped.
template <class Sink>
MRAST_HD inline void at_horizontal(double x, double y, double x_end, double variant, double variant_end,
                double delta_variant, bool has_z, std::int32_t size_width, std::int32_t size_height, Sink &sink)
{
    if (x_end < x) {
        swap_values(x, x_end);
        swap_values(variant, variant_end);
    }
    std::int64_t ix = floor_to_i64(x);
    const std::int64_t iy = floor_to_i64(y);
    std::int64_t ix_end = floor_to_i64(x_end - kEpsilonIntersectOnly);
    if (iy < 0 || iy >= size_height)
        return;
    if (ix < 0)
        ix = 0;
    if (ix_end >= size_width)
        ix_end = size_width - 1;
    if (!sink.row_in_band(iy) || ix > ix_end)
        return;
    if (!has_z) {
        sink.run(iy, ix, ix_end, 0.0);
        return;
    }
    variant += delta_variant * (static_cast<double>(ix) - x);
    for (; ix <= ix_end; ++ix, variant += delta_variant)
        sink.pixel(iy, ix, variant);
}

/// The general case: left to right, clipped, stepping from one pixel edge
/// to the next.
template <class Sink>
MRAST_HD inline void at_sloped(double x, double y, double x_end, double y_end, double variant, double delta_variant,
            std::int32_t size_width, std::int32_t size_height, Sink &sink)
{
    const double width = size_width;
    const double height = size_height;
    const double slope = (y_end - y) / (x_end - x);

    // Clip in X.
    if (x_end > width) {
        y_end -= (x_end - width) * slope;
        x_end = width;
    }
    if (x < 0.0) {
        y += (0.0 - x) * slope;
        variant += delta_variant * (0.0 - x);
        x = 0.0;
    }
    // Clip in Y.
    if (y_end > y) {
        if (y < 0.0) {
            const double diff_x = (0.0 - y) / slope;
            x += diff_x;
            variant += delta_variant * diff_x;
            y = 0.0;
        }
        if (y_end >= height) {
            x_end += (y_end - height) / slope;
            if (x_end > width)
                x_end = width;
        }
    } else {
        if (y >= height) {
            const double diff_x = (height - y) / slope;
            x += diff_x;
            variant += delta_variant * diff_x;
            y = height;
        }
        if (y_end < 0.0)
            x_end -= (y_end - 0) / slope;
    }

    // A legitimate walk crosses each column edge and each row edge once and
    // may take one minimum step after each; anything beyond is a stall.
    std::int64_t budget = 4 * (static_cast<std::int64_t>(size_width) + size_height) + 64;
    const bool down = slope > 0;
    while (x >= 0.0 && x < x_end && budget-- > 0) {
        // y only moves one way along the walk: once it has left the raster
        // in that direction no later step can burn (GDAL would go on
        // stepping, burning nothing). Also keeps floor(y) in int range.
        if (down ? !(y < height) : !(y >= 0.0))
            break;
        // The walk stays between its int-range end points, so floors
        // convert without saturating; the row test stays in doubles, off
        // the integer conversions (floor_fast(a) == floor_fast(b) exactly
        // when GDAL's (int)floor values are equal).
        const double fy = floor_fast(y);
        sink.pixel(static_cast<std::int64_t>(fy), static_cast<std::int64_t>(floor_fast(x)), variant);

        double step_x = floor_fast(x + 1.0) - x;
        double step_y = step_x * slope;
        if (floor_fast(y + step_y) == fy) {
            // Next column, same row.
            x += step_x;
            y += step_y;
            variant += delta_variant * step_x;
        } else if (slope < 0) {
            step_y = fy - y;
            if (step_y > -kMinStep)
                step_y = -kMinStep;
            step_x = step_y / slope;
            x += step_x;
            y += step_y;
            variant += delta_variant * step_x;
        } else {
            step_y = (fy + 1.0) - y;
            if (step_y < kMinStep)
                step_y = kMinStep;
            step_x = step_y / slope;
            x += step_x;
            y += step_y;
            variant += delta_variant * step_x;
        }
    }
}

template <class Sink>
MRAST_HD inline void all_touched_line(const RingView &ring, const ZSource &z, std::int32_t size_width,
                                      std::int32_t size_height, bool intersect_only, Sink &sink)
{
    const std::size_t n = ring.size();
    const double width = size_width;
    const double height = size_height;
    const bool has_z = z.present();
    for (std::size_t j = 1; j < n; ++j) {
        const std::size_t a = ring.begin + j - 1;
        const std::size_t b = ring.begin + j;
        double x = ring.x[a];
        double y = ring.y[a];
        double x_end = ring.x[b];
        double y_end = ring.y[b];

        // Same off-raster and int-range skips as GDALdllImageLine.
        if ((y < 0.0 && y_end < 0.0) || (y > height && y_end > height) || (x < 0.0 && x_end < 0.0) ||
            (x > width && x_end > width))
            continue;
        if (!(in_int_range(x) && in_int_range(y) && in_int_range(x_end) && in_int_range(y_end)))
            continue;
        // Band shortcut: every pixel of the walk lies in rows between the
        // floored end points (the clipping and stepping only move inwards;
        // one row of slack for the 1e-9 minimum step).
        {
            const std::int64_t r0 = floor_to_i64(y < y_end ? y : y_end) - 1;
            const std::int64_t r1 = floor_to_i64(y < y_end ? y_end : y) + 1;
            if (r1 < sink.row_begin() || r0 >= sink.row_end())
                continue;
        }

        double variant = has_z ? z.at(a) : 0.0;
        double variant_end = has_z ? z.at(b) : 0.0;

        // Proceed left to right.
        if (x > x_end) {
            swap_values(x, x_end);
            swap_values(y, y_end);
            swap_values(variant, variant_end);
        }

        if (abs_d(x - x_end) < kAxisAligned) {
            // A ring edge lying on a column edge touches no pixel interior.
            if (intersect_only && on_grid_line(x) && on_grid_line(x_end))
                continue;
            at_vertical(x, y, x_end, y_end, variant, variant_end, has_z, size_width, size_height, sink);
            continue;
        }

        const double delta_variant = (variant_end - variant) / (x_end - x);  // per unit in x

        if (abs_d(y - y_end) < kAxisAligned) {
            if (intersect_only && on_grid_line(y) && on_grid_line(y_end))
                continue;
            at_horizontal(x, y, x_end, variant, variant_end, delta_variant, has_z, size_width, size_height, sink);
            continue;
        }

        at_sloped(x, y, x_end, y_end, variant, delta_variant, size_width, size_height, sink);
    }
}

}  // namespace rules
}  // namespace mrast
