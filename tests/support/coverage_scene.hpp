#pragma once
// Test helpers: structured features (parts of rings of points) flattened into
// a GeometryBatch, and span lists turned into masks / per-pixel grids.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mrast/coverage.hpp"
#include "mrast/geometry.hpp"
#include "mrast/geometry_arrays.hpp"
#include "mrast/span.hpp"

namespace mrast {
namespace test {

struct Pt {
    double x;
    double y;
    double z = 0.0;
};

using Ring = std::vector<Pt>;

struct Part {
    PartKind kind;
    std::vector<Ring> rings;
};

using Feature = std::vector<Part>;

inline Part polygon(std::vector<Ring> rings) { return Part{PartKind::Polygon, std::move(rings)}; }
inline Part line(Ring ring) { return Part{PartKind::Line, {std::move(ring)}}; }
inline Part points(Ring ring) { return Part{PartKind::Points, {std::move(ring)}}; }

/// Owns the flat arrays a GeometryBatch points into (burn value 1 each).
class FlatScene {
public:
    explicit FlatScene(const std::vector<Feature> &features)
    {
        const double burn = 1.0;
        for (const Feature &f : features) {
            for (const Part &p : f) {
                m_arrays.begin_part(p.kind);
                for (const Ring &r : p.rings) {
                    for (const Pt &v : r)
                        m_arrays.add_vertex(v.x, v.y, v.z);
                    m_arrays.end_ring();
                }
            }
            m_arrays.end_feature(&burn);
        }
    }

    GeometryBatch batch(bool with_z) const { return m_arrays.view(with_z); }

private:
    GeometryArrays m_arrays;
};

/// Per-pixel result: covered or not, and the z it carries.
struct PixelGrid {
    std::int32_t width = 0;
    std::int32_t height = 0;
    std::vector<char> hit;
    std::vector<double> z;

    PixelGrid(std::int32_t w, std::int32_t h)
        : width(w), height(h), hit(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0),
          z(hit.size(), 0.0)
    {
    }
    std::size_t index(std::int64_t x, std::int64_t y) const
    {
        return static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
               static_cast<std::size_t>(x);
    }
    bool inside(std::int64_t x, std::int64_t y) const
    {
        return x >= 0 && x < width && y >= 0 && y < height;
    }
    /// Last write wins, as GDAL REPLACE.
    void paint(std::int64_t x, std::int64_t y, double value)
    {
        if (!inside(x, y))
            return;
        hit[index(x, y)] = 1;
        z[index(x, y)] = value;
    }
    std::vector<std::string> mask() const
    {
        std::vector<std::string> rows;
        for (std::int32_t y = 0; y < height; ++y) {
            std::string row;
            for (std::int32_t x = 0; x < width; ++x)
                row += hit[index(x, y)] ? '#' : '.';
            rows.push_back(row);
        }
        return rows;
    }
};

/// Checks the span contract (sorted by (y, x0), disjoint, inside the raster
/// and the band) and paints the spans. Returns an error text, empty if fine.
inline std::string paint_spans(const std::vector<Span> &spans, std::int32_t row_begin,
                               std::int32_t row_end, PixelGrid &grid)
{
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const Span &s = spans[i];
        if (s.x0 > s.x1)
            return "span with x0 > x1 at index " + std::to_string(i);
        if (s.x0 < 0 || s.x1 >= grid.width || s.y < 0 || s.y >= grid.height)
            return "span outside the raster at index " + std::to_string(i);
        if (s.y < row_begin || s.y >= row_end)
            return "span outside the band at index " + std::to_string(i);
        if (i > 0) {
            const Span &p = spans[i - 1];
            if (p.y > s.y || (p.y == s.y && p.x1 >= s.x0))
                return "spans unsorted or overlapping at index " + std::to_string(i);
        }
        for (std::int32_t x = s.x0; x <= s.x1; ++x)
            grid.paint(x, s.y, s.z);
    }
    return {};
}

inline std::vector<std::string> coverage_mask(const std::vector<Feature> &features,
                                              std::int32_t w, std::int32_t h,
                                              bool all_touched, std::size_t feature = 0)
{
    FlatScene scene(features);
    CoverageWorkspace ws;
    std::vector<Span> spans;
    feature_coverage(scene.batch(false), feature, RasterSize{w, h}, 0, h, all_touched, ws, spans);
    PixelGrid grid(w, h);
    const std::string error = paint_spans(spans, 0, h, grid);
    if (!error.empty())
        return {error};
    return grid.mask();
}

}  // namespace test
}  // namespace mrast
