#pragma once
// GDALdllImageFilledPolygon's rules (GDAL 3.13 alg/llrasterize.cpp), one
// edge and one row at a time, shared by the CPU fill (edge-driven,
// kernels/src/polygon_fill.cpp) and the CUDA fill (one work item per
// polygon part and row, kernels/cuda/agent_rasterize.cuh). Same doubles,
// same operation order in both, so the crossings are bit-identical.
// "A pixel is considered inside a polygon if its center falls inside the
// polygon."

#include <cstddef>
#include <cstdint>

#include "mrast/host_device.hpp"
#include "mrast/rules/numeric.hpp"

namespace mrast {
namespace rules {

/// (int)floor(clamp(v, INT_MIN, INT_MAX) + 0.5) as GDAL computes a crossing.
/// A NaN intersection (0 * inf, inf / inf) is undefined behaviour in GDAL's
/// cast; x86 (cvttsd2si) yields INT_MIN, which we reproduce. floor_fast
/// keeps a libm call out of the loop that runs once per crossing; the
/// clamped value is within the int range, so the conversion is exact.
MRAST_HD inline std::int32_t round_crossing(double intersect) noexcept {
    // std::clamp's order: NaN passes through.
    const double clamped =
        intersect < kIntMin ? kIntMin : (kIntMax < intersect ? kIntMax : intersect);
    const double rounded = clamped + 0.5;
    if (is_nan_d(rounded)) return kInt32Min;
    return static_cast<std::int32_t>(floor_fast(rounded));
}

/// A non-horizontal edge with its ends ordered by y (GDAL swaps x with y).
struct OrientedEdge {
    double x1, y1, dx, dy;  // dx = x2 - x1, dy = y2 - y1, as GDAL computes them
    double y2;
};

/// Edge (xa, ya) -> (xb, yb), ya != yb, ordered so that y1 < y2.
MRAST_HD inline OrientedEdge orient_edge(double xa, double ya, double xb, double yb) noexcept {
    double dy1 = ya, dy2 = yb, dx1 = xa, dx2 = xb;
    if (dy1 > dy2) {
        swap_values(dy1, dy2);
        dx1 = xb;
        dx2 = xa;
    }
    return OrientedEdge{dx1, dy1, dx2 - dx1, dy2 - dy1, dy2};
}

/// GDAL's predicate: the edge crosses the centre line of row y iff
/// y1 <= y + 0.5 < y2 (y + 0.5 is exact for raster rows). Monotone in y.
MRAST_HD inline bool edge_crosses_row(const OrientedEdge &e, std::int64_t y) noexcept {
    const double c = static_cast<double>(y) + 0.5;
    return c >= e.y1 && c < e.y2;
}

/// The crossing of row y: GDAL's (dy - dy1) * (dx2 - dx1) / (dy2 - dy1) + dx1,
/// rounded with round_crossing().
MRAST_HD inline std::int32_t edge_crossing(const OrientedEdge &e, std::int64_t y) noexcept {
    const double c = static_cast<double>(y) + 0.5;
    const double intersect = (c - e.y1) * e.dx / e.dy + e.x1;
    return round_crossing(intersect);
}

/// The rows in [row_lo, row_hi] whose centre the edge crosses, as
/// [first, last]; false when there are none. The estimate (the first row
/// whose centre is at or below y1, the last one whose centre is above y2)
/// is exact but for rounding in y - 0.5; GDAL's predicate then moves each
/// end to its true row. It is monotone in y, so the rows in between all
/// satisfy it. The estimate used to start a row or two out and step in;
/// those steps were the fill's most mispredicted branches.
MRAST_HD inline bool edge_rows(const OrientedEdge &e, std::int64_t row_lo, std::int64_t row_hi,
                               std::int64_t &y_first, std::int64_t &y_last) noexcept {
    double first = floor_fast(e.y1 - 0.5) + 1.0;
    double last = floor_fast(e.y2 - 0.5);
    if (first < static_cast<double>(row_lo)) first = static_cast<double>(row_lo);
    if (last > static_cast<double>(row_hi)) last = static_cast<double>(row_hi);
    if (!(first <= last + 1.0)) return false;
    y_first = static_cast<std::int64_t>(first);
    y_last = static_cast<std::int64_t>(last);
    auto at_or_below_y1 = [&e](std::int64_t y) { return static_cast<double>(y) + 0.5 >= e.y1; };
    auto above_y2 = [&e](std::int64_t y) { return static_cast<double>(y) + 0.5 < e.y2; };
    while (y_first > row_lo && at_or_below_y1(y_first - 1)) --y_first;
    while (y_first <= y_last && !at_or_below_y1(y_first)) ++y_first;
    while (y_last < row_hi && above_y2(y_last + 1)) ++y_last;
    while (y_last >= y_first && !above_y2(y_last)) --y_last;
    return y_first <= y_last;
}

/// True if an edge end is NaN: GDAL's predicates mis-handle NaN (a NaN edge
/// reads as horizontal on every row), so such an edge is ignored.
MRAST_HD inline bool edge_has_nan(double xa, double ya, double xb, double yb) noexcept {
    return is_nan_d(ya) || is_nan_d(yb) || is_nan_d(xa) || is_nan_d(xb);
}

/// The horizontal-edge rule (ya == yb): only the row whose centre lies
/// exactly on the edge, and only when it runs right to left ("DO NOT skip
/// bottom horizontal segments"; top ones come from the crossings). On true,
/// burns columns [x0, x1] of `row` (x1 may be < x0: nothing), rows limited
/// to [row_lo, row_hi], columns to [0, width].
MRAST_HD inline bool horizontal_edge_run(double xa, double ya, double xb, std::int64_t row_lo,
                                         std::int64_t row_hi, std::int64_t width,
                                         std::int64_t &row, std::int64_t &x0,
                                         std::int64_t &x1) noexcept {
    if (!(xa > xb)) return false;
    const double fy = floor_fast(ya);
    if (!(fy >= static_cast<double>(row_lo) && fy <= static_cast<double>(row_hi))) return false;
    row = static_cast<std::int64_t>(fy);
    if (static_cast<double>(row) + 0.5 != ya) return false;
    const double hx1 = floor_fast(xb + 0.5);
    const double hx2 = floor_fast(xa + 0.5);
    if (hx1 > static_cast<double>(width - 1) || hx2 <= 0) return false;
    x0 = static_cast<std::int64_t>(max_of(hx1, 0.0));
    x1 = static_cast<std::int64_t>(min_of(hx2, static_cast<double>(width))) - 1;
    return true;
}

/// Pairs sorted crossings of one row: [c0, c1 - 1], [c2, c3 - 1], ... ; an
/// odd last crossing (only possible with skipped NaN edges) is dropped, as
/// GDAL's `i + 1 < ints` loop does. Calls run(c0, c1 - 1) for pairs that
/// meet columns [0, width - 1].
template <class Run>
MRAST_HD inline void pair_crossings(const std::int32_t *c, std::size_t n, std::int64_t width,
                                    Run &&run) {
    for (std::size_t i = 0; i + 1 < n; i += 2) {
        const std::int64_t c0 = c[i];
        const std::int64_t c1 = c[i + 1];
        if (c0 <= width - 1 && c1 > 0) run(c0, c1 - 1);
    }
}

}  // namespace rules
}  // namespace mrast
