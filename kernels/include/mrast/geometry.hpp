#pragma once
// Geometry input to the kernels: flat arrays in *pixel space* (x to the right,
// y down, pixel (c, r) covers [c, c+1) x [r, r+1)), fed in batches in input
// order so that inputs larger than memory can stream.
//
// Three levels of offsets, all "begin" arrays with one extra trailing entry:
//   feature f owns parts  [feature_part_offsets[f], feature_part_offsets[f+1])
//   part p owns rings     [part_ring_offsets[p],    part_ring_offsets[p+1])
//   ring r owns vertices  [ring_vertex_offsets[r],  ring_vertex_offsets[r+1])
// A part is a point set, a line string, or a polygon (its rings: outer first,
// then holes, combined even-odd as GDAL does inside one polygon). A feature is
// the union of its parts: it contributes to a pixel at most once.
//
// Vertex order matters (GDAL's Bresenham and its bottom-horizontal-edge rule
// depend on it): callers wanting GDAL's pixels pass vertices in GDAL's order
// (GDALCollectRingsFromGeometry reverses line strings and makes rings
// clockwise in georeferenced space); the plugin does that.

#include <cstddef>
#include <cstdint>

namespace mrast {

enum class PartKind : std::uint8_t {
    Points = 0,   // every ring vertex is a point
    Line = 1,     // each ring is one line string
    Polygon = 2,  // rings are the boundaries of one polygon (even-odd)
};

struct GeometryBatch {
    std::size_t feature_count = 0;
    const std::size_t *feature_part_offsets = nullptr;  // feature_count + 1
    const PartKind *part_kind = nullptr;                // one per part
    const std::size_t *part_ring_offsets = nullptr;     // part count + 1
    const std::size_t *ring_vertex_offsets = nullptr;   // ring count + 1
    const double *x = nullptr;                          // one per vertex
    const double *y = nullptr;
    /// Per-vertex Z, added to the burn value (GDAL's BURN_VALUE_FROM=Z), or
    /// null. GDAL's rules: points burn their Z, lines interpolate Z along the
    /// traversal, polygons burn the Z of their first vertex.
    const double *z = nullptr;
    /// Burn values, band_count per feature: burn[f * band_count + b].
    const double *burn = nullptr;
    int band_count = 1;
};

/// Bounding box of vertices [v0, v1) of a batch.
struct VertexBounds {
    double x_lo, x_hi, y_lo, y_hi;
};

/// False when the range is empty or a coordinate is NaN (no box then).
inline bool vertex_bounds(const GeometryBatch &batch, std::size_t v0, std::size_t v1,
                          VertexBounds &box) noexcept {
    if (v0 >= v1) return false;
    box = VertexBounds{batch.x[v0], batch.x[v0], batch.y[v0], batch.y[v0]};
    for (std::size_t v = v0; v < v1; ++v) {
        const double x = batch.x[v], y = batch.y[v];
        if (!(x == x) || !(y == y)) return false;
        box.x_lo = x < box.x_lo ? x : box.x_lo;
        box.x_hi = x > box.x_hi ? x : box.x_hi;
        box.y_lo = y < box.y_lo ? y : box.y_lo;
        box.y_hi = y > box.y_hi ? y : box.y_hi;
    }
    return true;
}

}  // namespace mrast
