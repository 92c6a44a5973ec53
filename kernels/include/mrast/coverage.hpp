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
#include "mrast/span.hpp"

namespace mrast {

/// Reusable buffers so the hot loop never allocates once warmed up.
struct CoverageWorkspace {
    std::vector<Span> raw;            // spans as produced, before the union
    std::vector<double> crossings;    // polygon scanline work
    std::vector<std::int64_t> keys;   // scratch for sorting
};

/// Conservative row range [first, last] the feature can touch (may lie
/// outside the raster; last < first when it touches nothing).
void feature_row_range(const GeometryBatch &batch, std::size_t feature, bool all_touched,
                       std::int32_t &first, std::int32_t &last) noexcept;

/// Replaces `out` with the pixels of `feature` in rows [row_begin, row_end)
/// of a raster of `size`: disjoint spans sorted by (y, x0), clipped to the
/// raster. Non-finite or huge coordinates never produce out-of-raster spans.
void feature_coverage(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                      std::int32_t row_begin, std::int32_t row_end, bool all_touched,
                      CoverageWorkspace &ws, std::vector<Span> &out);

}  // namespace mrast
