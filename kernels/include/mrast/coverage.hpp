#pragma once
// Which pixels a feature covers, by GDAL 3.13's rules (alg/llrasterize.cpp):
//  - polygons: scanline at the pixel centre (y + 0.5), even-odd inside one
//    polygon, crossings rounded with floor(x + 0.5), bottom horizontal edges
//    burnt as GDAL does; multi-polygons are the union of their polygons;
//  - lines: GDAL's Bresenham between floored end points (an interior vertex
//    once, the last vertex burnt);
//  - points: floor, inside iff 0 <= x < width and 0 <= y < height;
//  - all-touched: GDAL's supercover traversal for lines and polygon rings
//    (ring edges within 1e-4 of a grid line are skipped), then the centre fill.
// The result is the union over the feature's parts: each pixel at most once.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mrast/geometry.hpp"
#include "mrast/rules/point.hpp"
#include "mrast/span.hpp"

namespace mrast {

namespace detail {
/// One polygon edge as the centre fill walks it (polygon_fill.cpp): ends
/// ordered by y, and the exact rows whose centre it crosses.
struct FillEdge {
    double x1, y1, dx, dy;  // dx = x2 - x1, dy = y2 - y1, as GDAL computes them
    std::int32_t row_first, row_last;
};
}  // namespace detail

/// Reusable buffers so the hot loop never allocates once warmed up.
struct CoverageWorkspace {
    std::vector<Span> raw;                 // spans as produced, before the union
    std::vector<Span> sorted;              // union: raw bucketed by row
    std::vector<std::int64_t> keys;        // union with varying Z: order + heap
    std::vector<std::size_t> row_slots;    // per-row counts, then bucket cursors
    std::vector<std::size_t> row_ends;     // lines: where each row's bucket is filled to
    std::vector<std::int32_t> cells;       // polygon crossings bucketed by row
    std::vector<detail::FillEdge> edges;   // polygon edges of one part
    std::vector<std::uint64_t> bits;       // union of a small feature: its bounding box
};

/// GDALdllImagePoint: a point burns pixel ((int)x, (int)y) iff
/// 0 <= x < width and 0 <= y < height (so the right/bottom border line is
/// outside; NaN fails every comparison).
inline bool point_pixel(double x, double y, RasterSize size, std::int32_t &col,
                        std::int32_t &row) noexcept {
    return rules::point_pixel(x, y, size.width, size.height, col, row);
}

/// The most common feature of all: one Points part of one vertex. True
/// (and its vertex in `vertex`) for such a feature.
inline bool lone_point_vertex(const GeometryBatch &batch, std::size_t feature, std::size_t &vertex) noexcept {
    const std::size_t p = batch.feature_part_offsets[feature];
    if (batch.feature_part_offsets[feature + 1] != p + 1 || batch.part_kind[p] != PartKind::Points) {
        return false;
    }
    const std::size_t r = batch.part_ring_offsets[p];
    if (batch.part_ring_offsets[p + 1] != r + 1) return false;
    vertex = batch.ring_vertex_offsets[r];
    return batch.ring_vertex_offsets[r + 1] == vertex + 1;
}

/// A lone point without feature_coverage()'s general machinery (for 1M
/// points that machinery cost more than the pixels). Returns false when the
/// feature is something else; otherwise `hit` says whether it burns in rows
/// [row_begin, row_end) and `span` is its pixel, as feature_coverage() would
/// give it.
inline bool lone_point_coverage(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                                std::int32_t row_begin, std::int32_t row_end, Span &span,
                                bool &hit) noexcept {
    std::size_t v = 0;
    if (!lone_point_vertex(batch, feature, v)) return false;
    std::int32_t col = 0, row = 0;
    hit = point_pixel(batch.x[v], batch.y[v], size, col, row) && row >= row_begin && row < row_end;
    if (hit) span = Span{row, col, col, batch.z != nullptr ? batch.z[v] : 0.0};
    return true;
}

/// Conservative row range [first, last] the feature can touch (may lie
/// outside the raster; last < first when it touches nothing).
void feature_row_range(const GeometryBatch &batch, std::size_t feature, bool all_touched,
                       std::int32_t &first, std::int32_t &last) noexcept;

/// Conservative pixel box [col0, col1] x [row0, row1] of every pixel the
/// feature can touch under either rule (vertex box +-2 pixels), unclipped;
/// false when a coordinate is NaN (no box can be trusted then).
bool feature_pixel_box(const GeometryBatch &batch, std::size_t feature, std::int64_t &col0,
                       std::int64_t &col1, std::int64_t &row0, std::int64_t &row1) noexcept;

/// Replaces `out` with the pixels of `feature` in rows [row_begin, row_end)
/// of a raster of `size`: disjoint spans sorted by (y, x0), clipped to the
/// raster. Non-finite or huge coordinates never produce out-of-raster spans.
void feature_coverage(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                      std::int32_t row_begin, std::int32_t row_end, bool all_touched,
                      CoverageWorkspace &ws, std::vector<Span> &out);

}  // namespace mrast
